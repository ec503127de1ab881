//===- Compression.cpp - Shared machinery of the compression passes -------===//
//
// Finding weights, per-layer policy and the three stages on one layer. The
// algorithms themselves (pruning, k-means, the storage format) live in the
// MLIR-free codec; this file connects them to the IR.
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Codec/Prune.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Endian.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::dc;
namespace codec = ::dc::codec;

//===----------------------------------------------------------------------===//
// Finding weights
//===----------------------------------------------------------------------===//

/// A ranked static non-empty tensor constant of the given element kind,
/// stored as dense<> or dense_resource<>.
static arith::ConstantOp matchTensorConstant(Value value, bool wantFloat) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return {};
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() == 0 ||
      !isa<DenseElementsAttr, DenseResourceElementsAttr>(constant.getValue()))
    return {};
  Type element = type.getElementType();
  if (wantFloat ? !element.isF32()
                : !(element.isSignlessInteger() &&
                    element.getIntOrFloatBitWidth() <= 32))
    return {};
  return constant;
}

/// `codebook[index]` as a linalg.generic: one integer constant input of the
/// result's shape, identity maps, parallel loops, and a body that yields
/// tensor.extract %codebook[index_cast(%in)] from a 1-D f32 constant.
static bool matchCodebookGather(linalg::GenericOp op, WeightUse &use) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  arith::ConstantOp indices =
      matchTensorConstant(op.getDpsInputs()[0], /*wantFloat=*/false);
  auto resultType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!indices || !resultType || !resultType.getElementType().isF32() ||
      cast<RankedTensorType>(indices.getType()).getShape() !=
          resultType.getShape())
    return false;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto extract = yield.getValues()[0].getDefiningOp<tensor::ExtractOp>();
  if (!extract || extract.getIndices().size() != 1)
    return false;
  arith::ConstantOp codebook =
      matchTensorConstant(extract.getTensor(), /*wantFloat=*/true);
  if (!codebook || cast<RankedTensorType>(codebook.getType()).getRank() != 1)
    return false;
  Value index = extract.getIndices()[0];
  if (auto cast = index.getDefiningOp<arith::IndexCastOp>())
    index = cast.getIn();
  else if (auto cast = index.getDefiningOp<arith::IndexCastUIOp>())
    index = cast.getIn();
  if (index != body.getArgument(0))
    return false;
  use.constant = indices;
  use.gather = op;
  use.codebook = codebook;
  return true;
}

/// Follows the value-preserving layout ops front ends put between a weight
/// and its consumer (torch-mlir: linalg.transpose before a matmul; TOSA:
/// transposes and reshapes) to an f32 constant or a codebook gather.
static bool traceToWeight(Value value, WeightUse &use) {
  while (Operation *def = value.getDefiningOp()) {
    if (isa<arith::ConstantOp>(def)) {
      use.constant = matchTensorConstant(value, /*wantFloat=*/true);
      return bool(use.constant);
    }
    if (auto op = dyn_cast<linalg::GenericOp>(def);
        op && matchCodebookGather(op, use))
      return true;
    if (auto op = dyn_cast<linalg::TransposeOp>(def))
      value = op.getInput();
    else if (auto op = dyn_cast<tensor::CollapseShapeOp>(def))
      value = op.getSrc();
    else if (auto op = dyn_cast<tensor::ExpandShapeOp>(def))
      value = op.getSrc();
    else if (auto op = dyn_cast<tensor::CastOp>(def))
      value = op.getSource();
    else if (auto op = dyn_cast<tensor::ReshapeOp>(def))
      value = op.getSource();
    else if (auto op = dyn_cast<linalg::CopyOp>(def))
      value = op.getInputs()[0];
    else if (auto op = dyn_cast<linalg::GenericOp>(def);
             op && op.getNumDpsInputs() == 1 &&
             linalg::isaTransposeOpInterface(op))
      value = op.getDpsInputs()[0];
    else
      return false;
  }
  return false;
}

static std::optional<std::string> findName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::optional<std::string> name = findName(inner))
        return name;
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return findName(callSite.getCallee());
  return std::nullopt;
}

