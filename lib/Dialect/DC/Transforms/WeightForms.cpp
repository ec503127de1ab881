//===- WeightForms.cpp - Reading and writing a weight's forms -------------===//
//
// The forms of WeightForm.h as the stages read them (a layer's values, mask,
// codebook and indices) and write them (an ordinary constant, or the
// trainable pruned and quantized forms, docs/Training.md).
//
//===----------------------------------------------------------------------===//

#include "WeightForms.h"
#include "PassArguments.h"

#include "dc/Codec/Format.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::dc;

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// The elements of an integer tensor constant (dense<> or a loaded
/// dense_resource<> of 8, 16 or 32 bits), sign- or zero-extended.
static LogicalResult readIntegers(arith::ConstantOp constant, bool isUnsigned,
                                  std::vector<int64_t> &out,
                                  LayerErrorFn emitError) {
  auto type = cast<RankedTensorType>(constant.getType());
  unsigned width = type.getElementTypeBitWidth();
  size_t n = type.getNumElements();
  out.resize(n);
  Attribute attr = constant.getValue();
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    size_t i = 0;
    for (const APInt &v : dense.getValues<APInt>())
      out[i++] = isUnsigned ? int64_t(v.getZExtValue()) : v.getSExtValue();
    return success();
  }
  auto resource = cast<DenseResourceElementsAttr>(attr);
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob || width % 8 || width > 32 ||
      blob->getData().size() != n * (width / 8))
    return emitError() << "its integer blob '"
                       << resource.getRawHandle().getKey()
                       << "' is not loaded or has the wrong size";
  const char *data = blob->getData().data();
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = width == 8    ? uint8_t(data[i])
                 : width == 16 ? llvm::support::endian::read16le(data + 2 * i)
                               : llvm::support::endian::read32le(data + 4 * i);
    int64_t sext = width == 8    ? int64_t(int8_t(u))
                   : width == 16 ? int64_t(int16_t(u))
                                 : int64_t(int32_t(u));
    out[i] = isUnsigned ? int64_t(u) : sext;
  }
  return success();
}

/// The values of an f32 weight constant as a vector; on failure the error
/// says "cannot read its <what>".
static LogicalResult readFloats(arith::ConstantOp constant,
                                std::vector<float> &out, StringRef what,
                                LayerErrorFn emitError) {
  std::vector<float> storage;
  FailureOr<ArrayRef<float>> values = getWeightValues(constant, storage);
  if (failed(values))
    return emitError() << "cannot read its " << what;
  out.assign(values->begin(), values->end());
  return success();
}

/// Reads `use.codebook` and `use.constant` (the indices).
static LogicalResult readCodebookAndIndices(const WeightUse &use,
                                            std::vector<float> &codebook,
                                            std::vector<int64_t> &indices,
                                            LayerErrorFn emitError) {
  if (failed(readFloats(use.codebook, codebook, "codebook", emitError)))
    return failure();
  return readIntegers(use.constant, use.unsignedIndex, indices, emitError);
}

static LogicalResult checkIndex(int64_t index, size_t i, size_t k,
                                LayerErrorFn emitError) {
  if (index >= 0 && uint64_t(index) < k)
    return success();
  return emitError() << "index " << index << " at position " << i
                     << " is outside its codebook of " << k << " values";
}

FailureOr<QuantizedLayer> mlir::dc::readCodebookGather(WeightUse use,
                                                       LayerErrorFn emitError) {
  std::vector<float> codebook;
  std::vector<int64_t> indices;
  if (failed(readCodebookAndIndices(use, codebook, indices, emitError)))
    return failure();
  std::vector<float> values(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    if (failed(checkIndex(indices[i], i, codebook.size(), emitError)))
      return failure();
    values[i] = codebook[indices[i]];
  }
  return collectCodebook(values, emitError);
}

