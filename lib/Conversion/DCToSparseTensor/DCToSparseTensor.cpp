//===- DCToSparseTensor.cpp - dc weights as sparse_tensor values ----------===//
//
// convert-dc-to-sparse-tensor: a CSR/CSC compressed weight consumed by
// linalg contractions becomes a sparse tensor of codebook indices assembled
// from run-time arrays, and each contraction a linalg.generic that looks the
// codebook up in a sparse_tensor.unary present region (so the sparsifier
// fuses the lookup into its loop over the stored entries). Everything else
// is decoded to a dense constant.
//
//===----------------------------------------------------------------------===//

#include "FcKernel.h"
#include "dc/Conversion/Passes.h"
#include "dc/Dialect/DC/Transforms/WeightViews.h"
#include "dc/Dialect/DC/IR/DCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

#include <vector>

namespace mlir::dc {
#define GEN_PASS_DEF_CONVERTDCTOSPARSETENSOR
#include "dc/Conversion/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;
namespace codec = ::dc::codec;

namespace {

/// The run-time form of a CSR/CSC weight: positions over the major
/// dimension, coordinates in the minor one, one codebook index per entry.
struct RuntimeCSR {
  std::vector<int32_t> positions;
  std::vector<int32_t> coordinates;
  std::vector<int32_t> indices;
};

/// Why the reads of a dense-layout weight cannot take its codebook indices
/// as they are (any linalg input reached through views with index maps),
/// or "".
static std::string readBlocker(Value weight,
                               SmallVectorImpl<ViewedRead> &reads) {
  Operation *blocker = nullptr;
  if (failed(collectViewedReads(weight, reads, &blocker)))
    return blocker ? "it is used by " + blocker->getName().getStringRef().str() +
                         ", not only by linalg inputs"
                   : "it is not used";
  for (ViewedRead &read : reads)
    if (!read.indexMap)
      for (const View &v : read.views)
        if (!v.indexMap)
          return "it is read through " + v.op->getName().getStringRef().str() +
                 " (a reshape)";
  return "";
}

/// Why the reads of a sparse weight cannot use the sparse path, or "": on
/// top of readBlocker's rules, contractions and convolutions only, reading
/// the weight through projected permutations.
static std::string sparsePathBlocker(Value weight,
                                     SmallVectorImpl<ViewedRead> &reads) {
  if (std::string why = readBlocker(weight, reads); !why.empty())
    return why;
  for (ViewedRead &read : reads) {
    if (!linalg::isaContractionOpInterface(read.op) &&
        !linalg::isaConvolutionOpInterface(read.op))
      return "it is read by " + read.op->getName().getStringRef().str() +
             ", not a contraction or convolution";
    linalg::LinalgOp op = read.op;
    AffineMap map =
        read.indexMap.compose(op.getIndexingMapsArray()[read.operand]);
    if (!map.isProjectedPermutation())
      return "its indexing map in " +
             read.op->getName().getStringRef().str() +
             " is not a projected permutation";
  }
  return "";
}

/// Whether every read is a fully connected layer reading the weight as
/// W[out, in] (matchFc).
static bool allFc(ArrayRef<ViewedRead> reads) {
  return !reads.empty() && llvm::all_of(reads, [](const ViewedRead &read) {
    linalg::LinalgOp reader = read.op;
    AffineMap map =
        read.indexMap.compose(reader.getIndexingMapsArray()[read.operand]);
    return matchFc(reader, read.operand, map).has_value();
  });
}

/// The cost model that picks a fully connected layer's run-time form and
/// kernel (fc-kernel=auto): predicted time = max(compute, memory traffic)
/// for the row kernel (Rows, or Gather where allowed) on the run-time CSR
/// (3 bytes a kept weight + 4 a row) and for the dense-quantized grid
/// (Indices, 1 byte a weight). The constants are measured with
/// bench/sparse-layer.sh on the development machine (AMD Zen 4,
/// docs/Performance.md): ns per kept weight (or, for the grid, per weight)
/// and input; the scalar row loop is slower once x leaves L1 (32 KB); the
/// bandwidth is the measured DRAM read bandwidth. A run-time form that fits
/// in L2 is not charged for memory.
static FcKernel chooseFcForm(int64_t rows, int64_t cols, int64_t kept,
                             int64_t batch, bool gatherAllowed) {
  // The gather kernel pays once x is more than a few KB (LeNet's ip1, x =
  // 3 KB: 12.5 us against the scalar loop's 10; AlexNet's fc7, 16 KB: 607
  // against 690 us).
  constexpr double kRowsL1Ns = 0.46, kRowsNs = 0.7, kGatherNs = 0.44;
  constexpr double kRowsBatchNs = 0.085; // batch > 1, per entry and input
  constexpr double kGridNs = 0.045;      // per weight and input
  constexpr double kBytesPerNs = 18.0;   // GB/s
  constexpr double kL2 = 1 << 20, kL1 = 32 << 10;
  double rowsNs = 4.0 * cols <= kL1 ? kRowsL1Ns : kRowsNs;
  bool gather = batch == 1 && gatherAllowed && 4.0 * cols > 8 * 1024;
  double sparseBytes = 3.0 * kept + 4.0 * rows;
  double gridBytes = double(rows) * cols;
  double sparse = batch == 1 ? kept * (gather ? kGatherNs : rowsNs)
                             : kept * kRowsBatchNs * batch;
  double dense = double(rows) * cols * kGridNs * batch;
  if (sparseBytes > kL2)
    sparse = std::max(sparse, sparseBytes / kBytesPerNs);
  if (gridBytes > kL2)
    dense = std::max(dense, gridBytes / kBytesPerNs);
  if (dense < sparse)
    return FcKernel::Indices;
  return gather ? FcKernel::Gather : FcKernel::Rows;
}

/// Whether every read is a stride-1 NCHW convolution reading the weight as
/// W[f, c, kh, kw] (matchConv).
static bool allConv(ArrayRef<ViewedRead> reads) {
  return !reads.empty() && llvm::all_of(reads, [](const ViewedRead &read) {
    linalg::LinalgOp reader = read.op;
    AffineMap map =
        read.indexMap.compose(reader.getIndexingMapsArray()[read.operand]);
    return matchConv(reader, read.operand, map).has_value();
  });
}

/// The batch of a fully connected read (1 without a batch loop).
static int64_t fcBatch(const ViewedRead &read) {
  linalg::LinalgOp reader = read.op;
  AffineMap map =
      read.indexMap.compose(reader.getIndexingMapsArray()[read.operand]);
  std::optional<FcShape> shape = matchFc(reader, read.operand, map);
  return shape ? shape->batch : 1;
}

/// Decodes the payload into the run-time CSR (row-major lines for csr,
/// column-major for csc), each stored line split into lines of `sub`
/// positions (0: the stored lines), as dcrt_decode_csr_lines does.
static FailureOr<RuntimeCSR> decodeRuntimeCSR(ConstantOp op, uint64_t sub) {
  FailureOr<codec::LayerView> view = op.getLayerView();
  if (failed(view))
    return failure();
  std::vector<int32_t> dense;
  codec::Status status = codec::decodeIndices(*view, dense);
  if (!status.ok())
    return op.emitOpError() << "payload does not decode: " << status.message();
  bool csc = view->params.layout == codec::Layout::CSC;
  uint64_t rows = view->rows, cols = view->cols;
  uint64_t major = csc ? cols : rows, minor = csc ? rows : cols;
  RuntimeCSR csr;
  csr.positions.reserve(major + 1);
  csr.positions.push_back(0);
  csr.coordinates.reserve(view->numWeights);
  csr.indices.reserve(view->numWeights);
  if (sub == 0)
    sub = minor;
  for (uint64_t i = 0; i < major; ++i) {
    for (uint64_t j = 0; j < minor; ++j) {
      int32_t idx = dense[csc ? j * cols + i : i * cols + j];
      if (idx >= 0) {
        csr.coordinates.push_back(int32_t(j % sub));
        csr.indices.push_back(idx);
      }
      if ((j + 1) % sub == 0)
        csr.positions.push_back(int32_t(csr.coordinates.size()));
    }
    if (minor == 0)
      csr.positions.push_back(int32_t(csr.coordinates.size()));
  }
  return csr;
}

/// A 1-D constant of integers of `width` bits, as a dense_resource blob.
static Value makeIntArray(OpBuilder &b, Location loc, ArrayRef<int32_t> data,
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

/// The run-time decoding of payloads in @dc_init (decode-at=init).
class InitBuilder {
public:
  explicit InitBuilder(ModuleOp module) : module(module) {}

  /// A named workspace slot of `bytes` bytes, allocated at `b`'s position;
  /// dc-workspace places equal names at equal offsets.
  static Value slot(OpBuilder &b, Location loc, StringRef name, int64_t bytes) {
    auto alloc =
        memref::AllocOp::create(b, loc, MemRefType::get({bytes}, b.getI8Type()),
                                ValueRange{}, b.getI64IntegerAttr(64));
    alloc->setAttr(DCDialect::kSlotAttrName, b.getStringAttr(name));
    return alloc;
  }

  /// `type` viewed over a slot.
  static Value view(OpBuilder &b, Location loc, Value slot, MemRefType type) {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    return memref::ViewOp::create(b, loc, type, slot, zero, ValueRange{});
  }

  /// Emits, in @dc_init, the call that decodes `constant` into the given
  /// slots: the run-time CSR (positions, coordinates, indices) or, with
  /// `denseSlot`, the dense weights.
  void decode(ConstantOp constant,
              ArrayRef<std::pair<std::string, int64_t>> csr, unsigned crdBytes,
              unsigned idxBytes,
              std::optional<std::pair<std::string, int64_t>> denseSlot,
              int64_t lineLength = 0,
              std::optional<std::pair<std::string, int64_t>> indicesSlot =
                  std::nullopt,
              bool transposedIndices = false) {
    OpBuilder b = builder();
    Location loc = constant.getLoc();
    CompressedTensorType type = constant.getType();
    EncodingAttr enc = type.getEncoding();
    codec::MatrixShape matrix =
        *codec::matrixShapeOf(type.getShape().data(), type.getRank());
    SmallVector<Value> args;
    for (int64_t v :
         {int64_t(enc.getLayout()), int64_t(enc.getWeightBits()),
          int64_t(enc.getIndexBits()), int64_t(enc.getEntropy()),
          int64_t(matrix.rows), int64_t(matrix.cols),
          int64_t(constant.getCodebook().size()),
          int64_t(constant.getNumWeights()), int64_t(constant.getNumGaps())})
      args.push_back(arith::ConstantIntOp::create(b, loc, v, 64));
    auto bytes = [&](Attribute stream) { return byteBuffer(b, loc, stream); };
    args.push_back(bytes(constant.getWeightsAttr()));
    args.push_back(bytes(constant.getGapsAttr()));
    args.push_back(bytes(constant.getRowPtrAttr()));
    args.push_back(bytes(constant.getWeightCodeLengthsAttr()));
    args.push_back(bytes(constant.getGapCodeLengthsAttr()));
    auto dynamic = [&](Value v, Type element) {
      return memref::CastOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, element), v);
    };
    Value rc;
    if (indicesSlot) {
      args.push_back(arith::ConstantIntOp::create(b, loc, idxBytes, 64));
      args.push_back(
          arith::ConstantIntOp::create(b, loc, transposedIndices ? 1 : 0, 64));
      args.push_back(dynamic(
          slot(b, loc, indicesSlot->first, indicesSlot->second), b.getI8Type()));
      rc = call(b, loc, "dcrt_decode_indices", args);
    } else if (denseSlot) {
      int64_t n = denseSlot->second / 4;
      Value out =
          view(b, loc, slot(b, loc, denseSlot->first, denseSlot->second),
               MemRefType::get({n}, b.getF32Type()));
      auto cbType = RankedTensorType::get(
          {int64_t(constant.getCodebook().size())}, b.getF32Type());
      Value cb = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(cbType, constant.getCodebook()));
      Value cbm = bufferization::ToBufferOp::create(
          b, loc, MemRefType::get(cbType.getShape(), b.getF32Type()), cb,
          /*read_only=*/true);
      args.push_back(dynamic(cbm, b.getF32Type()));
      args.push_back(dynamic(out, b.getF32Type()));
      rc = call(b, loc, "dcrt_decode_dense", args);
    } else {
      args.push_back(arith::ConstantIntOp::create(b, loc, crdBytes, 64));
      args.push_back(arith::ConstantIntOp::create(b, loc, idxBytes, 64));
      if (lineLength)
        args.push_back(arith::ConstantIntOp::create(b, loc, lineLength, 64));
      for (auto [name, size] : csr)
        args.push_back(dynamic(slot(b, loc, name, size), b.getI8Type()));
      rc = call(b, loc, lineLength ? "dcrt_decode_csr_lines" : "dcrt_decode_csr",
                args);
    }
    // The first non-zero code is the result (codes are distinct values,
    // not bits: see include/dc/Runtime/Decode.h).
    Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
    Value clean =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, status, zero);
    status = arith::SelectOp::create(b, loc, clean, rc, status);
  }

