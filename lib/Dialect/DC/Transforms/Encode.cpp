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
    config.indexBits = indexBits;
    if (failed(checkReportFormat(reportFormat, error)))
      return failure();
    return parseCommonOptions("linear", layout, entropy, layerOptions, config,
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
    SmallVector<LayerReport> reports;
    for (WeightUse &use : findWeights(module)) {
      LayerPolicy policy = resolvePolicy(config, use);
      if (policy.skip)
        continue;
      std::string why;
      FailureOr<QuantizedLayer> layer = failure();
      if (use.gather) {
        layer = readCodebookGather(use, why);
      } else {
        FailureOr<ArrayRef<float>> values =
            getWeightValues(use.constant, storage);
        if (failed(values))
          return signalPassFailure();
        layer = collectCodebook(*values, why);
      }
      if (failed(layer)) {
        use.constant.emitError() << "layer '" << use.name << "' " << why;
        return signalPassFailure();
      }
      if (failed(encodeWeight(use, std::move(*layer), policy,
                              reports.emplace_back())))
        return signalPassFailure();
    }
    if (failed(writeReport(reportPath, reportFormat, reports,
                           [&] { return module.emitError(); })))
      return signalPassFailure();
  }
};
} // namespace