/// A layer name from a weight blob key such as "fc1.weight" or
/// "fc1_weight" (front ends name parameters that way); none otherwise.
static std::optional<std::string> nameFromBlobKey(arith::ConstantOp constant) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
  if (!resource)
    return std::nullopt;
  StringRef key = resource.getRawHandle().getKey();
  for (StringRef suffix : {".weight", "_weight"})
    if (key.size() > suffix.size() && key.ends_with(suffix))
      return key.drop_back(suffix.size()).str();
  return std::nullopt;
}

SmallVector<WeightUse> mlir::dc::findWeights(ModuleOp module) {
  SmallVector<WeightUse> uses;
  llvm::DenseSet<Operation *> seen;
  llvm::StringSet<> names;
  module.walk([&](linalg::LinalgOp op) {
    bool isConv = linalg::isaConvolutionOpInterface(op);
    if (!isConv && !linalg::isaContractionOpInterface(op))
      return;
    for (Value input : op.getDpsInputs()) {
      WeightUse use;
      if (!traceToWeight(input, use))
        continue;
      Operation *root =
          use.gather ? use.gather.getOperation() : use.constant.getOperation();
      if (!seen.insert(root).second)
        continue;
      arith::ConstantOp constant = use.constant;
      use.consumer = op;
      use.kind = isConv ? LayerKind::Convolution : LayerKind::FullyConnected;
      std::optional<std::string> found;
      if (auto layer = constant->getAttrOfType<StringAttr>(kLayerAttrName))
        found = layer.str();
      if (!found)
        found = findName(op->getLoc());
      if (!found)
        found = findName(root->getLoc());
      if (!found)
        found = nameFromBlobKey(constant);
      std::string name = found.value_or("layer" + std::to_string(uses.size()));
      // Keep names unique (and deterministic) for reports and blob keys.
      std::string unique = name;
      for (unsigned i = 1; !names.insert(unique).second; ++i)
        unique = name + "_" + std::to_string(i);
      use.name = unique;
      llvm::raw_string_ostream os(use.location);
      op->getLoc().print(os);
      uses.push_back(std::move(use));
    }
  });
  return uses;
}

//===----------------------------------------------------------------------===//
// Options and policy
//===----------------------------------------------------------------------===//

static bool parseDouble(StringRef text, double &out) {
  return !text.getAsDouble(out) && std::isfinite(out);
}

FailureOr<LayerOverride> mlir::dc::parseLayerOverride(StringRef text,
                                                      std::string &error) {
  SmallVector<StringRef> parts;
  text.split(parts, ':');
  LayerOverride result;
  result.pattern = parts[0].trim().str();
  if (result.pattern.empty() || parts.size() < 2) {
    error = "expected NAME:key=value[:key=value...], got '" + text.str() + "'";
    return failure();
  }
  for (StringRef part : llvm::drop_begin(parts)) {
    auto [key, value] = part.split('=');
    key = key.trim();
    value = value.trim();
    double number = 0;
    unsigned integer = 0;
    if (key == "skip" &&
        (value == "1" || value == "0" || value == "true" || value == "false")) {
      result.skip = value == "1" || value == "true";
    } else if (key == "sparsity" && parseDouble(value, number) && number >= 0 &&
               number <= 1) {
      result.sparsity = number;
    } else if (key == "quality" && parseDouble(value, number) && number >= 0) {
      result.quality = number;
    } else if (key == "bits" && !value.getAsInteger(10, integer) &&
               integer >= 1 && integer <= codec::kMaxWeightBits) {
      result.bits = integer;
    } else if (key == "index-bits" && !value.getAsInteger(10, integer) &&
               integer <= codec::kMaxIndexBits) {
      result.indexBits = integer;
    } else if (key == "layout" &&
               llvm::is_contained({"auto", "csr", "csc", "dense"}, value)) {
      result.layout = value.str();
    } else if (key == "entropy" &&
               llvm::is_contained({"auto", "none", "huffman"}, value)) {
      result.entropy = value.str();
    } else {
      error = "bad setting '" + part.str() + "' for layer '" + result.pattern +
              "' (keys: sparsity in [0,1], quality >= 0, bits in [1,8], "
              "index-bits in [0,8], layout auto|csr|csc|dense, entropy "
              "auto|none|huffman, skip 0|1)";
      return failure();
    }
  }
  return result;
}

