//===- Quantize.cpp - dc-quantize: k-means weight sharing -----------------===//

#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Dialect/DC/Transforms/Passes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCQUANTIZE
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {
struct DCQuantizePass : public mlir::dc::impl::DCQuantizeBase<DCQuantizePass> {
  using Base::Base;

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Base::initializeOptions(options, errorHandler)))
      return failure();
    std::string error;
    if (failed(collectOptions(error)))
      return errorHandler(error);
    return success();
  }

  /// The pass options, checked and parsed (also when the pass was built
  /// programmatically, without a pipeline string).
  LogicalResult collectOptions(std::string &error) {
    config = CompressionOptions();
    config.fcBits = fcBits;
    config.convBits = convBits;
    config.seed = seed;
    config.maxIterations = maxIterations;
    return parseCommonOptions(init, "auto", "auto", layerOptions, config,
                              error);
  }

  CompressionOptions config;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string error;
    if (failed(collectOptions(error))) {
      module.emitError() << error;
      return signalPassFailure();
    }

    std::vector<float> storage;
    for (WeightUse &use : findWeights(module)) {
      LayerPolicy policy = resolvePolicy(config, use);
      // A codebook gather is already pruned and quantized.
      if (policy.skip || use.gather)
        continue;
      FailureOr<ArrayRef<float>> values =
          getWeightValues(use.constant, storage);
      if (failed(values))
        return signalPassFailure();
      std::string why;
      FailureOr<QuantizedLayer> layer =
          quantizeValues(*values, /*mask=*/nullptr, policy, config, why);
      if (failed(layer)) {
        use.constant.emitError() << "layer '" << use.name << "': " << why;
        return signalPassFailure();
      }
      std::vector<float> shared(values->size(), 0.0f);
      for (size_t i = 0; i < shared.size(); ++i)
        if (layer->indices[i] >= 0)
          shared[i] = layer->codebook[layer->indices[i]];
      setWeightValues(use.constant, shared, use.name, "_shared");
    }
  }
};
} // namespace
