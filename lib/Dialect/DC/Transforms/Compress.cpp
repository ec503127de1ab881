//===- Compress.cpp - dc-compress: the three stages, layer by layer -------===//

#include "CompressionPass.h"
#include "PassArguments.h"

#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Dialect/DC/Transforms/Passes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCCOMPRESS
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {
struct DCCompressPass
    : public CompressionPass<DCCompressPass,
                             mlir::dc::impl::DCCompressBase<DCCompressPass>> {
  using CompressionPass::CompressionPass;

  /// The pass options, checked and parsed (also when the pass was built
  /// programmatically, without a pipeline string).
  LogicalResult collectOptions(OptionErrorFn emitError) {
    config = CompressionOptions();
    config.sparsity = sparsity;
    config.quality = quality;
    config.fcBits = fcBits;
    config.convBits = convBits;
    config.init = init;
    config.seed = seed;
    config.maxIterations = maxIterations;
    config.indexBits = indexBits;
    config.layout = layout;
    config.entropy = entropy;
    return checkCommonOptions(config, layerOptions, emitError);
  }

  LogicalResult initialize(MLIRContext *context) override {
    return checkReportPath(context, reportPath);
  }

  void runOnOperation() override {
    runStage([&](ModuleOp module, const CompressionOptions &config) {
      return encodeWeights(module, config, /*pruneAndQuantize=*/true,
                           reportTargetOf(*this, reportPath, reportFormat));
    });
  }
};
} // namespace

StringRef mlir::dc::compressPassArgument() {
  return DCCompressPass::getArgumentName();
}
