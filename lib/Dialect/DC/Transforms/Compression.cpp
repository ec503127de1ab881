//===- Compression.cpp - Shared machinery of the compression passes -------===//
//
// Finding weights, per-layer policy and the three stages on one layer. The
// algorithms themselves (pruning, k-means, the storage format) live in the
// MLIR-free codec; this file connects them to the IR.
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Dialect/DC/Transforms/WeightViews.h"
#include "dc/Codec/Prune.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
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

/// A linalg.generic of `numInputs` constant-fed operands and one init, all
/// maps identities, all loops parallel, an f32 result.
static bool isElementwiseForm(linalg::GenericOp op, unsigned numInputs) {
  auto resultType = dyn_cast<RankedTensorType>(
      op->getResultTypes().empty() ? Type() : op->getResultTypes()[0]);
  return op.getNumDpsInputs() == numInputs && op.getNumDpsInits() == 1 &&
         op->getNumResults() == 1 && resultType &&
         resultType.getElementType().isF32() &&
         op.getNumParallelLoops() == op.getNumLoops() &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); });
}

/// An integer tensor constant with the shape of `op`'s result.
static arith::ConstantOp matchIntegerOperand(linalg::GenericOp op,
                                             unsigned input) {
  arith::ConstantOp c =
      matchTensorConstant(op.getDpsInputs()[input], /*wantFloat=*/false);
  if (!c || cast<RankedTensorType>(c.getType()).getShape() !=
                cast<RankedTensorType>(op->getResultTypes()[0]).getShape())
    return {};
  return c;
}

/// `tensor.extract %codebook[index_cast(%arg)]` from a 1-D f32 constant.
static arith::ConstantOp matchCodebookLookup(Value value, Value arg,
                                             bool &isUnsigned) {
  auto extract = value.getDefiningOp<tensor::ExtractOp>();
  if (!extract || extract.getIndices().size() != 1)
    return {};
  arith::ConstantOp codebook =
      matchTensorConstant(extract.getTensor(), /*wantFloat=*/true);
  if (!codebook || cast<RankedTensorType>(codebook.getType()).getRank() != 1)
    return {};
  Value index = extract.getIndices()[0];
  isUnsigned = false;
  if (auto cast = index.getDefiningOp<arith::IndexCastOp>()) {
    index = cast.getIn();
  } else if (auto cast = index.getDefiningOp<arith::IndexCastUIOp>()) {
    index = cast.getIn();
    isUnsigned = true;
  }
  return index == arg ? codebook : arith::ConstantOp();
}

/// `codebook[index]` as a linalg.generic: one integer constant input of the
/// result's shape, identity maps, parallel loops, and a body that yields
/// tensor.extract %codebook[index_cast(%in)] from a 1-D f32 constant.
static bool matchCodebookGather(linalg::GenericOp op, WeightUse &use) {
  if (!isElementwiseForm(op, 1))
    return false;
  arith::ConstantOp indices = matchIntegerOperand(op, 0);
  if (!indices)
    return false;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  arith::ConstantOp codebook = matchCodebookLookup(
      yield.getValues()[0], body.getArgument(0), use.unsignedIndex);
  if (!codebook)
    return false;
  use.form = WeightForm::CodebookGather;
  use.constant = indices;
  use.gather = op;
  use.codebook = codebook;
  return true;
}

static bool isZeroConstant(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValue().isZero() && !f.getValue().isNegative();
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return i.getValue().isZero();
  return false;
}

/// The trainable forms (Forms.h): `select(mask != 0, w, 0.0)` and
/// `select(mask != 0, codebook[index], 0.0)` over an i8 mask constant (input
/// 0) and the weight values or indices (input 1).
static bool matchTrainableForm(linalg::GenericOp op, WeightUse &use) {
  if (!isElementwiseForm(op, 2))
    return false;
  arith::ConstantOp mask = matchIntegerOperand(op, 0);
  if (!mask ||
      !cast<RankedTensorType>(mask.getType()).getElementType().isInteger(8))
    return false;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto select = yield.getValues()[0].getDefiningOp<arith::SelectOp>();
  if (!select || !isZeroConstant(select.getFalseValue()))
    return false;
  auto cmp = select.getCondition().getDefiningOp<arith::CmpIOp>();
  Value maskArg = body.getArgument(0), valueArg = body.getArgument(1);
  if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::ne ||
      !((cmp.getLhs() == maskArg && isZeroConstant(cmp.getRhs())) ||
        (cmp.getRhs() == maskArg && isZeroConstant(cmp.getLhs()))))
    return false;
  if (select.getTrueValue() == valueArg) {
    arith::ConstantOp w =
        matchTensorConstant(op.getDpsInputs()[1], /*wantFloat=*/true);
    if (!w || w.getType() != op->getResultTypes()[0])
      return false;
    use.form = WeightForm::Pruned;
    use.constant = w;
  } else {
    arith::ConstantOp index = matchIntegerOperand(op, 1);
    arith::ConstantOp codebook =
        index ? matchCodebookLookup(select.getTrueValue(), valueArg,
                                    use.unsignedIndex)
              : arith::ConstantOp();
    if (!codebook)
      return false;
    use.form = WeightForm::Quantized;
    use.constant = index;
    use.codebook = codebook;
  }
  use.gather = op;
  use.mask = mask;
  return true;
}

