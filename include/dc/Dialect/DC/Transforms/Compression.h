//===- Compression.h - Shared machinery of the compression passes -*- C++
//-*-===//
//
// Finding the constant weights of a model, per-layer policy, the three
// stages of Deep Compression on one layer, and the report. dc-prune,
// dc-quantize, dc-encode and dc-compress are thin passes over this.
//
//===----------------------------------------------------------------------===//

#ifndef DC_DIALECT_DC_TRANSFORMS_COMPRESSION_H
#define DC_DIALECT_DC_TRANSFORMS_COMPRESSION_H

#include "dc/Codec/Format.h"
#include "dc/Codec/KMeans.h"
#include "dc/Dialect/DC/IR/DCOps.h"
#include "dc/Dialect/DC/Transforms/Forms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::dc {

enum class LayerKind { FullyConnected, Convolution };

/// A constant f32 weight feeding a linalg contraction or convolution, in one
/// of the forms of Forms.h: an arith.constant; an externally trained
/// codebook and index tensor (a linalg.generic that yields `codebook[index]`,
/// tensor.extract from a 1-D f32 constant at the index_cast of an integer
/// constant's element); or a trainable pruned or quantized form.
struct WeightUse {
  WeightForm form = WeightForm::Dense;
  /// The weight (Dense), its values `w` (Pruned), or the index tensor
  /// (CodebookGather, Quantized).
  arith::ConstantOp constant;
  /// The linalg.generic of the CodebookGather, Pruned and Quantized forms.
  linalg::GenericOp gather;
  arith::ConstantOp codebook; ///< CodebookGather, Quantized
  arith::ConstantOp mask;     ///< Pruned, Quantized: i8, non-zero = kept
  bool unsignedIndex = false; ///< the index is read with index_castui
  Operation *consumer;
  LayerKind kind;
  /// The constant's `dc.layer` attribute (set by the compression passes), a
  /// NameLoc of the consumer or the constant, the weight blob's key without
  /// a ".weight"/"_weight" suffix, or "layer<N>", in that order.
  std::string name;
  /// The consumer's location as printed (used to match overrides).
  std::string location;
};

/// The constant weights of every contraction and convolution in `module`, in
/// walk order, each constant once. Follows transposes, reshapes and casts
/// between a weight and its consumer.
SmallVector<WeightUse> findWeights(ModuleOp module);

/// One `NAME:key=value[:key=value...]` entry of the `layer` option.
struct LayerOverride {
  std::string pattern;
  std::optional<bool> skip;
  std::optional<double> sparsity, quality;
  std::optional<unsigned> bits, indexBits;
  std::optional<std::string> layout, entropy;
};
FailureOr<LayerOverride> parseLayerOverride(StringRef text, std::string &error);

/// Whether `pattern` selects `use` (name, consumer op name or location).
bool matchesLayer(const WeightUse &use, StringRef pattern);

/// Everything the stages need, from pass options; unset stages stay unset.
struct CompressionOptions {
  // dc-prune
  double sparsity = 0.9;
  double quality = 0.0;
  // dc-quantize
  unsigned fcBits = 5, convBits = 8;
  ::dc::codec::KMeansInit init = ::dc::codec::KMeansInit::Linear;
  uint64_t seed = 0;
  unsigned maxIterations = 100;
  // dc-encode
  unsigned indexBits = 0;
  std::string layout = "auto";
  std::string entropy = "auto";
  std::vector<LayerOverride> overrides;
};

/// Checks the numeric options and parses the string options shared by the
/// passes (init, layout, entropy, layer) into `options`. On failure `error`
/// says why (the passes report it when their pipeline is parsed).
LogicalResult parseCommonOptions(StringRef init, StringRef layout,
                                 StringRef entropy,
                                 ArrayRef<std::string> layers,
                                 CompressionOptions &options,
                                 std::string &error);

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

/// The settings of one layer after the overrides that match it.
struct LayerPolicy {
  bool skip = false;
  double sparsity = 0.9, quality = 0.0;
  unsigned bits = 5, indexBits = 5;
  std::string layout = "auto", entropy = "auto";
};
LayerPolicy resolvePolicy(const CompressionOptions &options,
                          const WeightUse &use);

/// The f32 values of a weight constant (dense<> or dense_resource<>): a view
/// of its storage when possible, else a copy in `storage`. Fails with a
/// diagnostic for elided blobs.
FailureOr<ArrayRef<float>> getWeightValues(arith::ConstantOp op,
                                           std::vector<float> &storage);

/// The discardable attribute that carries a layer's name from pass to pass
/// on its weight constant.
inline constexpr llvm::StringLiteral kLayerAttrName = "dc.layer";

/// Gives the constant new values, stored as a dense_resource blob, and
/// records the layer name on it.
void setWeightValues(arith::ConstantOp op, ArrayRef<float> values,
                     StringRef layer, StringRef blobSuffix);

/// Stage 1: the keep mask (1 = kept) of `values` under the policy.
FailureOr<std::vector<uint8_t>> pruneMask(ArrayRef<float> values,
                                          const LayerPolicy &policy,
                                          std::string &error);

/// A layer as a codebook and one index per element (-1 = pruned).
struct QuantizedLayer {
  std::vector<float> codebook;
  std::vector<int32_t> indices;
};

