//===- Report.h - The per-layer compression report --------------*- C++ -*-===//
//
// The paper's per-layer table (text) and its JSON form, written by
// dc-compress, dc-encode and dc-report (docs/Compression.md).
//
//===----------------------------------------------------------------------===//

#ifndef DC_DIALECT_DC_TRANSFORMS_REPORT_H
#define DC_DIALECT_DC_TRANSFORMS_REPORT_H

#include "dc/Dialect/DC/Analysis/Weights.h"
#include "dc/Dialect/DC/IR/DCOps.h"
#include "dc/Dialect/DC/Transforms/Forms.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::dc {

/// One line of the report.
struct LayerReport {
  std::string name;
  SmallVector<int64_t> shape;
  std::string kind, layout, entropy;
  uint64_t weights = 0, kept = 0;
  unsigned weightBits = 0, indexBits = 0;
  /// Stored bits per weight index, and gap bits per kept weight (escapes
  /// included); the raw widths times the symbol counts without Huffman.
  double weightBitsCoded = 0, indexBitsCoded = 0;
  uint64_t bytesBefore = 0;
  uint64_t bytesNoEntropy = 0; ///< stored bytes with entropy = none
  uint64_t bytesAfter = 0;     ///< stored bytes (= the dc.constant payload)
  /// "stored" (a dc.constant), or the form of a weight not stored yet whose
  /// figures are what dc-encode would store: "pruned", "quantized",
  /// "codebook-gather" (dc-report).
  std::string form = "stored";
};

/// Where and how a pass writes its report (its `report` and
/// `report-format` options), and the pass as run, which the JSON report
/// records.
struct ReportTarget {
  std::string path; ///< "" = no report, "-" = stdout
  ReportFormat format = ReportFormat::Text;
  std::string pass; ///< e.g. "dc-compress{sparsity=0.9 ...}"
};

/// A pass's ReportTarget from its `report` and `report-format` options.
inline ReportTarget reportTargetOf(Pass &pass, StringRef path,
                                   ReportFormat format) {
  ReportTarget target{path.str(), format, ""};
  llvm::raw_string_ostream os(target.pass);
  pass.printAsTextualPipeline(os);
  return target;
}

/// Refuses (with an error at the report's path) a report that would be
/// written over the running tool's input or output (dc::toolFiles(),
/// dc/Support/FileIO.h). The passes with a `report` option call it from
/// initialize(), before the pipeline does any work.
LogicalResult checkReportPath(MLIRContext *context, StringRef path);

/// Fills the report columns a dc.constant determines by itself: shape,
/// layout, entropy, widths, bits per symbol (exact for raw streams; stream
/// bytes * 8 for Huffman ones, so at most 7 padding bits are counted) and
/// bytes (the codec's size rules). dc-encode/dc-compress and dc-report
/// share it, so their figures agree by construction. The caller sets name,
/// kind and kept.
void describeStoredLayer(ConstantOp op, LayerReport &report);

/// What a report records of its run besides the layers: dc's version, the
/// input (the file `module` was read from, and its name) and the pass.
struct ReportRun {
  std::string version, input, module, pass;
};
ReportRun reportRunOf(ModuleOp module, StringRef pass);

/// Writes the report of `module` (text table like the paper's or JSON) to
/// `target.path` ('-' = stdout; nothing when empty), atomically; an error
/// is reported at `module`. `left` adds the weights left uncompressed, with
/// their reasons.
LogicalResult writeReport(ModuleOp module, const ReportTarget &target,
                          ArrayRef<LayerReport> layers,
                          ArrayRef<LeftWeight> left = {});
void printReportText(llvm::raw_ostream &os, ArrayRef<LayerReport> layers,
                     ArrayRef<LeftWeight> left = {});
void printReportJSON(llvm::raw_ostream &os, ArrayRef<LayerReport> layers,
                     ArrayRef<LeftWeight> left = {}, const ReportRun &run = {});

} // namespace mlir::dc

#endif // DC_DIALECT_DC_TRANSFORMS_REPORT_H
