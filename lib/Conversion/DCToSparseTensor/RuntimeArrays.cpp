//===- RuntimeArrays.cpp - A weight's run-time arrays ---------------------===//
//
// RuntimeArrayBuilder: the arrays of a #dc.runtime layout (runtimeArrayTypes),
// either decoded by the codec now into dense_resource constants, or left
// to the generated @dc_init, which decodes the stored payload at run time
// (include/dc/Runtime/Decode.h) into named workspace slots.
//
//===----------------------------------------------------------------------===//

#include "dc/Conversion/DCToSparseTensor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringSet.h"

#include <vector>

using namespace mlir;
using namespace mlir::dc;
namespace codec = ::dc::codec;

namespace {

/// Decodes the payload into the run-time CSR (row-major lines for csr,
/// column-major for csc), each stored line split into lines of `sub`
/// positions (0: the stored lines), as dcrt_decode_csr_lines does.
FailureOr<codec::RuntimeLines> decodeRuntimeCSR(ConstantOp op, uint64_t sub) {
  FailureOr<codec::LayerView> view = op.getLayerView();
  if (failed(view))
    return failure();
  ::dc::StatusOr<codec::RuntimeLines> lines =
      codec::decodeRuntimeLines(*view, sub);
  if (!lines.ok())
    return op.emitOpError() << "payload does not decode: " << lines.message();
  return std::move(*lines);
}

/// A 1-D constant of integers of `width` bits, as a dense_resource blob.
Value makeIntArray(OpBuilder &b, Location loc, ArrayRef<int32_t> data,
                   unsigned width, StringRef key) {
  auto type =
      RankedTensorType::get({int64_t(data.size())}, b.getIntegerType(width));
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocate(data.size() * width / 8, width / 8);
  char *out = blob.getMutableData().data();
  for (size_t i = 0; i < data.size(); ++i) {
    if (width == 8)
      out[i] = char(data[i]);
    else if (width == 16)
      reinterpret_cast<uint16_t *>(out)[i] = uint16_t(data[i]);
    else
      reinterpret_cast<int32_t *>(out)[i] = data[i];
  }
  auto attr = DenseResourceElementsAttr::get(type, key, std::move(blob));
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
}

/// A named workspace slot of `bytes` bytes, allocated at `b`'s position;
/// dc-workspace places equal names at equal offsets.
Value slot(OpBuilder &b, Location loc, StringRef name, int64_t bytes) {
  auto alloc =
      memref::AllocOp::create(b, loc, MemRefType::get({bytes}, b.getI8Type()),
                              ValueRange{}, b.getI64IntegerAttr(64));
  alloc->setAttr(DCDialect::kSlotAttrName, b.getStringAttr(name));
  return alloc;
}

/// `type` viewed over a slot.
Value view(OpBuilder &b, Location loc, Value slot, MemRefType type) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  return memref::ViewOp::create(b, loc, type, slot, zero, ValueRange{});
}

Type elementType(OpBuilder &b, const RuntimeArrayType &array) {
  return array.isFloat ? Type(b.getF32Type())
                       : Type(b.getIntegerType(array.bits));
}

} // namespace

/// The run-time decoding of payloads in @dc_init (decode-at=init).
struct RuntimeArrayBuilder::Impl {
  ModuleOp module;
  DecodeAt decodeAt;
  func::FuncOp init;
  func::ReturnOp ret;
  Value status;
  llvm::DenseMap<Operation *, std::string> slotNames;
  llvm::StringSet<> usedNames;

  /// The entry block of @dc_init (created on first use), before its return.
  OpBuilder initBuilder() {
    if (!init) {
      OpBuilder b(module.getBodyRegion());
      b.setInsertionPointToEnd(module.getBody());
      Location loc = module.getLoc();
      init = func::FuncOp::create(b, loc, DCDialect::kInitFunctionName,
                                  b.getFunctionType({}, {b.getI32Type()}));
      Block *entry = init.addEntryBlock();
      b.setInsertionPointToStart(entry);
      status = arith::ConstantIntOp::create(b, loc, 0, 32);
      ret = func::ReturnOp::create(b, loc, status);
    }
    return OpBuilder(ret);
  }