LogicalResult mlir::dc::parseCommonOptions(StringRef init, StringRef layout,
                                           StringRef entropy,
                                           ArrayRef<std::string> layers,
                                           CompressionOptions &options,
                                           std::string &error) {
  auto fail = [&](const Twine &message) {
    error = message.str();
    return failure();
  };
  if (init == "linear")
    options.init = codec::KMeansInit::Linear;
  else if (init == "density")
    options.init = codec::KMeansInit::Density;
  else if (init == "random")
    options.init = codec::KMeansInit::Random;
  else
    return fail("init must be linear, density or random, got '" + init + "'");
  if (!llvm::is_contained({"auto", "csr", "csc", "dense"}, layout))
    return fail("layout must be auto, csr, csc or dense, got '" + layout + "'");
  options.layout = layout.str();
  if (!llvm::is_contained({"auto", "none", "huffman"}, entropy))
    return fail("entropy must be auto, none or huffman, got '" + entropy + "'");
  options.entropy = entropy.str();
  if (!(options.sparsity >= 0 && options.sparsity <= 1))
    return fail("sparsity must be in [0, 1], got " +
                std::to_string(options.sparsity));
  if (!(options.quality >= 0) || !std::isfinite(options.quality))
    return fail("quality must be >= 0, got " + std::to_string(options.quality));
  for (unsigned bits : {options.fcBits, options.convBits})
    if (bits < 1 || bits > codec::kMaxWeightBits)
      return fail("fc-bits and conv-bits must be in [1, " +
                  Twine(codec::kMaxWeightBits) + "], got " + Twine(bits));
  if (options.indexBits > codec::kMaxIndexBits)
    return fail("index-bits must be in [0, " + Twine(codec::kMaxIndexBits) +
                "] (0 = 5 for fc, 8 for conv), got " +
                Twine(options.indexBits));
  for (const std::string &layer : layers) {
    std::string why;
    FailureOr<LayerOverride> parsed = parseLayerOverride(layer, why);
    if (failed(parsed))
      return fail("layer option: " + why);
    options.overrides.push_back(std::move(*parsed));
  }
  return success();
}

bool mlir::dc::matchesLayer(const WeightUse &use, StringRef pattern) {
  return pattern == use.name ||
         pattern == use.consumer->getName().getStringRef() ||
         StringRef(use.location).contains(pattern);
}

LayerPolicy mlir::dc::resolvePolicy(const CompressionOptions &options,
                                    const WeightUse &use) {
  bool conv = use.kind == LayerKind::Convolution;
  LayerPolicy policy;
  policy.sparsity = options.sparsity;
  policy.quality = options.quality;
  policy.bits = conv ? options.convBits : options.fcBits;
  policy.indexBits = options.indexBits;
  policy.layout = options.layout;
  policy.entropy = options.entropy;
  for (const LayerOverride &o : options.overrides) {
    if (!matchesLayer(use, o.pattern))
      continue;
    policy.skip = o.skip.value_or(policy.skip);
    policy.sparsity = o.sparsity.value_or(policy.sparsity);
    policy.quality = o.quality.value_or(policy.quality);
    policy.bits = o.bits.value_or(policy.bits);
    policy.indexBits = o.indexBits.value_or(policy.indexBits);
    policy.layout = o.layout.value_or(policy.layout);
    policy.entropy = o.entropy.value_or(policy.entropy);
  }
  if (policy.indexBits == 0)
    policy.indexBits = conv ? 8 : 5; // the paper's choice
  return policy;
}

//===----------------------------------------------------------------------===//
// Weight data
//===----------------------------------------------------------------------===//

