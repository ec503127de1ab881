//===- Prune.cpp - dc-prune: magnitude pruning of constant weights --------===//

#include "CompressionPass.h"
#include "dc/Dialect/DC/Transforms/Passes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCPRUNE
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {
struct DCPrunePass
    : public CompressionPass<DCPrunePass,
                             mlir::dc::impl::DCPruneBase<DCPrunePass>> {
  using CompressionPass::CompressionPass;

  /// The pass options, checked and parsed (also when the pass was built
  /// programmatically, without a pipeline string).
  LogicalResult collectOptions(OptionErrorFn emitError) {
    config = CompressionOptions();
    config.sparsity = sparsity;
    config.quality = quality;
    return checkCommonOptions(config, layerOptions, emitError);
  }

  void runOnOperation() override {
    runStage([&](ModuleOp module, const CompressionOptions &config) {
      return pruneWeights(module, config, form);
    });
  }
};
} // namespace