  /// A stream or table as memref<?xi8> (an empty one when absent).
  Value byteBuffer(OpBuilder &b, Location loc, Attribute stream) {
    ElementsAttr data;
    if (auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(stream))
      data = resource;
    else if (auto table = dyn_cast_or_null<DenseI8ArrayAttr>(stream))
      data = DenseElementsAttr::get(
          RankedTensorType::get({table.size()}, b.getI8Type()),
          table.asArrayRef());
    else
      data = DenseElementsAttr::get(RankedTensorType::get({0}, b.getI8Type()),
                                    ArrayRef<int8_t>());
    auto type = cast<RankedTensorType>(data.getType());
    Value tensor = arith::ConstantOp::create(b, loc, cast<TypedAttr>(data));
    Value buffer = bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(type.getShape(), b.getI8Type()), tensor,
        /*read_only=*/true);
    return memref::CastOp::create(
        b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI8Type()), buffer);
  }

  /// Calls the run-time routine `name` (declared on first use).
  Value call(OpBuilder &b, Location loc, StringRef name, ArrayRef<Value> args) {
    auto callee = module.lookupSymbol<func::FuncOp>(name);
    if (!callee) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(module.getBody());
      callee = func::FuncOp::create(
          b, loc, name,
          b.getFunctionType(ValueRange(args).getTypes(), {b.getI32Type()}));
      callee.setPrivate();
      callee->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    }
    return func::CallOp::create(b, loc, callee, args).getResult(0);
  }

  /// Emits, in @dc_init, the call that decodes `constant` into the slots
  /// `slots` (named and sized as runtimeArrayTypes says), with the
  /// decoder's parameters taken from `layout` (include/dc/Runtime/Decode.h:
  /// the layer header, the five streams, then the form's own).
  void decode(ConstantOp constant, RuntimeLayoutAttr layout,
              ArrayRef<std::pair<std::string, int64_t>> slots) {
    OpBuilder b = initBuilder();
    Location loc = constant.getLoc();
    CompressedTensorType type = constant.getType();
    EncodingAttr enc = type.getEncoding();
    codec::MatrixShape matrix =
        *codec::matrixShapeOf(type.getShape().data(), type.getRank());
    auto i64 = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(b, loc, v, 64);
    };
    SmallVector<Value> args;
    for (int64_t v :
         {int64_t(enc.getLayout()), int64_t(enc.getWeightBits()),
          int64_t(enc.getIndexBits()), int64_t(enc.getEntropy()),
          int64_t(matrix.rows), int64_t(matrix.cols),
          int64_t(constant.getCodebook().size()),
          int64_t(constant.getNumWeights()), int64_t(constant.getNumGaps())})
      args.push_back(i64(v));
    for (Attribute stream :
         {Attribute(constant.getWeightsAttr()), Attribute(constant.getGapsAttr()),
          Attribute(constant.getRowPtrAttr()),
          Attribute(constant.getWeightCodeLengthsAttr()),
          Attribute(constant.getGapCodeLengthsAttr())})
      args.push_back(byteBuffer(b, loc, stream));
    auto dynamic = [&](Value v, Type element) {
      return memref::CastOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, element), v);
    };
    SmallVector<Value> outs;
    for (auto [name, bytes] : slots)
      outs.push_back(slot(b, loc, name, bytes));
    StringRef routine;
    switch (layout.getForm()) {
    case RuntimeForm::CSR:
      routine = layout.getLineLength() ? "dcrt_decode_csr_lines"
                                       : "dcrt_decode_csr";
      args.push_back(i64(layout.getCoordinateBytes()));
      args.push_back(i64(layout.getIndexBytes()));
      if (layout.getLineLength())
        args.push_back(i64(layout.getLineLength()));
      for (Value out : outs)
        args.push_back(dynamic(out, b.getI8Type()));
      break;
    case RuntimeForm::Grid:
      routine = "dcrt_decode_indices";
      args.push_back(i64(layout.getIndexBytes()));
      args.push_back(i64(layout.getTransposed()));
      args.push_back(dynamic(outs[0], b.getI8Type()));
      break;
    case RuntimeForm::Dense: {
      routine = "dcrt_decode_dense";
      Value values = view(b, loc, outs[0],
                          MemRefType::get({slots[0].second / 4}, b.getF32Type()));
      auto cbType = RankedTensorType::get(
          {int64_t(constant.getCodebook().size())}, b.getF32Type());
      Value cb = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(cbType, constant.getCodebook()));
      Value cbm = bufferization::ToBufferOp::create(
          b, loc, MemRefType::get(cbType.getShape(), b.getF32Type()), cb,
          /*read_only=*/true);
      args.push_back(dynamic(cbm, b.getF32Type()));
      args.push_back(dynamic(values, b.getF32Type()));
      break;
    }
    }
    Value rc = call(b, loc, routine, args);
    // The first non-zero code is the result (codes are distinct values,
    // not bits: see include/dc/Runtime/Decode.h).
    Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
    Value clean =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, status, zero);
    status = arith::SelectOp::create(b, loc, clean, rc, status);
  }
};

RuntimeArrayBuilder::RuntimeArrayBuilder(ModuleOp module, DecodeAt decodeAt)
    : impl(std::make_unique<Impl>()) {
  impl->module = module;
  impl->decodeAt = decodeAt;
}

RuntimeArrayBuilder::~RuntimeArrayBuilder() = default;

StringRef RuntimeArrayBuilder::slotName(ConstantOp constant) {
  auto [it, inserted] = impl->slotNames.try_emplace(constant, "");
  if (inserted) {
    std::string base = constant.getLayer().value_or("layer").str();
    std::string name = base;
    for (unsigned i = 1; !impl->usedNames.insert(name).second; ++i)
      name = base + "_" + std::to_string(i);
    it->second = name;
  }
  return it->second;
}

