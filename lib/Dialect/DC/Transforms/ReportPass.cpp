//===- ReportPass.cpp - dc-report: the report of a compressed module ------===//

#include "PassArguments.h"

#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Dialect/DC/Transforms/Passes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCREPORT
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;
namespace codec = ::dc::codec;

namespace {
struct DCReportPass : public mlir::dc::impl::DCReportBase<DCReportPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override {
    return checkReportPath(context, reportPath);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LayerReport, 0> reports;
    WalkResult result = module.walk([&](ConstantOp op) {
      FailureOr<LayerReport> report = reportConstant(op, reports.size());
      if (failed(report))
        return WalkResult::interrupt();
      reports.push_back(std::move(*report));
      return WalkResult::advance();
    });
    if (result.wasInterrupted() || failed(reportForms(module, reports)) ||
        failed(writeReport(
            module, reportTargetOf(*this, reportPath, reportFormat), reports,
            findLeftWeights(module, ("not encoded (" + encodePassArgument() +
                                     " or " + compressPassArgument() +
                                     " stores it)")
                                        .str()))))
      return signalPassFailure();
    markAllAnalysesPreserved();
  }

  /// Weights not stored yet (trainable forms, codebook gathers): the rows
  /// dc-encode (default options) would write, from an encoded copy.
  LogicalResult reportForms(ModuleOp module,
                            SmallVectorImpl<LayerReport> &reports) {
    SmallVector<WeightForm> forms;
    for (const WeightUse &use : findWeights(module))
      if (use.form != WeightForm::Dense)
        forms.push_back(use.form);
    if (forms.empty())
      return success();
    OwningOpRef<ModuleOp> copy = module.clone();
    SmallVector<LayerReport, 0> rows;
    if (failed(encodeWeights(
            *copy, CompressionOptions(), /*pruneAndQuantize=*/false, {},
            [](const WeightUse &use) { return use.form != WeightForm::Dense; },
            &rows)))
      return failure();
    for (auto [row, form] : llvm::zip_equal(rows, forms)) {
      row.form = form == WeightForm::Pruned      ? "pruned"
                 : form == WeightForm::Quantized ? "quantized"
                                                 : "codebook-gather";
      reports.push_back(std::move(row));
    }
    return success();
  }

  FailureOr<LayerReport> reportConstant(ConstantOp op, size_t index) {
    LayerReport r;
    describeStoredLayer(op, r);
    auto name = dyn_cast<NameLoc>(op.getLoc());
    if (std::optional<StringRef> layer = op.getLayer())
      r.name = layer->str();
    else
      r.name = name ? name.getName().str() : "layer" + std::to_string(index);
    r.kind = "-";
    r.kept = op.getNumWeights();
    if (!op.getType().getEncoding().isSparse()) {
      // Kept = positions whose codebook value is not zero: needs decoding.
      FailureOr<codec::LayerView> view = op.getLayerView();
      if (failed(view))
        return failure();
      std::vector<int32_t> indices;
      ::dc::Status status = codec::decodeIndices(*view, indices);
      if (!status.ok())
        return op.emitOpError()
               << "payload does not decode: " << status.message();
      ArrayRef<float> codebook = op.getCodebook();
      r.kept = llvm::count_if(
          indices, [&](int32_t i) { return i >= 0 && codebook[i] != 0.0f; });
    }
    return r;
  }
};
} // namespace