FailureOr<QuantizedLayer> mlir::dc::readQuantizedForm(WeightUse use,
                                                      LayerErrorFn emitError) {
  std::vector<float> codebook;
  std::vector<int64_t> indices, mask;
  if (failed(readCodebookAndIndices(use, codebook, indices, emitError)) ||
      failed(readIntegers(use.mask, /*isUnsigned=*/true, mask, emitError)))
    return failure();
  // The used centroids, sorted by value (then bits, so -0.0 and 0.0 stay
  // apart) without repeats: the stored codebook.
  auto bits = [](float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
  };
  std::vector<char> used(codebook.size(), 0);
  for (size_t i = 0; i < indices.size(); ++i) {
    if (!mask[i])
      continue;
    if (failed(checkIndex(indices[i], i, codebook.size(), emitError)))
      return failure();
    used[indices[i]] = 1;
  }
  QuantizedLayer layer;
  for (size_t k = 0; k < codebook.size(); ++k) {
    if (!used[k])
      continue;
    if (!std::isfinite(codebook[k]))
      return emitError() << "codebook entry " << k << " is not finite";
    layer.codebook.push_back(codebook[k]);
  }
  auto less = [&](float a, float b) {
    return a != b ? a < b : bits(a) < bits(b);
  };
  llvm::sort(layer.codebook, less);
  layer.codebook.erase(
      std::unique(layer.codebook.begin(), layer.codebook.end(),
                  [&](float a, float b) { return bits(a) == bits(b); }),
      layer.codebook.end());
  layer.indices.resize(indices.size());
  for (size_t i = 0; i < indices.size(); ++i)
    layer.indices[i] =
        !mask[i] ? -1
                 : int32_t(llvm::lower_bound(layer.codebook,
                                             codebook[indices[i]], less) -
                           layer.codebook.begin());
  return layer;
}

LogicalResult mlir::dc::readPrunedForm(WeightUse use,
                                       std::vector<float> &values,
                                       std::vector<uint8_t> &mask,
                                       LayerErrorFn emitError) {
  if (failed(readFloats(use.constant, values, "values", emitError)))
    return failure();
  std::vector<int64_t> m;
  if (failed(readIntegers(use.mask, /*isUnsigned=*/true, m, emitError)))
    return failure();
  mask.resize(m.size());
  for (size_t i = 0; i < m.size(); ++i)
    mask[i] = m[i] != 0;
  return success();
}

/// The values and keep mask of a Dense or Pruned weight (a Dense weight's
/// kept entries are its non-zero ones).
LogicalResult mlir::dc::readKept(const WeightUse &use,
                                 std::vector<float> &values,
                                 std::vector<uint8_t> &mask,
                                 LayerErrorFn emitError) {
  if (use.form == WeightForm::Pruned)
    return readPrunedForm(use, values, mask, emitError);
  if (failed(readFloats(use.constant, values, "values", emitError)))
    return failure();
  mask.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    mask[i] = values[i] != 0.0f;
  return success();
}