void RuntimeArrayBuilder::finish() {
  if (impl->ret)
    impl->ret->setOperand(0, impl->status);
}

FailureOr<RuntimeArrays> RuntimeArrayBuilder::build(OpBuilder &b,
                                                    ConstantOp constant,
                                                    RuntimeLayoutAttr layout) {
  Location loc = constant.getLoc();
  CompressedTensorType type = constant.getType();
  std::string name = slotName(constant).str();
  SmallVector<RuntimeArrayType> arrays = runtimeArrayTypes(layout, constant);
  RuntimeArrays result;
  if (impl->decodeAt == DecodeAt::Init) {
    // Decoded at run time: make sure now that it will decode.
    FailureOr<codec::LayerView> layer = constant.getLayerView();
    if (mlir::failed(layer))
      return failure();
    ::dc::Status status = codec::verifyLayer(*layer);
    if (!status.ok())
      return constant.emitOpError()
             << "payload does not decode: " << status.message();
    SmallVector<std::pair<std::string, int64_t>> slots;
    for (const RuntimeArrayType &array : arrays) {
      slots.push_back({name + array.suffix, array.bytes()});
      Value s = slot(b, loc, slots.back().first, slots.back().second);
      Type element = elementType(b, array);
      Value buffer = view(b, loc, s, MemRefType::get(array.shape, element));
      result.buffers.push_back(buffer);
      result.tensors.push_back(bufferization::ToTensorOp::create(
          b, loc, RankedTensorType::get(array.shape, element), buffer,
          /*restrict=*/true, /*writable=*/false));
    }
    impl->decode(constant, layout, slots);
    return result;
  }
  result.buffers.resize(arrays.size());
  switch (layout.getForm()) {
  case RuntimeForm::CSR: {
    FailureOr<codec::RuntimeLines> csr =
        decodeRuntimeCSR(constant, uint64_t(layout.getLineLength()));
    if (mlir::failed(csr))
      return failure();
    if (int64_t(csr->positions.size()) != arrays[0].shape[0])
      return constant.emitOpError()
             << "decodes to " << csr->positions.size() - 1
             << " run-time lines, not the layout's " << layout.getLines();
    ArrayRef<int32_t> data[] = {csr->positions, csr->coordinates, csr->indices};
    for (auto [array, values] : llvm::zip(arrays, data))
      result.tensors.push_back(
          makeIntArray(b, loc, values, array.bits, name + array.suffix));
    return result;
  }
  case RuntimeForm::Grid: {
    FailureOr<codec::LayerView> layer = constant.getLayerView();
    if (mlir::failed(layer))
      return failure();
    std::vector<int32_t> decoded;
    ::dc::Status status = codec::decodeIndices(*layer, decoded);
    if (!status.ok())
      return constant.emitOpError()
             << "payload does not decode: " << status.message();
    int32_t pruned = int32_t(constant.getCodebook().size());
    for (int32_t &i : decoded)
      if (i < 0)
        i = pruned;
    if (layout.getTransposed()) {
      int64_t rows = type.getShape()[0], cols = type.getShape()[1];
      std::vector<int32_t> t(decoded.size());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          t[c * rows + r] = decoded[r * cols + c];
      decoded.swap(t);
    }
    const RuntimeArrayType &array = arrays[0];
    Value flat = makeIntArray(b, loc, decoded, array.bits, name + array.suffix);
    if (array.shape.size() != 1) {
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < int64_t(array.shape.size()); ++d)
        all[0].push_back(d);
      flat = tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(array.shape, b.getIntegerType(array.bits)),
          flat, all);
    }
    result.tensors.push_back(flat);
    return result;
  }
  case RuntimeForm::Dense: {
    FailureOr<ElementsAttr> value =
        constant.decodeToElements(/*asResource=*/true);
    if (mlir::failed(value))
      return failure();
    result.tensors.push_back(
        arith::ConstantOp::create(b, loc, cast<TypedAttr>(*value)));
    return result;
  }
  }
  llvm_unreachable("unknown run-time form");
}

void RuntimeArrays::materializeBuffers(OpBuilder &b, Location loc) {
  for (auto [tensor, buffer] : llvm::zip(tensors, buffers))
    if (!buffer) {
      auto t = cast<RankedTensorType>(tensor.getType());
      buffer = bufferization::ToBufferOp::create(
          b, loc, MemRefType::get(t.getShape(), t.getElementType()), tensor,
          /*read_only=*/true);
    }
}

void RuntimeArrays::eraseUnusedTensors(RewriterBase &rewriter) {
  for (Value v : tensors)
    if (v.use_empty() && v.getDefiningOp() &&
        !isa<arith::ConstantOp>(v.getDefiningOp()))
      rewriter.eraseOp(v.getDefiningOp());
}
