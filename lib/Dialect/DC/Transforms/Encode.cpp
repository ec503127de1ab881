//===- Encode.cpp - dc-encode: quantized weights to dc.constant -----------===//

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
struct DCEncodePass : public mlir::dc::impl::DCEncodeBase<DCEncodePass> {
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
    config.indexBits = indexBits;
    config.layout = layout;
    config.entropy = entropy;
    return checkCommonOptions(config, layerOptions, emitError);
  }

  LogicalResult initialize(MLIRContext *context) override {
    return checkReportPath(context, reportPath);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(collectOptions([&](const Twine &message) -> LogicalResult {
          return module.emitError(message);
        })))
      return signalPassFailure();
    if (failed(encodeWeights(module, config, /*pruneAndQuantize=*/false,
                             reportTargetOf(*this, reportPath, reportFormat))))
      signalPassFailure();
  }

  CompressionOptions config;
};
} // namespace

StringRef mlir::dc::encodePassArgument() {
  return DCEncodePass::getArgumentName();
}
