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
    CompressedTensorType type = op.getType();
    EncodingAttr enc = type.getEncoding();
    LayerReport r;
    auto name = dyn_cast<NameLoc>(op.getLoc());
    if (std::optional<StringRef> layer = op.getLayer())
      r.name = layer->str();
    else
      r.name = name ? name.getName().str() : "layer" + std::to_string(index);
    r.shape.assign(type.getShape().begin(), type.getShape().end());
    r.kind = "-";
    r.layout = stringifyLayout(enc.getLayout()).str();
    r.entropy = stringifyEntropy(enc.getEntropy()).str();
    r.weights = type.getNumElements();
    r.weightBits = enc.getWeightBits();
    r.indexBits = enc.getIndexBits();
    uint64_t numWeights = op.getNumWeights();
    r.kept = numWeights;
    if (!enc.isSparse()) {
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
    auto bytesOf = [](std::optional<DenseResourceElementsAttr> stream) {
      return stream && *stream
                 ? uint64_t(
                       cast<RankedTensorType>(stream->getType()).getDimSize(0))
                 : uint64_t(0);
    };
    uint64_t weightBytes = bytesOf(op.getWeights());
    uint64_t gapBytes = bytesOf(op.getGaps());
    setCodedBits(r, enc.getEntropy() == Entropy::Huffman, numWeights,
                 op.getNumGaps(), weightBytes, gapBytes);
    r.bytesBefore = r.weights * sizeof(float);
    r.bytesAfter = op.getStoredBytes();
    r.bytesNoEntropy = codec::kHeaderBytes + 4 * op.getCodebook().size() +
                       bytesOf(op.getRowPtr()) +
                       (numWeights * r.weightBits + 7) / 8 +
                       (uint64_t(op.getNumGaps()) * r.indexBits + 7) / 8;
    return r;
  }
};
} // namespace