FailureOr<ArrayRef<float>>
mlir::dc::getWeightValues(arith::ConstantOp op, std::vector<float> &storage) {
  auto type = cast<RankedTensorType>(op.getType());
  size_t n = type.getNumElements();
  ArrayRef<char> raw;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(op.getValue())) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return op.emitError()
             << "weight blob '" << resource.getRawHandle().getKey()
             << "' is not loaded (was it elided?)";
    raw = blob->getData();
  } else if (auto dense = dyn_cast<DenseElementsAttr>(op.getValue())) {
    if (dense.isSplat()) {
      storage.assign(n, dense.getSplatValue<float>());
      return ArrayRef<float>(storage);
    }
    raw = dense.getRawData();
  } else {
    return op.emitError() << "unsupported weight attribute";
  }
  if (raw.size() != n * sizeof(float))
    return op.emitError() << "weight data holds " << raw.size()
                          << " bytes, expected " << n * sizeof(float);
  if (reinterpret_cast<uintptr_t>(raw.data()) % alignof(float) == 0)
    return ArrayRef<float>(reinterpret_cast<const float *>(raw.data()), n);
  storage.resize(n);
  std::memcpy(storage.data(), raw.data(), raw.size());
  return ArrayRef<float>(storage);
}

/// A resource key made of identifier characters.
static std::string blobKey(StringRef name, StringRef suffix) {
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

//===----------------------------------------------------------------------===//
// The stages
//===----------------------------------------------------------------------===//

FailureOr<std::vector<uint8_t>> mlir::dc::pruneMask(ArrayRef<float> values,
                                                    const LayerPolicy &policy,
                                                    std::string &error) {
  codec::StatusOr<std::vector<uint8_t>> mask =
      policy.quality > 0
          ? codec::pruneByQuality(values.data(), values.size(), policy.quality)
          : codec::pruneBySparsity(values.data(), values.size(),
                                   policy.sparsity);
  if (!mask.ok()) {
    error = mask.message();
    return failure();
  }
  return std::move(*mask);
}

FailureOr<QuantizedLayer> mlir::dc::quantizeValues(
    ArrayRef<float> values, const uint8_t *mask, const LayerPolicy &policy,
    const CompressionOptions &options, std::string &error) {
  std::vector<uint8_t> nonZero;
  if (!mask) {
    nonZero.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i)
      nonZero[i] = values[i] != 0.0f;
    mask = nonZero.data();
  }
  codec::KMeansOptions kmeans;
  kmeans.k = 1u << policy.bits;
  kmeans.init = options.init;
  kmeans.seed = options.seed;
  kmeans.maxIterations = options.maxIterations;
  codec::StatusOr<codec::KMeansResult> result =
      codec::kmeans1D(values.data(), values.size(), mask, kmeans);
  if (!result.ok()) {
    error = result.message();
    return failure();
  }
  QuantizedLayer layer;
  layer.codebook = std::move(result->centroids);
  layer.indices = std::move(result->assignment);
  return layer;
}

FailureOr<QuantizedLayer> mlir::dc::collectCodebook(ArrayRef<float> values,
                                                    std::string &error) {
  QuantizedLayer layer;
  for (float v : values) {
    if (!std::isfinite(v)) {
      error = "weights must be finite";
      return failure();
    }
    if (v != 0.0f)
      layer.codebook.push_back(v);
  }
  llvm::sort(layer.codebook);
  layer.codebook.erase(
      std::unique(layer.codebook.begin(), layer.codebook.end()),
      layer.codebook.end());
  const size_t maxValues = size_t(1) << codec::kMaxWeightBits;
  if (layer.codebook.size() > maxValues) {
    error = "has " + std::to_string(layer.codebook.size()) +
            " distinct non-zero values, more than the " +
            std::to_string(maxValues) +
            " a codebook holds: run dc-quantize first";
    return failure();
  }
  layer.indices.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    layer.indices[i] =
        values[i] == 0.0f
            ? -1
            : int32_t(llvm::lower_bound(layer.codebook, values[i]) -
                      layer.codebook.begin());
  return layer;
}

