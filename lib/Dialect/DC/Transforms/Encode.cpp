//===- Encode.cpp - dc-encode: quantized weights to dc.constant -----------===//

#include "CompressionPass.h"
#include "PassArguments.h"

#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Dialect/DC/Transforms/Passes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCENCODE
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {
struct DCEncodePass
    : public CompressionPass<DCEncodePass,
                             mlir::dc::impl::DCEncodeBase<DCEncodePass>> {
  using CompressionPass::CompressionPass;

  /// The pass options, checked and parsed (also when the pass was built
  /// programmatically, without a pipeline string).
  LogicalResult collectOptions(OptionErrorFn emitError) {
    config = CompressionOptions();
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
      return encodeWeights(module, config, /*pruneAndQuantize=*/false,
                           reportTargetOf(*this, reportPath, reportFormat));
    });
  }
};
} // namespace

StringRef mlir::dc::encodePassArgument() {
  return DCEncodePass::getArgumentName();
}