FailureOr<QuantizedLayer> mlir::dc::collectCodebook(ArrayRef<float> values,
                                                    LayerErrorFn emitError,
                                                    const uint8_t *mask) {
  auto kept = [&](size_t i) { return mask ? mask[i] != 0 : values[i] != 0.0f; };
  QuantizedLayer layer;
  for (size_t i = 0; i < values.size(); ++i) {
    float v = values[i];
    if (!std::isfinite(v))
      return emitError() << "weights must be finite";
    if (kept(i))
      layer.codebook.push_back(v);
  }
  llvm::sort(layer.codebook);
  layer.codebook.erase(
      std::unique(layer.codebook.begin(), layer.codebook.end()),
      layer.codebook.end());
  const size_t maxValues = size_t(1) << ::dc::codec::kMaxWeightBits;
  if (layer.codebook.size() > maxValues)
    return emitError() << "has " << layer.codebook.size()
                       << " distinct non-zero values, more than the "
                       << maxValues << " a codebook holds: run "
                       << quantizePassArgument() << " first";
  layer.indices.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    layer.indices[i] =
        !kept(i) ? -1
                 : int32_t(llvm::lower_bound(layer.codebook, values[i]) -
                           layer.codebook.begin());
  return layer;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

std::string mlir::dc::blobKey(StringRef name, StringRef suffix) {
  std::string key;
  for (char c : name)
    key.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  return key + suffix.str();
}

void mlir::dc::setWeightValues(arith::ConstantOp op, ArrayRef<float> values,
                               StringRef layer, StringRef blobSuffix) {
  auto type = cast<RankedTensorType>(op.getType());
  auto attr = DenseResourceElementsAttr::get(
      type, blobKey(layer, blobSuffix),
      HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  op.setValueAttr(cast<TypedAttr>(attr));
  op->setAttr(kLayerAttrName, StringAttr::get(op.getContext(), layer));
}

/// Erases the weight's root op (now unused) and the constants only it used.
void mlir::dc::eraseWeight(WeightUse &use) {
  Operation *root =
      use.gather ? use.gather.getOperation() : use.constant.getOperation();
  Operation *init =
      use.gather ? use.gather.getDpsInits()[0].getDefiningOp() : nullptr;
  root->erase();
  if (init && isa<tensor::EmptyOp>(init) && init->use_empty())
    init->erase();
  for (arith::ConstantOp c : {use.constant, use.codebook, use.mask})
    if (c && c.getOperation() != root && c->use_empty())
      c.erase();
}

/// Makes `value` the weight: every use of the root op goes to it, and the
/// old form is erased.
static void replaceWeight(WeightUse &use, Value value) {
  Operation *root =
      use.gather ? use.gather.getOperation() : use.constant.getOperation();
  root->getResult(0).replaceAllUsesWith(value);
  eraseWeight(use);
}

static arith::ConstantOp makeBlobConstant(OpBuilder &b, Location loc,
                                          RankedTensorType type,
                                          ArrayRef<char> bytes, StringRef key,
                                          StringRef layer) {
  auto attr = DenseResourceElementsAttr::get(
      type, key,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(float)));
  auto op = arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  op->setAttr(kLayerAttrName, b.getStringAttr(layer));
  return op;
}

static arith::ConstantOp makeFloats(OpBuilder &b, Location loc,
                                    ArrayRef<int64_t> shape,
                                    ArrayRef<float> values, StringRef key,
                                    StringRef layer) {
  return makeBlobConstant(
      b, loc, RankedTensorType::get(shape, b.getF32Type()),
      ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(float)),
      key, layer);
}

static arith::ConstantOp makeBytes(OpBuilder &b, Location loc,
                                   ArrayRef<int64_t> shape,
                                   ArrayRef<uint8_t> values, StringRef key,
                                   StringRef layer) {
  return makeBlobConstant(
      b, loc, RankedTensorType::get(shape, b.getI8Type()),
      ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                     values.size()),
      key, layer);
}

/// `select(mask != 0, value(mask, x), 0.0)` as one linalg.generic over the
/// mask and `x`; `value` builds the kept value from the body's argument.
static Value
buildMaskedForm(OpBuilder &b, Location loc, RankedTensorType type, Value mask,
                Value x,
                function_ref<Value(OpBuilder &, Location, Value)> value) {
  MLIRContext *ctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(type.getRank(), ctx);
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{mask, x}, ValueRange{init},
             SmallVector<AffineMap>(3, id),
             SmallVector<utils::IteratorType>(type.getRank(),
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value zeroMask = arith::ConstantIntOp::create(nb, nl, 0, 8);
               Value kept = arith::CmpIOp::create(
                   nb, nl, arith::CmpIPredicate::ne, args[0], zeroMask);
               Value zero =
                   arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0.0f));
               Value v = arith::SelectOp::create(nb, nl, kept,
                                                 value(nb, nl, args[1]), zero);
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

