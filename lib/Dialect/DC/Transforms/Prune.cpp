//===- Prune.cpp - dc-prune: magnitude pruning of constant weights --------===//

#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Dialect/DC/Transforms/Passes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCPRUNE
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {
struct DCPrunePass : public mlir::dc::impl::DCPruneBase<DCPrunePass> {
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
    config.sparsity = sparsity;
    config.quality = quality;
    return checkCommonOptions(config, layerOptions, emitError);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(collectOptions([&](const Twine &message) -> LogicalResult {
          return module.emitError(message);
        })))
      return signalPassFailure();
    if (failed(pruneWeights(module, config, form)))
      signalPassFailure();
  }

  CompressionOptions config;
};
} // namespace