FailureOr<QuantizedLayer> mlir::dc::readCodebookGather(WeightUse use,
                                                       std::string &error) {
  std::vector<float> storage;
  FailureOr<ArrayRef<float>> codebook = getWeightValues(use.codebook, storage);
  if (failed(codebook)) {
    error = "cannot read its codebook";
    return failure();
  }
  auto indexType = cast<RankedTensorType>(use.constant.getType());
  unsigned width = indexType.getElementTypeBitWidth();
  size_t n = indexType.getNumElements();
  std::vector<float> values(n);
  auto put = [&](size_t i, int64_t index) {
    if (index < 0 || uint64_t(index) >= codebook->size()) {
      error = "index " + std::to_string(index) + " at position " +
              std::to_string(i) + " is outside its codebook of " +
              std::to_string(codebook->size()) + " values";
      return false;
    }
    values[i] = (*codebook)[index];
    return true;
  };
  Attribute attr = use.constant.getValue();
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    size_t i = 0;
    for (const APInt &v : dense.getValues<APInt>())
      if (!put(i++, v.getSExtValue()))
        return failure();
  } else {
    auto resource = cast<DenseResourceElementsAttr>(attr);
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != n * (width / 8) || width % 8) {
      error = "its index blob is not loaded or has the wrong size";
      return failure();
    }
    const char *data = blob->getData().data();
    for (size_t i = 0; i < n; ++i) {
      int64_t v = 0;
      if (width == 8)
        v = int8_t(data[i]);
      else if (width == 16)
        v = llvm::support::endian::read16le(data + 2 * i);
      else
        v = int32_t(llvm::support::endian::read32le(data + 4 * i));
      if (!put(i, width == 16 ? int16_t(v) : v))
        return failure();
    }
  }
  return collectCodebook(values, error);
}

/// Bits to index `k` codebook entries (at least 1).
static unsigned indexWidth(size_t k) {
  return std::max(1u, codec::bitWidth(k > 0 ? k - 1 : 0));
}

/// The dense layout has no pruned positions: 0.0 joins the codebook (if it
/// is not there yet) and pruned positions index it. In place.
static void makeZeroExplicit(QuantizedLayer &layer) {
  if (!llvm::is_contained(layer.indices, -1))
    return;
  auto zeroIt = llvm::lower_bound(layer.codebook, 0.0f);
  int32_t zero = zeroIt - layer.codebook.begin();
  bool insert = zeroIt == layer.codebook.end() || *zeroIt != 0.0f;
  if (insert)
    layer.codebook.insert(zeroIt, 0.0f);
  for (int32_t &idx : layer.indices)
    idx = idx < 0 ? zero : (insert && idx >= zero ? idx + 1 : idx);
}

static uint64_t ceilDiv8(uint64_t bits) { return (bits + 7) / 8; }

/// Raw (no entropy coding) stored bytes of `layer` as CSR and as dense, from
/// counts alone (docs/Format.md sections 4 and 7).
static std::pair<uint64_t, uint64_t>
rawBytesCSRAndDense(const QuantizedLayer &layer, codec::MatrixShape matrix,
                    unsigned indexBits) {
  const uint64_t escape = (uint64_t(1) << indexBits) - 1;
  uint64_t kept = 0, gaps = 0;
  for (uint32_t r = 0; r < matrix.rows; ++r) {
    const int32_t *row = layer.indices.data() + uint64_t(r) * matrix.cols;
    int64_t last = -1;
    for (uint32_t c = 0; c < matrix.cols; ++c) {
      if (row[c] < 0)
        continue;
      gaps += 1 + uint64_t(c - last - 1) / escape;
      last = c;
      ++kept;
    }
  }
  size_t k = layer.codebook.size();
  uint64_t csr = codec::kHeaderBytes + 4 * k +
                 ceilDiv8(uint64_t(matrix.rows) * codec::bitWidth(kept)) +
                 ceilDiv8(kept * indexWidth(k)) + ceilDiv8(gaps * indexBits);
  size_t denseK = k + (kept < layer.indices.size() ? 1 : 0);
  uint64_t dense =
      codec::kHeaderBytes + 4 * denseK +
      ceilDiv8(uint64_t(layer.indices.size()) * indexWidth(denseK));
  return {csr, dense};
}

static DenseResourceElementsAttr makeStream(MLIRContext *ctx, StringRef key,
                                            const std::vector<uint8_t> &bytes) {
  auto type =
      RankedTensorType::get({int64_t(bytes.size())}, IntegerType::get(ctx, 8));
  return DenseResourceElementsAttr::get(
      type, key,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(reinterpret_cast<const char *>(bytes.data()),
                         bytes.size()),
          /*align=*/1));
}

