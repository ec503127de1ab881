//===- Policy.cpp - The compression passes' options and layer policy ------===//

#include "dc/Codec/Format.h"
#include "dc/Dialect/DC/Transforms/CompressionOptions.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dc;
namespace codec = ::dc::codec;

static bool parseDouble(StringRef text, double &out) {
  return !text.getAsDouble(out) && std::isfinite(out);
}

FailureOr<LayerOverride> mlir::dc::parseLayerOverride(StringRef text,
                                                      OptionErrorFn emitError) {
  SmallVector<StringRef> parts;
  text.split(parts, ':');
  LayerOverride result;
  result.pattern = parts[0].trim().str();
  if (result.pattern.empty() || parts.size() < 2)
    return emitError("expected NAME:key=value[:key=value...], got '" + text +
                     "'");
  for (StringRef part : llvm::drop_begin(parts)) {
    auto [key, value] = part.split('=');
    key = key.trim();
    value = value.trim();
    double number = 0;
    unsigned integer = 0;
    std::optional<LayoutOption> layout;
    std::optional<EntropyOption> entropy;
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
               (layout = symbolizeOption(kLayoutValues, value))) {
      result.layout = layout;
    } else if (key == "entropy" &&
               (entropy = symbolizeOption(kEntropyValues, value))) {
      result.entropy = entropy;
    } else {
      return emitError("bad setting '" + part + "' for layer '" +
                       result.pattern +
                       "' (keys: sparsity in [0,1], quality >= 0, bits in "
                       "[1,8], index-bits in [0,8], layout " +
                       optionNames(kLayoutValues, "|") + ", entropy " +
                       optionNames(kEntropyValues, "|") + ", skip 0|1)");
    }
  }
  return result;
}

LogicalResult mlir::dc::checkCommonOptions(CompressionOptions &options,
                                           ArrayRef<std::string> layers,
                                           OptionErrorFn emitError) {
  if (!(options.sparsity >= 0 && options.sparsity <= 1))
    return emitError("sparsity must be in [0, 1], got " +
                     std::to_string(options.sparsity));
  if (!(options.quality >= 0) || !std::isfinite(options.quality))
    return emitError("quality must be >= 0, got " +
                     std::to_string(options.quality));
  for (unsigned bits : {options.fcBits, options.convBits})
    if (bits < 1 || bits > codec::kMaxWeightBits)
      return emitError("fc-bits and conv-bits must be in [1, " +
                       Twine(codec::kMaxWeightBits) + "], got " + Twine(bits));
  if (options.indexBits > codec::kMaxIndexBits)
    return emitError(
        "index-bits must be in [0, " + Twine(codec::kMaxIndexBits) +
        "] (0 = 5 for fc, 8 for conv), got " + Twine(options.indexBits));
  options.overrides.clear();
  for (const std::string &layer : layers) {
    FailureOr<LayerOverride> parsed =
        parseLayerOverride(layer, [&](const Twine &why) {
          return emitError("layer option: " + why);
        });
    if (failed(parsed))
      return failure();
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

LogicalResult mlir::dc::verifyOverrides(ModuleOp module,
                                        const CompressionOptions &options,
                                        ArrayRef<WeightUse> uses) {
  for (const LayerOverride &o : options.overrides) {
    if (llvm::any_of(uses, [&](const WeightUse &use) {
          return matchesLayer(use, o.pattern);
        }))
      continue;
    std::string names = llvm::join(
        llvm::map_range(uses, [](const WeightUse &u) { return u.name; }), ", ");
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