/// The layer of a codebook gather (`use.gather`): its codebook values at
/// the given indices, sorted and without zeros (zero-valued positions are
/// pruned). Fails for an index out of the codebook's range.
FailureOr<QuantizedLayer> readCodebookGather(WeightUse use, std::string &error);

/// The layer of a trainable quantized form, exactly: kept positions (mask
/// non-zero) index the codebook, which is sorted and stripped of unused and
/// repeated values. Fails for a kept index outside the codebook or a
/// non-finite centroid.
FailureOr<QuantizedLayer> readQuantizedForm(WeightUse use, std::string &error);

/// The values `w` and the mask of a trainable pruned form.
LogicalResult readPrunedForm(WeightUse use, std::vector<float> &values,
                             std::vector<uint8_t> &mask, std::string &error);

/// Stage 2: k-means over the kept values (`mask[i] != 0`; null = the
/// non-zero values). Pruned positions get index -1.
FailureOr<QuantizedLayer> quantizeValues(ArrayRef<float> values,
                                         const uint8_t *mask,
                                         const LayerPolicy &policy,
                                         const CompressionOptions &options,
                                         std::string &error);

/// Stage 2 skipped: the codebook is the sorted distinct kept values
/// (`mask[i] != 0`; null = the non-zero values); fails when there are more
/// than 2^8.
FailureOr<QuantizedLayer> collectCodebook(ArrayRef<float> values,
                                          std::string &error,
                                          const uint8_t *mask = nullptr);

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

/// A constant weight of a contraction or convolution that is not stored
/// compressed, and why (the report's "left uncompressed" lines).
struct LeftWeight {
  Operation *op = nullptr; ///< the reading op
  std::string consumer;    ///< its name
  std::string location; ///< the reading op's location as printed
  unsigned operand = 0;
  std::string type;     ///< the weight's tensor type as printed
  std::string reason;
};

/// Every DPS input of a contraction or convolution in `module` that is
/// computed from constants only and does not reach a dc.decompress through
/// views (WeightViews.h), with the reason: a weight findWeights finds but
/// that was not encoded (`notEncodedReason`), an element type other than
/// f32, or an op on the way that is not a view.
SmallVector<LeftWeight> findLeftWeights(ModuleOp module,
                                        StringRef notEncodedReason);

/// Fails (an error at `module`) if an entry of `options.overrides` matches
/// none of `uses`: a mistyped layer name is never silently ignored.
LogicalResult verifyOverrides(ModuleOp module,
                              const CompressionOptions &options,
                              ArrayRef<WeightUse> uses);

/// Fills the report columns a dc.constant determines by itself: shape,
/// layout, entropy, widths, bits per symbol (exact for raw streams; stream
/// bytes * 8 for Huffman ones, so at most 7 padding bits are counted) and
/// bytes. dc-encode/dc-compress and dc-report share it, so their figures
/// agree by construction. The caller sets name, kind and kept.
void describeStoredLayer(ConstantOp op, LayerReport &report);

/// Stage 3: encodes `layer` and replaces the weight constant by dc.constant
/// + dc.decompress. Fills `report`. Layout `auto` takes the layout (csr or
/// dense) with fewer raw bytes, computed without encoding; entropy `auto`
/// encodes both ways and keeps the smaller. `layer` is consumed (the dense
/// layout reuses its index buffer).
LogicalResult encodeWeight(WeightUse use, QuantizedLayer &&layer,
                           const LayerPolicy &policy, LayerReport &report);

/// dc-prune over every weight of `module`: dense weights are pruned into
/// `form`, pruned forms pruned further among their kept weights; quantized
/// forms and codebook gathers are left alone. Diagnostics are emitted at the
/// failing weight.
LogicalResult pruneWeights(ModuleOp module, const CompressionOptions &config,
                           FormOption form);

/// dc-quantize over every weight of `module`: k-means over the kept weights
/// of dense weights (non-zero) and pruned forms (the mask), written in
/// `form`; quantized forms and codebook gathers are left alone.
LogicalResult quantizeWeights(ModuleOp module, const CompressionOptions &config,
                              FormOption form);

/// Encodes every weight of `module` into dc.constant + dc.decompress, then
/// writes the report. With `pruneAndQuantize` (dc-compress) dense weights are
/// pruned and k-means quantized first, one layer at a time (a pruned form
/// only among its kept weights); without it (dc-encode) their distinct kept
/// values are the codebook. Codebook gathers and quantized forms are
/// encoded as they are.
/// Only the weights `select` accepts are encoded (all when null); `rows`,
/// when given, receives the report rows.
LogicalResult
encodeWeights(ModuleOp module, const CompressionOptions &config,
              bool pruneAndQuantize, const ReportTarget &report,
              function_ref<bool(const WeightUse &)> select = nullptr,
              SmallVectorImpl<LayerReport> *rows = nullptr);

/// For a compression pass's initializeOptions: after the generated parsing
/// (`parsed`), checks and collects the options, so that a bad value is an
/// error when the pipeline is parsed.
template <typename PassT>
LogicalResult
checkParsedOptions(PassT &pass, LogicalResult parsed,
                   function_ref<LogicalResult(const Twine &)> errorHandler) {
  if (failed(parsed))
    return failure();
  std::string error;
  if (failed(pass.collectOptions(error)))
    return errorHandler(error);
  return success();
}

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
                     ArrayRef<LeftWeight> left = {},
                     const ReportRun &run = {});

} // namespace mlir::dc

#endif // DC_DIALECT_DC_TRANSFORMS_COMPRESSION_H