/// Follows the views front ends put between a weight and its consumer
/// (WeightViews.h) to an f32 constant or a codebook gather.
static bool traceToWeight(Value value, WeightUse &use) {
  value = traceViews(value);
  Operation *def = value.getDefiningOp();
  if (isa_and_nonnull<arith::ConstantOp>(def)) {
    use.constant = matchTensorConstant(value, /*wantFloat=*/true);
    return bool(use.constant);
  }
  auto op = dyn_cast_or_null<linalg::GenericOp>(def);
  return op && (matchCodebookGather(op, use) || matchTrainableForm(op, use));
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

/// Whether `value` is computed from constants only, with weight data among
/// them (a non-splat tensor constant); `memo` caches the answer per value.
static bool fromConstantsOnly(Value value, llvm::DenseMap<Value, int> &memo,
                              bool &weightData) {
  auto it = memo.find(value);
  if (it != memo.end()) {
    weightData |= it->second == 2;
    return it->second != 0;
  }
  memo[value] = 0; // cycles (none in SSA form) and block arguments: no
  Operation *def = value.getDefiningOp();
  if (!def)
    return false;
  bool data = false, ok = true;
  if (auto c = dyn_cast<arith::ConstantOp>(def)) {
    auto elements = dyn_cast<ElementsAttr>(c.getValue());
    data = elements && !(isa<DenseElementsAttr>(elements) &&
                         cast<DenseElementsAttr>(elements).isSplat());
  } else if (!isa<ConstantOp>(def)) {
    for (Value operand : def->getOperands())
      ok = ok && fromConstantsOnly(operand, memo, data);
    // Values a region captures from outside count as operands too.
    def->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (ok && !def->isAncestor(operand.getParentRegion()->getParentOp()))
          ok = fromConstantsOnly(operand, memo, data);
    });
  }
  memo[value] = ok ? (data ? 2 : 1) : 0;
  weightData |= ok && data;
  return ok;
}

SmallVector<LeftWeight> mlir::dc::findLeftWeights(ModuleOp module,
                                                  StringRef notEncodedReason) {
  SmallVector<LeftWeight> left;
  llvm::DenseMap<Value, int> memo;
  module.walk([&](linalg::LinalgOp op) {
    if (!linalg::isaConvolutionOpInterface(op) &&
        !linalg::isaContractionOpInterface(op))
      return;
    for (OpOperand *input : op.getDpsInputOperands()) {
      Value root = traceViews(input->get());
      if (isa_and_nonnull<DecompressOp>(root.getDefiningOp()))
        continue;
      bool data = false;
      if (!fromConstantsOnly(root, memo, data) || !data)
        continue;
      LeftWeight l;
      l.op = op;
      l.consumer = op->getName().getStringRef().str();
      llvm::raw_string_ostream loc(l.location);
      op->getLoc().print(loc);
      l.operand = input->getOperandNumber();
      llvm::raw_string_ostream type(l.type);
      input->get().getType().print(type);
      WeightUse use;
      auto rootType = cast<ShapedType>(root.getType());
      if (traceToWeight(root, use))
        l.reason = notEncodedReason.str();
      else if (isa<arith::ConstantOp>(root.getDefiningOp()) &&
               !rootType.getElementType().isF32()) {
        llvm::raw_string_ostream why(l.reason);
        why << "its element type is " << rootType.getElementType()
            << " (dc compresses f32 weights)";
      } else {
        l.reason = "it is computed by " +
                   root.getDefiningOp()->getName().getStringRef().str() +
                   ", which is not a view dc follows to a weight "
                   "(transposes, broadcasts, copies, casts, reshapes)";
      }
      left.push_back(std::move(l));
    }
  });
  return left;
}

