//===- Stages.cpp - Pruning and weight sharing --------------------------===//
//
// Deep Compression's first two stages on one layer and over a module
// (dc-prune, dc-quantize). The algorithms themselves (pruning thresholds,
// k-means) live in the MLIR-free codec; this file connects them to the IR.
//
//===----------------------------------------------------------------------===//

#include "Stages.h"

#include "dc/Codec/KMeans.h"
#include "dc/Codec/Prune.h"
#include "dc/Dialect/DC/Transforms/Compression.h"

using namespace mlir;
using namespace mlir::dc;
namespace codec = ::dc::codec;

FailureOr<std::vector<uint8_t>> mlir::dc::pruneMask(ArrayRef<float> values,
                                                    const LayerPolicy &policy,
                                                    LayerErrorFn emitError) {
  ::dc::StatusOr<std::vector<uint8_t>> mask =
      policy.quality > 0
          ? codec::pruneByQuality(values.data(), values.size(), policy.quality)
          : codec::pruneBySparsity(values.data(), values.size(),
                                   policy.sparsity);
  if (!mask.ok())
    return emitError() << mask.message();
  return std::move(*mask);
}

FailureOr<std::vector<uint8_t>>
mlir::dc::pruneKept(const WeightUse &use, const std::vector<float> &values,
                    const std::vector<uint8_t> &kept, const LayerPolicy &policy,
                    LayerErrorFn emitError) {
  if (use.form == WeightForm::Dense)
    return pruneMask(values, policy, emitError);
  std::vector<float> masked(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    masked[i] = kept[i] ? values[i] : 0.0f;
  FailureOr<std::vector<uint8_t>> mask = pruneMask(masked, policy, emitError);
  if (succeeded(mask))
    for (size_t i = 0; i < mask->size(); ++i)
      (*mask)[i] &= kept[i];
  return mask;
}

FailureOr<QuantizedLayer> mlir::dc::quantizeValues(
    ArrayRef<float> values, const uint8_t *mask, const LayerPolicy &policy,
    const CompressionOptions &options, LayerErrorFn emitError) {
  std::vector<uint8_t> nonZero;
  if (!mask) {
    nonZero.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i)
      nonZero[i] = values[i] != 0.0f;
    mask = nonZero.data();
  }
  codec::KMeansOptions kmeans;
  kmeans.k = 1u << policy.bits;
  kmeans.init = options.init == InitOption::Density ? codec::KMeansInit::Density
                : options.init == InitOption::Random
                    ? codec::KMeansInit::Random
                    : codec::KMeansInit::Linear;
  kmeans.seed = options.seed;
  kmeans.maxIterations = options.maxIterations;
  ::dc::StatusOr<codec::KMeansResult> result =
      codec::kmeans1D(values.data(), values.size(), mask, kmeans);
  if (!result.ok())
    return emitError() << result.message();
  QuantizedLayer layer;
  layer.codebook = std::move(result->centroids);
  layer.indices = std::move(result->assignment);
  return layer;
}

/// Calls `f` with the values and kept positions (readKept) of every weight
/// the policy does not skip that is Dense or Pruned; `f` reports a failure
/// at the weight as "layer 'NAME': WHY".
static LogicalResult forEachPrunableWeight(
    ModuleOp module, const CompressionOptions &config,
    function_ref<LogicalResult(WeightUse &, const LayerPolicy &,
                               std::vector<float> &, std::vector<uint8_t> &,
                               LayerErrorFn)>
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
    std::string name = use.name;
    auto emitError = [&] {
      return at->emitError() << "layer '" << name << "': ";
    };
    std::vector<float> values;
    std::vector<uint8_t> kept;
    if (failed(readKept(use, values, kept, emitError)) ||
        failed(f(use, policy, values, kept, emitError)))
      return failure();
  }
  return success();
}

LogicalResult mlir::dc::pruneWeights(ModuleOp module,
                                     const CompressionOptions &config,
                                     FormOption form) {
  return forEachPrunableWeight(
      module, config,
      [&](WeightUse &use, const LayerPolicy &policy,
          std::vector<float> &values, std::vector<uint8_t> &kept,
          LayerErrorFn emitError) -> LogicalResult {
        FailureOr<std::vector<uint8_t>> mask =
            pruneKept(use, values, kept, policy, emitError);
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
          std::vector<float> &values, std::vector<uint8_t> &kept,
          LayerErrorFn emitError) -> LogicalResult {
        FailureOr<QuantizedLayer> layer =
            quantizeValues(values, kept.data(), policy, config, emitError);
        if (failed(layer))
          return failure();
        if (form == FormOption::Trainable)
          writeQuantizedForm(use, *layer);
        else
          writeDense(use, sharedValues(*layer), "_shared");
        return success();
      });
}