static RankedTensorType weightType(WeightUse use) {
  return cast<RankedTensorType>(use.gather ? use.gather->getResultTypes()[0]
                                           : use.constant.getType());
}

static OpBuilder builderAtWeight(WeightUse use) {
  return OpBuilder(use.gather ? use.gather.getOperation()
                              : use.constant.getOperation());
}

/// The weight as the pruned form: `w` zeroed where the mask is 0.
void mlir::dc::writePrunedForm(WeightUse &use, ArrayRef<float> values,
                               ArrayRef<uint8_t> mask) {
  OpBuilder b = builderAtWeight(use);
  Location loc = use.gather ? use.gather.getLoc() : use.constant.getLoc();
  RankedTensorType type = weightType(use);
  std::vector<float> w(values.size());
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = mask[i] ? values[i] : 0.0f;
  Value m = makeBytes(b, loc, type.getShape(), mask, blobKey(use.name, "_mask"),
                      use.name);
  Value x = makeFloats(b, loc, type.getShape(), w, blobKey(use.name, "_weight"),
                       use.name);
  replaceWeight(
      use, buildMaskedForm(b, loc, type, m, x,
                           [](OpBuilder &, Location, Value v) { return v; }));
}

/// The weight as the quantized form: mask = kept, index = the centroid
/// (0 at pruned positions), codebook = the centroids (one placeholder entry
/// when nothing is kept, never selected).
void mlir::dc::writeQuantizedForm(WeightUse &use, const QuantizedLayer &layer) {
  OpBuilder b = builderAtWeight(use);
  Location loc = use.gather ? use.gather.getLoc() : use.constant.getLoc();
  RankedTensorType type = weightType(use);
  std::vector<uint8_t> mask(layer.indices.size()), index(layer.indices.size());
  for (size_t i = 0; i < mask.size(); ++i) {
    mask[i] = layer.indices[i] >= 0;
    index[i] = uint8_t(std::max(layer.indices[i], 0));
  }
  std::vector<float> codebook = layer.codebook;
  if (codebook.empty())
    codebook.push_back(0.0f);
  Value m = makeBytes(b, loc, type.getShape(), mask, blobKey(use.name, "_mask"),
                      use.name);
  Value idx = makeBytes(b, loc, type.getShape(), index,
                        blobKey(use.name, "_index"), use.name);
  Value cb = makeFloats(b, loc, {int64_t(codebook.size())}, codebook,
                        blobKey(use.name, "_codebook"), use.name);
  replaceWeight(
      use, buildMaskedForm(b, loc, type, m, idx,
                           [&](OpBuilder &nb, Location nl, Value i) -> Value {
                             Value at = arith::IndexCastUIOp::create(
                                 nb, nl, nb.getIndexType(), i);
                             return tensor::ExtractOp::create(nb, nl, cb,
                                                              ValueRange{at});
                           }));
}

/// The weight as an ordinary f32 constant.
void mlir::dc::writeDense(WeightUse &use, ArrayRef<float> values,
                          StringRef suffix) {
  if (use.form == WeightForm::Dense) {
    setWeightValues(use.constant, values, use.name, suffix);
    return;
  }
  OpBuilder b = builderAtWeight(use);
  Location loc = use.gather.getLoc();
  replaceWeight(use, makeFloats(b, loc, weightType(use).getShape(), values,
                                blobKey(use.name, suffix), use.name));
}

/// `layer`'s values (0.0 at pruned positions).
std::vector<float> mlir::dc::sharedValues(const QuantizedLayer &layer) {
  std::vector<float> v(layer.indices.size(), 0.0f);
  for (size_t i = 0; i < v.size(); ++i)
    if (layer.indices[i] >= 0)
      v[i] = layer.codebook[layer.indices[i]];
  return v;
}