static DenseI8ArrayAttr makeTable(MLIRContext *ctx,
                                  const std::vector<uint8_t> &table) {
  return DenseI8ArrayAttr::get(
      ctx, ArrayRef<int8_t>(reinterpret_cast<const int8_t *>(table.data()),
                            table.size()));
}

LogicalResult mlir::dc::encodeWeight(WeightUse use, QuantizedLayer &&layer,
                                     const LayerPolicy &policy,
                                     LayerReport &report) {
  arith::ConstantOp constant = use.constant;
  auto type = cast<RankedTensorType>(
      use.gather ? use.gather.getResult(0).getType() : constant.getType());
  codec::StatusOr<codec::MatrixShape> matrix =
      codec::matrixShapeOf(type.getShape().data(), type.getRank());
  if (!matrix.ok())
    return constant.emitError()
           << "layer '" << use.name << "': " << matrix.message();

  // Kept weights, counted before the dense layout gives pruned ones an index.
  uint64_t kept =
      llvm::count_if(layer.indices, [](int32_t i) { return i >= 0; });
  Layout layout;
  if (policy.layout == "auto") {
    auto [csr, dense] = rawBytesCSRAndDense(layer, *matrix, policy.indexBits);
    layout = dense < csr ? Layout::Dense : Layout::CSR;
  } else {
    layout = *symbolizeLayout(policy.layout);
  }
  if (layout == Layout::Dense)
    makeZeroExplicit(layer);

  // Entropy `auto` keeps the smaller encoding (no coding on ties).
  SmallVector<codec::Entropy> entropies;
  if (policy.entropy != "huffman")
    entropies.push_back(codec::Entropy::None);
  if (policy.entropy != "none")
    entropies.push_back(codec::Entropy::Huffman);
  std::optional<codec::EncodedLayer> best;
  std::string lastError;
  for (codec::Entropy entropy : entropies) {
    codec::Params params;
    params.layout = static_cast<codec::Layout>(layout);
    params.weightBits = indexWidth(layer.codebook.size());
    params.indexBits = layout == Layout::Dense ? 0 : policy.indexBits;
    params.entropy = entropy;
    if (params.weightBits > codec::kMaxWeightBits) {
      lastError = "codebook of " + std::to_string(layer.codebook.size()) +
                  " values does not fit " +
                  std::to_string(codec::kMaxWeightBits) + " bits";
      continue;
    }
    codec::StatusOr<codec::EncodedLayer> encoded = codec::encodeLayer(
        params, *matrix, layer.codebook, layer.indices.data());
    if (!encoded.ok()) {
      lastError = encoded.message();
      continue;
    }
    if (!best ||
        codec::storedBytes(encoded->view()) < codec::storedBytes(best->view()))
      best = std::move(*encoded);
  }
  if (!best)
    return constant.emitError()
           << "layer '" << use.name << "' cannot be encoded: " << lastError;

  const codec::EncodedLayer &enc = *best;
  MLIRContext *ctx = constant.getContext();
  Operation *root =
      use.gather ? use.gather.getOperation() : constant.getOperation();
  OpBuilder builder(root);
  // The layer's name travels with the payload (dc-report, blob keys).
  Location loc = root->getLoc();
  auto nameLoc = dyn_cast<NameLoc>(loc);
  if (!nameLoc || nameLoc.getName() != use.name)
    loc = NameLoc::get(builder.getStringAttr(use.name), loc);
  auto encoding = EncodingAttr::get(ctx, static_cast<Layout>(enc.params.layout),
                                    enc.params.weightBits, enc.params.indexBits,
                                    static_cast<Entropy>(enc.params.entropy));
  auto compressedType = CompressedTensorType::get(
      ctx, type.getShape(), type.getElementType(), encoding);
  bool sparse = enc.params.layout != codec::Layout::Dense;
  bool huffman = enc.params.entropy == codec::Entropy::Huffman;
  auto i64 = IntegerType::get(ctx, 64);
  auto op = ConstantOp::create(
      builder, loc, compressedType, DenseF32ArrayAttr::get(ctx, enc.codebook),
      IntegerAttr::get(i64, enc.numWeights), IntegerAttr::get(i64, enc.numGaps),
      huffman ? makeTable(ctx, enc.weightCodeLengths) : DenseI8ArrayAttr(),
      huffman && sparse ? makeTable(ctx, enc.gapCodeLengths)
                        : DenseI8ArrayAttr(),
      sparse ? makeStream(ctx, blobKey(use.name, "_ptr"), enc.rowPtr)
             : DenseResourceElementsAttr(),
      sparse ? makeStream(ctx, blobKey(use.name, "_gaps"), enc.gaps)
             : DenseResourceElementsAttr(),
      makeStream(ctx, blobKey(use.name, "_idx"), enc.weights),
      builder.getStringAttr(use.name));
  auto decompress = DecompressOp::create(builder, loc, type, op.getResult());
  root->getResult(0).replaceAllUsesWith(decompress.getResult());
  root->erase();
  if (use.gather) {
    if (constant->use_empty())
      constant.erase();
    if (use.codebook->use_empty())
      use.codebook.erase();
  }

  describeStoredLayer(op, report);
  report.name = use.name;
  report.kind = use.kind == LayerKind::Convolution ? "conv" : "fc";
  report.kept = sparse ? enc.numWeights : kept;
  assert(report.bytesAfter == codec::storedBytes(enc.view()) &&
         "IR payload bytes differ from the codec's stored bytes");
  return success();
}

