//===- Quantize.cpp - dc-quantize: k-means weight sharing -----------------===//

#include "PassArguments.h"

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
  LogicalResult collectOptions(OptionErrorFn emitError) {
    config = CompressionOptions();
    config.fcBits = fcBits;
    config.convBits = convBits;
    config.init = init;
    config.seed = seed;
    config.maxIterations = maxIterations;
    return checkCommonOptions(config, layerOptions, emitError);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(collectOptions([&](const Twine &message) -> LogicalResult {
          return module.emitError(message);
        })))
      return signalPassFailure();
    if (failed(quantizeWeights(module, config, form)))
      signalPassFailure();
  }

  CompressionOptions config;
};
} // namespace

StringRef mlir::dc::quantizePassArgument() {
  return DCQuantizePass::getArgumentName();
}
