//===- ReportPass.cpp - dc-report: the report of a compressed module ------===//

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

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto emitError = [&] { return module.emitError(); };
    std::string error;
    if (failed(checkReportFormat(reportFormat, error))) {
      emitError() << error;
      return signalPassFailure();
    }
    SmallVector<LayerReport> reports;
    WalkResult result = module.walk([&](ConstantOp op) {
      FailureOr<LayerReport> report = reportConstant(op, reports.size());
      if (failed(report))
        return WalkResult::interrupt();
      reports.push_back(std::move(*report));
      return WalkResult::advance();
    });
    if (result.wasInterrupted() ||
        failed(writeReport(reportPath, reportFormat, reports, emitError)))
      return signalPassFailure();
    markAllAnalysesPreserved();
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
      codec::Status status = codec::decodeIndices(*view, indices);
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