private:
  /// The entry block of @dc_init (created on first use), before its return.
  OpBuilder builder() {
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
    OpBuilder b(ret);
    return b;
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

  ModuleOp module;
  func::FuncOp init;
  func::ReturnOp ret;
  Value status;

public:
  /// Finishes @dc_init: its return yields the combined status.
  void finish() {
    if (ret)
      ret->setOperand(0, status);
  }
};

struct ConvertDCToSparseTensorPass
    : public mlir::dc::impl::ConvertDCToSparseTensorBase<
          ConvertDCToSparseTensorPass> {
  using Base::Base;

  std::optional<InitBuilder> initBuilder;
  /// The cost model's choice for the weight being converted.
  FcKernel autoKernel = FcKernel::Rows;
  /// Each dc.constant's slot and blob name: its layer name (or "layer"),
  /// made unique, so two weights never share a workspace slot.
  llvm::DenseMap<Operation *, std::string> slotNames;
  llvm::StringSet<> usedNames;

  StringRef slotName(ConstantOp constant) {
    auto [it, inserted] = slotNames.try_emplace(constant, "");
    if (inserted) {
      std::string base = constant.getLayer().value_or("layer").str();
      std::string name = base;
      for (unsigned i = 1; !usedNames.insert(name).second; ++i)
        name = base + "_" + std::to_string(i);
      it->second = name;
    }
    return it->second;
  }

  void runOnOperation() override {
    if (convKernel == ConvKernel::Auto)
      convKernel = ConvKernel::Rows;
    if (decodeAt == DecodeAt::Init)
      initBuilder.emplace(getOperation());
    SmallVector<DecompressOp> worklist;
    getOperation().walk([&](DecompressOp op) { worklist.push_back(op); });
    for (DecompressOp op : worklist)
      if (failed(convert(op)))
        return signalPassFailure();
    if (initBuilder)
      initBuilder->finish();
    getOperation().walk([](ConstantOp op) {
      if (op->use_empty())
        op.erase();
    });
  }

  LogicalResult convert(DecompressOp op) {
    autoKernel = FcKernel::Rows;
    auto constant = op.getInput().getDefiningOp<ConstantOp>();
    if (!constant)
      return op.emitOpError()
             << "can only be lowered when its operand is a dc.constant";
    CompressedTensorType type = constant.getType();
    if (initBuilder) {
      // Decoded at run time: make sure now that it will decode.
      FailureOr<codec::LayerView> view = constant.getLayerView();
      if (failed(view))
        return failure();
      codec::Status status = codec::verifyLayer(*view);
      if (!status.ok())
        return constant.emitOpError()
               << "payload does not decode: " << status.message();
    }
    SmallVector<ViewedRead> reads;
    bool sparse = type.getEncoding().isSparse();
    // A pruned convolution filter as the dense-quantized grid (the pruned
    // positions a zero codebook entry): the dense vector loops compute it,
    // looking each broadcast filter weight up once.
    // (conv-kernel=rows takes the grid for what its kernel does not cover:
    // strides, dilations, NHWC, groups.)
    if (sparse && type.getRank() > 2 && convKernel != ConvKernel::Sparsifier &&
        constant.getCodebook().size() < 65536 &&
        readBlocker(op.getResult(), reads).empty() &&
        (convKernel != ConvKernel::Rows || type.getRank() != 4 ||
         type.getEncoding().getLayout() != Layout::CSR || !allConv(reads)))
      return convertToIndices(op, constant, reads,
                              convKernel == ConvKernel::Decode);
    reads.clear();
    // A 2-D sparse weight of fully connected layers: the dense-quantized
    // grid where the cost model says so.
    if (sparse && type.getRank() == 2 &&
        (fcKernel == FcKernel::Indices || fcKernel == FcKernel::Auto) &&
        constant.getCodebook().size() < 65536 &&
        readBlocker(op.getResult(), reads).empty() && allFc(reads)) {
      int64_t batch = 1;
      for (const ViewedRead &read : reads)
        batch = std::max(batch, fcBatch(read));
      autoKernel = fcKernel == FcKernel::Indices
                       ? FcKernel::Indices
                       : chooseFcForm(type.getShape()[0], type.getShape()[1],
                                      constant.getNumWeights(), batch,
                                      kernelVectorBits >= 512);
      if (autoKernel == FcKernel::Indices)
        return convertToIndices(op, constant, reads);
    }
    reads.clear();
    // The dense layout keeps its codebook indices, looked up where read;
    // sparse layouts become sparse tensors.
    std::string why =
        !sparse ? readBlocker(op.getResult(), reads)
        : type.getRank() < 2 ? "it has rank 1"
        : type.getRank() > 2 && type.getEncoding().getLayout() == Layout::CSC
            ? "it has rank " + std::to_string(type.getRank()) +
                  " and the csc layout (past 2-D the sparse path takes csr)"
            : sparsePathBlocker(op.getResult(), reads);
    if (why.empty())
      return sparse ? convertToSparse(op, constant, reads)
                    : convertToIndices(op, constant, reads);
    // Decoded once into a dense buffer (uses neither run-time form
    // covers): said where it happens.
    op.emitWarning() << "weight '" << slotName(constant)
                     << "' is decoded to dense f32 ("
                     << 4 * type.getNumElements()
                     << " bytes) instead of computed on compressed: " << why;
    return convertToDense(op, constant);
  }

  /// The weight decoded once into a dense f32 buffer (at init, or a
  /// constant at compile time), read as the dense weight was.
  LogicalResult convertToDense(DecompressOp op, ConstantOp constant) {
    CompressedTensorType type = constant.getType();
    if (initBuilder) {
      std::string name = slotName(constant).str();
      int64_t bytes = 4 * type.getNumElements();
      OpBuilder b(op);
      Location loc = op.getLoc();
      Value slot = InitBuilder::slot(b, loc, name + "_dense", bytes);
      auto memrefType = MemRefType::get(type.getShape(), b.getF32Type());
      Value buffer = InitBuilder::view(b, loc, slot, memrefType);
      Value dense = bufferization::ToTensorOp::create(
          b, loc, type.getDenseType(), buffer, /*restrict=*/true,
          /*writable=*/false);
      initBuilder->decode(
          constant, {}, 0, 0,
          std::pair<std::string, int64_t>{name + "_dense", bytes});
      op.getResult().replaceAllUsesWith(dense);
      op.erase();
      return success();
    }
    FailureOr<ElementsAttr> value =
        constant.decodeToElements(/*asResource=*/true);
    if (failed(value))
      return failure();
    OpBuilder b(op);
    Value dense =
        arith::ConstantOp::create(b, op.getLoc(), cast<TypedAttr>(*value));
    op.getResult().replaceAllUsesWith(dense);
    op.erase();
    return success();
  }

  /// The dense layout's run-time form: one codebook index per weight (i8,
  /// or i16 past 256 entries), which every reader looks up where it read
  /// the weight (dense-quantized; no f32 copy).
  LogicalResult convertToIndices(DecompressOp op, ConstantOp constant,
                                 ArrayRef<ViewedRead> reads,
                                 bool decodePerCall = false) {
    CompressedTensorType type = constant.getType();
    // A sparse layout's pruned positions read index k, a 0.0 entry.
    bool grid = type.getEncoding().isSparse();
    size_t k = constant.getCodebook().size() + (grid ? 1 : 0);
    unsigned idxWidth = k <= 256 ? 8 : 16;
    auto idxType = IntegerType::get(op.getContext(), idxWidth);
    // A fully connected layer's indices are stored transposed, [in, out]:
    // the order the vector loops read them in (dc-vectorize vectorises
    // along the output).
    bool transposed = type.getRank() == 2 && allFc(reads);
    SmallVector<int64_t> shape(type.getShape());
    if (transposed)
      std::swap(shape[0], shape[1]);
    auto tensorType = RankedTensorType::get(shape, idxType);
    std::string name = slotName(constant).str();
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value indices;
    if (initBuilder) {
      int64_t bytes = idxWidth / 8 * type.getNumElements();
      Value slot = InitBuilder::slot(b, loc, name + "_rt_idx", bytes);
      Value buffer =
          InitBuilder::view(b, loc, slot, MemRefType::get(shape, idxType));
      indices = bufferization::ToTensorOp::create(
          b, loc, tensorType, buffer, /*restrict=*/true, /*writable=*/false);
      initBuilder->decode(constant, {}, 0, idxWidth / 8, std::nullopt, 0,
                          std::pair<std::string, int64_t>{name + "_rt_idx",
                                                          bytes},
                          transposed);
    } else {
      FailureOr<codec::LayerView> view = constant.getLayerView();
      if (failed(view))
        return failure();
      std::vector<int32_t> decoded;
      codec::Status status = codec::decodeIndices(*view, decoded);
      if (!status.ok())
        return constant.emitOpError()
               << "payload does not decode: " << status.message();
      for (int32_t &i : decoded)
        if (i < 0)
          i = int32_t(k - 1);
      if (transposed) {
        int64_t rows = type.getShape()[0], cols = type.getShape()[1];
        std::vector<int32_t> t(decoded.size());
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < cols; ++c)
            t[c * rows + r] = decoded[r * cols + c];
        decoded.swap(t);
      }
      Value flat = makeIntArray(b, loc, decoded, idxWidth, name + "_rt_idx");
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        all[0].push_back(d);
      indices = type.getRank() == 1
                    ? flat
                    : tensor::ExpandShapeOp::create(b, loc, tensorType, flat,
                                                    all)
                          .getResult();
    }
    if (decodePerCall && !transposed) {
      // The grid looked up once per call into an f32 tensor (one flat
      // elementwise generic, which dc-vectorize runs 16 weights at a time
      // with the codebook in registers), read as the dense weight was.
      int64_t n = type.getNumElements();
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        all[0].push_back(d);
      auto flatIdx = RankedTensorType::get({n}, idxType);
      Value flat =
          tensor::CollapseShapeOp::create(b, loc, flatIdx, indices, all);
      Value codebook = codebookBuffer(b, loc, constant, grid);
      Value empty = tensor::EmptyOp::create(b, loc, {n}, b.getF32Type());
      AffineMap id = b.getMultiDimIdentityMap(1);
      auto lookup = linalg::GenericOp::create(
          b, loc, TypeRange{empty.getType()}, ValueRange{flat},
          ValueRange{empty}, SmallVector<AffineMap>{id, id},
          SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value i =
                arith::IndexCastUIOp::create(nb, l, nb.getIndexType(), args[0]);
            Value w = memref::LoadOp::create(nb, l, codebook, ValueRange{i});
            linalg::YieldOp::create(nb, l, w);
          });
      Value dense = tensor::ExpandShapeOp::create(b, loc, type.getDenseType(),
                                                  lookup.getResult(0), all);
      op.getResult().replaceAllUsesWith(dense);
      op.erase();
      return success();
    }
    rewriteReads(op, constant, reads, indices, idxType, /*sparse=*/false,
                 /*zeroEntry=*/grid, transposed);
    return success();
  }

  /// Every read of `op`'s result rewritten to `weight` (the run-time form)
  /// with the codebook lookup; then the views nothing reads any more, and
  /// `op`, go.
  void rewriteReads(DecompressOp op, ConstantOp constant,
                    ArrayRef<ViewedRead> reads, Value weight, Type idxType,
                    bool sparse, bool zeroEntry = false,
                    bool transposed = false) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value codebook = codebookBuffer(b, loc, constant, zeroEntry);
    llvm::SetVector<Operation *> views;
    for (const ViewedRead &read : reads) {
      rewriteContraction(read, weight, codebook, idxType, sparse, transposed);
      for (const View &v : llvm::reverse(read.views))
        views.insert(v.op);
    }
    // The views, nearest the readers first, once nothing reads them.
    for (Operation *view : views)
      if (view->use_empty())
        view->erase();
    op.erase();
  }

  LogicalResult convertToSparse(DecompressOp op, ConstantOp constant,
                                ArrayRef<ViewedRead> reads) {
    CompressedTensorType type = constant.getType();
    bool csc = type.getEncoding().getLayout() == Layout::CSC;
    MLIRContext *ctx = op.getContext();
    ArrayRef<int64_t> shape = type.getShape();
    int64_t rank = type.getRank();
    // The levels: dense up to the compressed one, the last dimension of size
    // > 1 (at least dimension 1), then dense (size 1). Past 2-D each stored
    // row [d1 ... dn] becomes d1 ... d(c-1) run-time lines of
    // sub = dc ... dn positions: a conv weight [F, C, KH, KW] is
    // (F, C, KH dense; KW compressed) with sub = KW.
    int64_t level = rank - 1;
    while (level > 1 && shape[level] == 1)
      --level;
    int64_t sub = 1;
    for (int64_t d = level; d < rank; ++d)
      sub *= shape[d];
    int64_t lines = 1;
    for (int64_t d = 0; d < level; ++d)
      lines *= shape[d];
    if (csc)
      lines = shape[1];
    int64_t storedLength = csc ? shape[0] : type.getNumElements() / shape[0];
    uint64_t split = rank > 2 && sub != storedLength ? uint64_t(sub) : 0;
    // dc's pruned-convolution kernel reads the stored matrix [F, C KH KW]
    // as it is: one line per output channel.
    bool convRows = convKernel == ConvKernel::Rows && rank == 4 && !csc &&
                    allConv(reads);
    if (convRows) {
      lines = shape[0];
      split = 0;
    }
    FailureOr<RuntimeCSR> csr = RuntimeCSR();
    if (!initBuilder)
      csr = decodeRuntimeCSR(constant, split);
    if (failed(csr))
      return failure();
    int64_t minor = csc ? shape[0] : convRows ? storedLength : shape[level];
    unsigned crdWidth = minor <= (1 << 16) ? 16 : 32;
    size_t k = constant.getCodebook().size();
    unsigned idxWidth = k <= 256 ? 8 : 16;

    // #CSR or #CSC (D...D C D...D past 2-D) with narrow positions and
    // coordinates.
    auto dense = sparse_tensor::LevelFormat::Dense;
    auto compressed = sparse_tensor::LevelFormat::Compressed;
    SmallVector<sparse_tensor::LevelType> levels;
    for (int64_t d = 0; d < rank; ++d)
      levels.push_back(sparse_tensor::LevelType(d == level ? compressed : dense));
    AffineMap dimToLvl =
        csc ? AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0}, ctx)
            : AffineMap::getMultiDimIdentityMap(rank, ctx);
    auto encoding = sparse_tensor::SparseTensorEncodingAttr::get(
        ctx, levels, dimToLvl, AffineMap(), /*posWidth=*/32, crdWidth);
    auto idxType = IntegerType::get(ctx, idxWidth);
    auto sparseType = RankedTensorType::get(type.getShape(), idxType, encoding);

    std::string name = slotName(constant).str();
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value positions, coordinates, indices;
    Value buffers[3];
    if (initBuilder) {
      // Buffers that @dc_init fills at run time.
      int64_t positionCount = lines + 1;
      int64_t nnz = constant.getNumWeights();
      std::pair<std::string, int64_t> slots[] = {
          {name + "_rt_pos", 4 * positionCount},
          {name + "_rt_crd", crdWidth / 8 * nnz},
          {name + "_rt_idx", idxWidth / 8 * nnz}};
      int64_t counts[] = {positionCount, nnz, nnz};
      unsigned widths[] = {32, crdWidth, idxWidth};
      Value tensors[3];
      for (int i = 0; i < 3; ++i) {
        Value slot = InitBuilder::slot(b, loc, slots[i].first, slots[i].second);
        auto memrefType =
            MemRefType::get({counts[i]}, b.getIntegerType(widths[i]));
        Value buffer = InitBuilder::view(b, loc, slot, memrefType);
        buffers[i] = buffer;
        tensors[i] = bufferization::ToTensorOp::create(
            b, loc,
            RankedTensorType::get({counts[i]}, b.getIntegerType(widths[i])),
            buffer, /*restrict=*/true, /*writable=*/false);
      }
      positions = tensors[0];
      coordinates = tensors[1];
      indices = tensors[2];
      initBuilder->decode(constant, slots, crdWidth / 8, idxWidth / 8,
                          std::nullopt, int64_t(split));
    } else {
      positions = makeIntArray(b, loc, csr->positions, 32, name + "_rt_pos");
      coordinates =
          makeIntArray(b, loc, csr->coordinates, crdWidth, name + "_rt_crd");
      indices = makeIntArray(b, loc, csr->indices, idxWidth, name + "_rt_idx");
    }
    auto asBuffers = [&] {
      Value values[3] = {positions, coordinates, indices};
      for (int i = 0; i < 3; ++i)
        if (!buffers[i]) {
          auto t = cast<RankedTensorType>(values[i].getType());
          buffers[i] = bufferization::ToBufferOp::create(
              b, loc, MemRefType::get(t.getShape(), t.getElementType()),
              values[i], /*read_only=*/true);
        }
    };
    auto finish = [&](ArrayRef<ViewedRead> done) {
      llvm::SetVector<Operation *> views;
      for (const ViewedRead &read : done)
        for (const View &v : llvm::reverse(read.views))
          views.insert(v.op);
      for (Operation *view : views)
        if (view->use_empty())
          view->erase();
      // The tensor forms of the arrays, unused.
      for (Value v : {positions, coordinates, indices})
        if (v.use_empty() && v.getDefiningOp() &&
            !isa<arith::ConstantOp>(v.getDefiningOp()))
          v.getDefiningOp()->erase();
      op.erase();
    };
    if (convRows) {
      asBuffers();
      FcWeight fc{buffers[0], buffers[1], buffers[2],
                  codebookBuffer(b, loc, constant), constant.getCodebook()};
      for (const ViewedRead &read : reads) {
        linalg::LinalgOp reader = read.op;
        AffineMap map =
            read.indexMap.compose(reader.getIndexingMapsArray()[read.operand]);
        buildConvKernel(reader, *matchConv(reader, read.operand, map), fc,
                        kernelVectorBits);
      }
      finish(reads);
      return success();
    }
    // dc's own kernels, where every reader is a fully connected layer on
    // the 2-D CSR form.
    if (fcKernel != FcKernel::Sparsifier && rank == 2 && !csc) {
      SmallVector<FcShape> shapes;
      for (const ViewedRead &read : reads) {
        linalg::LinalgOp reader = read.op;
        AffineMap map =
            read.indexMap.compose(reader.getIndexingMapsArray()[read.operand]);
        std::optional<FcShape> shape = matchFc(reader, read.operand, map);
        if (!shape)
          break;
        shapes.push_back(*shape);
      }
      if (shapes.size() == reads.size()) {
        asBuffers();
        FcWeight fc{buffers[0], buffers[1], buffers[2],
                    codebookBuffer(b, loc, constant), constant.getCodebook()};
        FcKernel kind =
            fcKernel == FcKernel::Rows || fcKernel == FcKernel::Gather
                ? FcKernel(fcKernel)
            : autoKernel == FcKernel::Gather ? FcKernel::Gather
                                             : FcKernel::Rows;
        for (auto [read, shape] : llvm::zip(reads, shapes))
          buildFcKernel(read.op, shape, fc, kind, kernelVectorBits,
                        avx512Permute);
        finish(reads);
        return success();
      }
    }
    Value weight = sparse_tensor::AssembleOp::create(
        b, loc, sparseType, ValueRange{positions, coordinates}, indices);
    rewriteReads(op, constant, reads, weight, idxType, /*sparse=*/true);
    return success();
  }

  /// The layer's codebook as a read-only memref<kxf32>.
  static Value codebookBuffer(OpBuilder &b, Location loc, ConstantOp constant,
                              bool zeroEntry = false) {
    SmallVector<float> values(constant.getCodebook());
    if (zeroEntry)
      values.push_back(0.0f);
    int64_t k = int64_t(values.size());
    auto codebookType = RankedTensorType::get({k}, b.getF32Type());
    Value codebookTensor = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(codebookType, ArrayRef<float>(values)));
    return bufferization::ToBufferOp::create(
        b, loc, MemRefType::get({k}, b.getF32Type()), codebookTensor,
        /*read_only=*/true);
  }

  /// The contraction as a linalg.generic reading the sparse weight: the
  /// weight's indexing map absorbs the views (transposes, broadcasts), and
  /// the body looks the codebook up where the old body read the weight.
  void rewriteContraction(const ViewedRead &read, Value weight, Value codebook,
                          Type idxType, bool sparse = true,
                          bool transposed = false) {
    linalg::LinalgOp op = read.op;
    OpBuilder b(op);
    Location loc = op.getLoc();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    maps[read.operand] = read.indexMap.compose(maps[read.operand]);
    if (transposed)
      maps[read.operand] = AffineMap::get(
          maps[read.operand].getNumDims(), 0,
          {maps[read.operand].getResult(1), maps[read.operand].getResult(0)},
          op.getContext());
    SmallVector<Value> inputs = op.getDpsInputs();
    inputs[read.operand] = weight;
    SmallVector<Value> inits = op.getDpsInits();
    auto generic =
        linalg::GenericOp::create(b, loc, op->getResultTypes(), inputs, inits,
                                  maps, op.getIteratorTypesArray());
    Block *oldBody = op.getBlock();
    Block *body = b.createBlock(&generic.getRegion());
    IRMapping mapping;
    for (BlockArgument arg : oldBody->getArguments()) {
      Type argType =
          arg.getArgNumber() == read.operand ? idxType : arg.getType();
      mapping.map(arg, body->addArgument(argType, loc));
    }
    b.setInsertionPointToStart(body);
    BlockArgument index = body->getArgument(read.operand);
    Type f32 = b.getF32Type();
    if (!sparse) {
      // Every position is stored: the lookup itself.
      Value i = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), index);
      Value v = memref::LoadOp::create(b, loc, codebook, ValueRange{i});
      mapping.map(oldBody->getArgument(read.operand), v);
      for (Operation &nested : *oldBody)
        b.clone(nested, mapping);
      op->replaceAllUsesWith(generic->getResults());
      op->erase();
      return;
    }
    auto unary = sparse_tensor::UnaryOp::create(b, loc, f32, index);
    {
      OpBuilder::InsertionGuard guard(b);
      Block *present =
          b.createBlock(&unary.getPresentRegion(), {}, {idxType}, {loc});
      Value i = arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                             present->getArgument(0));
      Value v = memref::LoadOp::create(b, loc, codebook, ValueRange{i});
      sparse_tensor::YieldOp::create(b, loc, v);
      // The absent region stays empty: pruned positions contribute nothing.
    }
    mapping.map(oldBody->getArgument(read.operand), unary.getResult());
    for (Operation &nested : *oldBody)
      b.clone(nested, mapping);
    op->replaceAllUsesWith(generic->getResults());
    op->erase();
  }
};

} // namespace
