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
    return checkParsedOptions(
        *this, Base::initializeOptions(options, errorHandler), errorHandler);
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

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string error;
    if (failed(collectOptions(error))) {
      module.emitError() << error;
      return signalPassFailure();
    }
    auto quantize = [&](ArrayRef<float> values, const LayerPolicy &policy,
                        std::string &why) -> FailureOr<std::vector<float>> {
      FailureOr<QuantizedLayer> layer =
          quantizeValues(values, /*mask=*/nullptr, policy, config, why);
      if (failed(layer))
        return failure();
      std::vector<float> shared(values.size(), 0.0f);
      for (size_t i = 0; i < shared.size(); ++i)
        if (layer->indices[i] >= 0)
          shared[i] = layer->codebook[layer->indices[i]];
      return shared;
    };
    if (failed(rewriteDenseWeights(module, config, "_shared", quantize)))
      signalPassFailure();
  }

  CompressionOptions config;
};
} // namespace