LogicalResult mlir::dc::verifyOverrides(ModuleOp module,
                                        const CompressionOptions &options,
                                        ArrayRef<WeightUse> uses) {
  for (const LayerOverride &o : options.overrides) {
    if (llvm::any_of(uses, [&](const WeightUse &use) {
          return matchesLayer(use, o.pattern);
        }))
      continue;
    std::string names = llvm::join(
        llvm::map_range(uses, [](const WeightUse &u) { return u.name; }),
        ", ");
    // At the module's location, without printing the module.
    return mlir::emitError(module.getLoc())
           << "layer option '" << o.pattern
           << "' matches no layer (the layers: "
           << (names.empty() ? std::string("none") : names)
           << "; a pattern is a layer name, an op name such as "
              "linalg.matmul, or part of a location)";
  }
  return success();
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
  ::dc::StatusOr<std::vector<uint8_t>> mask =
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
  ::dc::StatusOr<codec::KMeansResult> result =
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
                                                    std::string &error,
                                                    const uint8_t *mask) {
  auto kept = [&](size_t i) { return mask ? mask[i] != 0 : values[i] != 0.0f; };
  QuantizedLayer layer;
  for (size_t i = 0; i < values.size(); ++i) {
    float v = values[i];
    if (!std::isfinite(v)) {
      error = "weights must be finite";
      return failure();
    }
    if (kept(i))
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
        !kept(i) ? -1
                 : int32_t(llvm::lower_bound(layer.codebook, values[i]) -
                           layer.codebook.begin());
  return layer;
}

/// The elements of an integer tensor constant (dense<> or a loaded
/// dense_resource<> of 8, 16 or 32 bits), sign- or zero-extended.
static LogicalResult readIntegers(arith::ConstantOp constant, bool isUnsigned,
                                  std::vector<int64_t> &out,
                                  std::string &error) {
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
      blob->getData().size() != n * (width / 8)) {
    error = "its integer blob '" + resource.getRawHandle().getKey().str() +
            "' is not loaded or has the wrong size";
    return failure();
  }
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

/// The values of an f32 weight constant as a vector; on failure `error`
/// says "cannot read its <what>".
static LogicalResult readFloats(arith::ConstantOp constant,
                                std::vector<float> &out, StringRef what,
                                std::string &error) {
  std::vector<float> storage;
  FailureOr<ArrayRef<float>> values = getWeightValues(constant, storage);
  if (failed(values)) {
    error = ("cannot read its " + what).str();
    return failure();
  }
  out.assign(values->begin(), values->end());
  return success();
}

/// Reads `use.codebook` and `use.constant` (the indices).
static LogicalResult readCodebookAndIndices(const WeightUse &use,
                                            std::vector<float> &codebook,
                                            std::vector<int64_t> &indices,
                                            std::string &error) {
  if (failed(readFloats(use.codebook, codebook, "codebook", error)))
    return failure();
  return readIntegers(use.constant, use.unsignedIndex, indices, error);
}

static bool checkIndex(int64_t index, size_t i, size_t k, std::string &error) {
  if (index >= 0 && uint64_t(index) < k)
    return true;
  error = "index " + std::to_string(index) + " at position " +
          std::to_string(i) + " is outside its codebook of " +
          std::to_string(k) + " values";
  return false;
}

FailureOr<QuantizedLayer> mlir::dc::readCodebookGather(WeightUse use,
                                                       std::string &error) {
  std::vector<float> codebook;
  std::vector<int64_t> indices;
  if (failed(readCodebookAndIndices(use, codebook, indices, error)))
    return failure();
  std::vector<float> values(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    if (!checkIndex(indices[i], i, codebook.size(), error))
      return failure();
    values[i] = codebook[indices[i]];
  }
  return collectCodebook(values, error);
}

FailureOr<QuantizedLayer> mlir::dc::readQuantizedForm(WeightUse use,
                                                      std::string &error) {
  std::vector<float> codebook;
  std::vector<int64_t> indices, mask;
  if (failed(readCodebookAndIndices(use, codebook, indices, error)) ||
      failed(readIntegers(use.mask, /*isUnsigned=*/true, mask, error)))
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
    if (!checkIndex(indices[i], i, codebook.size(), error))
      return failure();
    used[indices[i]] = 1;
  }
  QuantizedLayer layer;
  for (size_t k = 0; k < codebook.size(); ++k) {
    if (!used[k])
      continue;
    if (!std::isfinite(codebook[k])) {
      error = "codebook entry " + std::to_string(k) + " is not finite";
      return failure();
    }
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
                                       std::string &error) {
  if (failed(readFloats(use.constant, values, "values", error)))
    return failure();
  std::vector<int64_t> m;
  if (failed(readIntegers(use.mask, /*isUnsigned=*/true, m, error)))
    return failure();
  mask.resize(m.size());
  for (size_t i = 0; i < m.size(); ++i)
    mask[i] = m[i] != 0;
  return success();
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

//===----------------------------------------------------------------------===//
// Writing weights in a form
//===----------------------------------------------------------------------===//

/// Erases the weight's root op (now unused) and the constants only it used.
static void eraseWeight(WeightUse &use) {
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
static void writePrunedForm(WeightUse &use, ArrayRef<float> values,
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
static void writeQuantizedForm(WeightUse &use, const QuantizedLayer &layer) {
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
static void writeDense(WeightUse &use, ArrayRef<float> values,
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
static std::vector<float> sharedValues(const QuantizedLayer &layer) {
  std::vector<float> v(layer.indices.size(), 0.0f);
  for (size_t i = 0; i < v.size(); ++i)
    if (layer.indices[i] >= 0)
      v[i] = layer.codebook[layer.indices[i]];
  return v;
}

/// The values and keep mask of a Dense or Pruned weight (a Dense weight's
/// kept entries are its non-zero ones).
static LogicalResult readKept(const WeightUse &use, std::vector<float> &values,
                              std::vector<uint8_t> &mask, std::string &error) {
  if (use.form == WeightForm::Pruned)
    return readPrunedForm(use, values, mask, error);
  if (failed(readFloats(use.constant, values, "values", error)))
    return failure();
  mask.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    mask[i] = values[i] != 0.0f;
  return success();
}

/// The prune mask of a Dense or Pruned weight: by the policy over the kept
/// values, never reviving a pruned one (iterative pruning).
static FailureOr<std::vector<uint8_t>>
pruneKept(const WeightUse &use, const std::vector<float> &values,
          const std::vector<uint8_t> &kept, const LayerPolicy &policy,
          std::string &error) {
  if (use.form == WeightForm::Dense)
    return pruneMask(values, policy, error);
  std::vector<float> masked(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    masked[i] = kept[i] ? values[i] : 0.0f;
  FailureOr<std::vector<uint8_t>> mask = pruneMask(masked, policy, error);
  if (succeeded(mask))
    for (size_t i = 0; i < mask->size(); ++i)
      (*mask)[i] &= kept[i];
  return mask;
}

LogicalResult mlir::dc::encodeWeight(WeightUse use, QuantizedLayer &&layer,
                                     const LayerPolicy &policy,
                                     LayerReport &report) {
  arith::ConstantOp constant = use.constant;
  auto type = cast<RankedTensorType>(
      use.gather ? use.gather.getResult(0).getType() : constant.getType());
  ::dc::StatusOr<codec::MatrixShape> matrix =
      codec::matrixShapeOf(type.getShape().data(), type.getRank());
  if (!matrix.ok())
    return constant.emitError()
           << "layer '" << use.name << "': " << matrix.message();

  // Kept weights, counted before the dense layout gives pruned ones an index.
  uint64_t kept =
      llvm::count_if(layer.indices, [](int32_t i) { return i >= 0; });
  Layout layout;
  if (policy.layout == "auto") {
    codec::CSRAndDenseBytes raw = codec::rawStoredBytesCSRAndDense(
        *matrix, layer.codebook.size(), layer.indices.data(),
        policy.indexBits);
    layout = raw.dense < raw.csr ? Layout::Dense : Layout::CSR;
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
    params.weightBits = codec::weightBitsFor(layer.codebook.size());
    params.indexBits = layout == Layout::Dense ? 0 : policy.indexBits;
    params.entropy = entropy;
    if (params.weightBits > codec::kMaxWeightBits) {
      lastError = "codebook of " + std::to_string(layer.codebook.size()) +
                  " values does not fit " +
                  std::to_string(codec::kMaxWeightBits) + " bits";
      continue;
    }
    ::dc::StatusOr<codec::EncodedLayer> encoded = codec::encodeLayer(
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
  eraseWeight(use);

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

/// Calls `f` for every weight the policy does not skip that is Dense or
/// Pruned; a failure is reported at the weight as "layer 'NAME': WHY".
static LogicalResult forEachPrunableWeight(
    ModuleOp module, const CompressionOptions &config,
    function_ref<LogicalResult(WeightUse &, const LayerPolicy &, std::string &)>
        f) {
  SmallVector<WeightUse> uses = findWeights(module);
  if (failed(verifyOverrides(module, config, uses)))
    return failure();
  for (WeightUse &use : uses) {
    LayerPolicy policy = resolvePolicy(config, use);
    // Quantized forms and codebook gathers are already pruned and shared.
    if (policy.skip ||
        (use.form != WeightForm::Dense && use.form != WeightForm::Pruned))
      continue;
    Operation *at = use.constant;
    std::string why;
    if (failed(f(use, policy, why)))
      return at->emitError() << "layer '" << use.name << "': " << why;
  }
  return success();
}

LogicalResult mlir::dc::pruneWeights(ModuleOp module,
                                     const CompressionOptions &config,
                                     FormOption form) {
  return forEachPrunableWeight(module, config,
                               [&](WeightUse &use, const LayerPolicy &policy,
                                   std::string &why) -> LogicalResult {
                                 std::vector<float> values;
                                 std::vector<uint8_t> kept;
                                 if (failed(readKept(use, values, kept, why)))
                                   return failure();
                                 FailureOr<std::vector<uint8_t>> mask =
                                     pruneKept(use, values, kept, policy, why);
                                 if (failed(mask))
                                   return failure();
                                 if (form == FormOption::Trainable) {
                                   writePrunedForm(use, values, *mask);
                                   return success();
                                 }
                                 for (size_t i = 0; i < values.size(); ++i)
                                   values[i] = (*mask)[i] ? values[i] : 0.0f;
                                 writeDense(use, values, "_pruned");
                                 return success();
                               });
}

LogicalResult mlir::dc::quantizeWeights(ModuleOp module,
                                        const CompressionOptions &config,
                                        FormOption form) {
  return forEachPrunableWeight(
      module, config,
      [&](WeightUse &use, const LayerPolicy &policy,
          std::string &why) -> LogicalResult {
        std::vector<float> values;
        std::vector<uint8_t> kept;
        if (failed(readKept(use, values, kept, why)))
          return failure();
        FailureOr<QuantizedLayer> layer =
            quantizeValues(values, kept.data(), policy, config, why);
        if (failed(layer))
          return failure();
        if (form == FormOption::Trainable)
          writeQuantizedForm(use, *layer);
        else
          writeDense(use, sharedValues(*layer), "_shared");
        return success();
      });
}

LogicalResult
mlir::dc::encodeWeights(ModuleOp module, const CompressionOptions &config,
                        bool pruneAndQuantize, const ReportTarget &report,
                        function_ref<bool(const WeightUse &)> select,
                        SmallVectorImpl<LayerReport> *rows) {
  std::vector<float> storage;
  SmallVector<LayerReport, 0> reports;
  SmallVector<WeightUse> uses = findWeights(module);
  if (failed(verifyOverrides(module, config, uses)))
    return failure();
  for (WeightUse &use : uses) {
    LayerPolicy policy = resolvePolicy(config, use);
    if (policy.skip || (select && !select(use)))
      continue;
    std::string why;
    FailureOr<QuantizedLayer> layer = failure();
    if (use.form == WeightForm::CodebookGather) {
      // An externally trained codebook is encoded as it is.
      layer = readCodebookGather(use, why);
    } else if (use.form == WeightForm::Quantized) {
      layer = readQuantizedForm(use, why);
    } else if (use.form == WeightForm::Pruned) {
      std::vector<float> values;
      std::vector<uint8_t> kept;
      if (succeeded(readPrunedForm(use, values, kept, why))) {
        if (!pruneAndQuantize) {
          layer = collectCodebook(values, why, kept.data());
        } else {
          FailureOr<std::vector<uint8_t>> mask =
              pruneKept(use, values, kept, policy, why);
          if (succeeded(mask))
            layer = quantizeValues(values, mask->data(), policy, config, why);
        }
      }
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
  if (rows)
    rows->append(reports.begin(), reports.end());
  // Nothing silent: every constant weight left uncompressed is in the report
  // with its reason, and (unless the caller chose what to encode, or it was
  // skipped on request) a warning at its reader.
  const char *skipped = "skipped by a layer=NAME:skip=1 option";
  SmallVector<LeftWeight> left =
      findLeftWeights(module, select ? "not selected" : skipped);
  if (!select)
    for (const LeftWeight &l : left)
      if (l.reason != skipped)
        l.op->emitWarning() << "constant weight (operand " << l.operand << ", "
                            << l.type << ") left uncompressed: " << l.reason;
  return writeReport(module, report, reports, left);
}
