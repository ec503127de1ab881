//===- Encode.cpp - dc-encode: quantized weights to dc.constant -----------===//

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
  LogicalResult collectOptions(std::string &error) {
    config = CompressionOptions();
    config.indexBits = indexBits;
    return parseCommonOptions("linear", layout, entropy, layerOptions, config,
                              error);
  }

  LogicalResult initialize(MLIRContext *context) override {
    return checkReportPath(context, reportPath);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string error;
    if (failed(collectOptions(error))) {
      module.emitError() << error;
      return signalPassFailure();
    }
    if (failed(encodeWeights(module, config, /*pruneAndQuantize=*/false,
                             reportTargetOf(*this, reportPath, reportFormat))))
      signalPassFailure();
  }

  CompressionOptions config;
};
} // namespace
