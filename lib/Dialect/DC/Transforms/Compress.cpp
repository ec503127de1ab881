//===- Compress.cpp - dc-compress: the three stages, layer by layer -------===//

#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Dialect/DC/Transforms/Passes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCCOMPRESS
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {
struct DCCompressPass : public mlir::dc::impl::DCCompressBase<DCCompressPass> {
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
    config.sparsity = sparsity;
    config.quality = quality;
    config.fcBits = fcBits;
    config.convBits = convBits;
    config.seed = seed;
    config.maxIterations = maxIterations;
    config.indexBits = indexBits;
    if (failed(checkReportFormat(reportFormat, error)))
      return failure();
    return parseCommonOptions(init, layout, entropy, layerOptions, config,
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

    // One layer at a time, with no dense copy of its weights: the prune
    // mask, then the k-means indices are the only per-weight buffers.
    std::vector<float> storage;
    SmallVector<LayerReport> reports;
    for (WeightUse &use : findWeights(module)) {
      LayerPolicy policy = resolvePolicy(config, use);
      if (policy.skip)
        continue;
      std::string why;
      FailureOr<QuantizedLayer> layer = failure();
      if (use.gather) {
        // An externally trained codebook is encoded as it is.
        layer = readCodebookGather(use, why);
      } else {
        FailureOr<ArrayRef<float>> values =
            getWeightValues(use.constant, storage);
        if (failed(values))
          return signalPassFailure();
        // The mask (one byte a weight) lives only until k-means is done.
        FailureOr<std::vector<uint8_t>> mask = pruneMask(*values, policy, why);
        if (succeeded(mask))
          layer = quantizeValues(*values, mask->data(), policy, config, why);
      }
      if (failed(layer)) {
        use.constant.emitError() << "layer '" << use.name << "': " << why;
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