//===----------------------------------------------------------------------===//
// The pass bodies
//===----------------------------------------------------------------------===//

LogicalResult mlir::dc::rewriteDenseWeights(
    ModuleOp module, const CompressionOptions &config, StringRef blobSuffix,
    function_ref<FailureOr<std::vector<float>>(
        ArrayRef<float>, const LayerPolicy &, std::string &)>
        transform) {
  std::vector<float> storage;
  for (WeightUse &use : findWeights(module)) {
    LayerPolicy policy = resolvePolicy(config, use);
    // A codebook gather is already pruned and quantized.
    if (policy.skip || use.gather)
      continue;
    FailureOr<ArrayRef<float>> values = getWeightValues(use.constant, storage);
    if (failed(values))
      return failure();
    std::string why;
    FailureOr<std::vector<float>> result = transform(*values, policy, why);
    if (failed(result))
      return use.constant.emitError() << "layer '" << use.name << "': " << why;
    setWeightValues(use.constant, *result, use.name, blobSuffix);
  }
  return success();
}

LogicalResult mlir::dc::encodeWeights(ModuleOp module,
                                      const CompressionOptions &config,
                                      bool pruneAndQuantize,
                                      StringRef reportPath,
                                      StringRef reportFormat) {
  std::vector<float> storage;
  SmallVector<LayerReport> reports;
  for (WeightUse &use : findWeights(module)) {
    LayerPolicy policy = resolvePolicy(config, use);
    if (policy.skip)
      continue;
    std::string why;
    FailureOr<QuantizedLayer> layer = failure();
    if (use.gather) {
      // An externally trained codebook is encoded as it is.
      layer = readCodebookGather(use, why);
    } else {
      FailureOr<ArrayRef<float>> values =
          getWeightValues(use.constant, storage);
      if (failed(values))
        return failure();
      if (!pruneAndQuantize) {
        layer = collectCodebook(*values, why);
      } else {
        // No dense copy of the layer: the mask (one byte a weight) lives
        // only until k-means has produced the indices.
        FailureOr<std::vector<uint8_t>> mask = pruneMask(*values, policy, why);
        if (succeeded(mask))
          layer = quantizeValues(*values, mask->data(), policy, config, why);
      }
    }
    if (failed(layer))
      return use.constant.emitError() << "layer '" << use.name << "' " << why;
    if (failed(encodeWeight(use, std::move(*layer), policy,
                            reports.emplace_back())))
      return failure();
  }
  return writeReport(reportPath, reportFormat, reports,
                     [&] { return module.emitError(); });
}
