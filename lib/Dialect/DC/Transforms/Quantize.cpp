//===- Quantize.cpp - dc-quantize: k-means weight sharing -----------------===//

#include "CompressionPass.h"
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
struct DCQuantizePass
    : public CompressionPass<DCQuantizePass,
                             mlir::dc::impl::DCQuantizeBase<DCQuantizePass>> {
  using CompressionPass::CompressionPass;

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
    runStage([&](ModuleOp module, const CompressionOptions &config) {
      return quantizeWeights(module, config, form);
    });
  }
};
} // namespace

StringRef mlir::dc::quantizePassArgument() {
  return DCQuantizePass::getArgumentName();
}
