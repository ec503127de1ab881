//===- Encoding.cpp - Storing weights as dc.constant payloads -------------===//
//
// Deep Compression's third stage: a layer's codebook and indices encoded by
// the codec (docs/Format.md) into dc.constant + dc.decompress, and the
// library entry point that runs the stages over a module (dc-encode,
// dc-compress).
//
//===----------------------------------------------------------------------===//

#include "Stages.h"

#include "dc/Codec/Format.h"
#include "dc/Dialect/DC/Transforms/Compression.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <optional>

using namespace mlir;
using namespace mlir::dc;
namespace codec = ::dc::codec;

/// The dense layout has no pruned positions: 0.0 joins the codebook (if it
/// is not there yet) and pruned positions index it. In place.
static void makeZeroExplicit(QuantizedLayer &layer) {
  if (!llvm::is_contained(layer.indices, -1))
    return;
  auto zeroIt = llvm::lower_bound(layer.codebook, 0.0f);
  int32_t zero = zeroIt - layer.codebook.begin();
  bool insert = zeroIt == layer.codebook.end() || *zeroIt != 0.0f;
  if (insert)
    layer.codebook.insert(zeroIt, 0.0f);
  for (int32_t &idx : layer.indices)
    idx = idx < 0 ? zero : (insert && idx >= zero ? idx + 1 : idx);
}

static DenseResourceElementsAttr makeStream(MLIRContext *ctx, StringRef key,
                                            const std::vector<uint8_t> &bytes) {
  auto type =
      RankedTensorType::get({int64_t(bytes.size())}, IntegerType::get(ctx, 8));
  return DenseResourceElementsAttr::get(
      type, key,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(reinterpret_cast<const char *>(bytes.data()),
                         bytes.size()),
          /*align=*/1));
}

static DenseI8ArrayAttr makeTable(MLIRContext *ctx,
                                  const std::vector<uint8_t> &table) {
  return DenseI8ArrayAttr::get(
      ctx, ArrayRef<int8_t>(reinterpret_cast<const int8_t *>(table.data()),
                            table.size()));
}

LogicalResult mlir::dc::encodeWeight(WeightUse use, QuantizedLayer &&layer,
                                     const LayerPolicy &policy,
                                     LayerReport &report) {
  arith::ConstantOp constant = use.constant;
  auto type = cast<RankedTensorType>(
      use.gather ? use.gather.getResult(0).getType() : constant.getType());
  ::dc::StatusOr<codec::MatrixShape> matrix =
      codec::matrixShapeOf(type.getShape().data(), type.getRank());
  if (!matrix.ok())
    return constant.emitError()
           << "layer '" << use.name << "': " << matrix.message();

  // Kept weights, counted before the dense layout gives pruned ones an index.
  uint64_t kept =
      llvm::count_if(layer.indices, [](int32_t i) { return i >= 0; });
  Layout layout;
  if (policy.layout == LayoutOption::Auto) {
    codec::CSRAndDenseBytes raw = codec::rawStoredBytesCSRAndDense(
        *matrix, layer.codebook.size(), layer.indices.data(), policy.indexBits);
    layout = raw.dense < raw.csr ? Layout::Dense : Layout::CSR;
  } else {
    layout = policy.layout == LayoutOption::CSC     ? Layout::CSC
             : policy.layout == LayoutOption::Dense ? Layout::Dense
                                                    : Layout::CSR;
  }
  if (layout == Layout::Dense)
    makeZeroExplicit(layer);

  // Entropy `auto` keeps the smaller encoding (no coding on ties).
  SmallVector<codec::Entropy> entropies;
  if (policy.entropy != EntropyOption::Huffman)
    entropies.push_back(codec::Entropy::None);
  if (policy.entropy != EntropyOption::None)
    entropies.push_back(codec::Entropy::Huffman);
  std::optional<codec::EncodedLayer> best;
  std::string lastError;
  for (codec::Entropy entropy : entropies) {
    codec::Params params;
    params.layout = static_cast<codec::Layout>(layout);
    params.weightBits = codec::weightBitsFor(layer.codebook.size());
    params.indexBits = layout == Layout::Dense ? 0 : policy.indexBits;
    params.entropy = entropy;
    if (params.weightBits > codec::kMaxWeightBits) {
      lastError = "codebook of " + std::to_string(layer.codebook.size()) +
                  " values does not fit " +
                  std::to_string(codec::kMaxWeightBits) + " bits";
      continue;
    }
    ::dc::StatusOr<codec::EncodedLayer> encoded = codec::encodeLayer(
        params, *matrix, layer.codebook, layer.indices.data());
    if (!encoded.ok()) {
      lastError = encoded.message();
      continue;
    }
    if (!best ||
        codec::storedBytes(encoded->view()) < codec::storedBytes(best->view()))
      best = std::move(*encoded);
  }
  if (!best)
    return constant.emitError()
           << "layer '" << use.name << "' cannot be encoded: " << lastError;

  const codec::EncodedLayer &enc = *best;
  MLIRContext *ctx = constant.getContext();
  Operation *root =
      use.gather ? use.gather.getOperation() : constant.getOperation();
  OpBuilder builder(root);
  // The layer's name travels with the payload (dc-report, blob keys).
  Location loc = root->getLoc();
  auto nameLoc = dyn_cast<NameLoc>(loc);
  if (!nameLoc || nameLoc.getName() != use.name)
    loc = NameLoc::get(builder.getStringAttr(use.name), loc);
  auto encoding = EncodingAttr::get(ctx, static_cast<Layout>(enc.params.layout),
                                    enc.params.weightBits, enc.params.indexBits,
                                    static_cast<Entropy>(enc.params.entropy));
  auto compressedType = CompressedTensorType::get(
      ctx, type.getShape(), type.getElementType(), encoding);
  bool sparse = enc.params.layout != codec::Layout::Dense;
  bool huffman = enc.params.entropy == codec::Entropy::Huffman;
  auto i64 = IntegerType::get(ctx, 64);
  auto op = ConstantOp::create(
      builder, loc, compressedType, DenseF32ArrayAttr::get(ctx, enc.codebook),
      IntegerAttr::get(i64, enc.numWeights), IntegerAttr::get(i64, enc.numGaps),
      huffman ? makeTable(ctx, enc.weightCodeLengths) : DenseI8ArrayAttr(),
      huffman && sparse ? makeTable(ctx, enc.gapCodeLengths)
                        : DenseI8ArrayAttr(),
      sparse ? makeStream(ctx, blobKey(use.name, "_ptr"), enc.rowPtr)
             : DenseResourceElementsAttr(),
      sparse ? makeStream(ctx, blobKey(use.name, "_gaps"), enc.gaps)
             : DenseResourceElementsAttr(),
      makeStream(ctx, blobKey(use.name, "_idx"), enc.weights),
      builder.getStringAttr(use.name));
  auto decompress = DecompressOp::create(builder, loc, type, op.getResult());
  root->getResult(0).replaceAllUsesWith(decompress.getResult());
  eraseWeight(use);

  describeStoredLayer(op, report);
  report.name = use.name;
  report.kind = use.kind == LayerKind::Convolution ? "conv" : "fc";
  report.kept = sparse ? enc.numWeights : kept;
  assert(report.bytesAfter == codec::storedBytes(enc.view()) &&
         "IR payload bytes differ from the codec's stored bytes");
  return success();
}

/// The layer `use` holds, as the stages make it: an externally trained
/// codebook or a quantized form as it is; a pruned form's or a dense
/// weight's kept values pruned and k-means quantized (`pruneAndQuantize`,
/// dc-compress) or collected into a codebook as they are (dc-encode).
static FailureOr<QuantizedLayer>
readLayer(WeightUse &use, const LayerPolicy &policy,
          const CompressionOptions &config, bool pruneAndQuantize,
          std::vector<float> &storage, LayerErrorFn emitError) {
  if (use.form == WeightForm::CodebookGather)
    return readCodebookGather(use, emitError);
  if (use.form == WeightForm::Quantized)
    return readQuantizedForm(use, emitError);
  if (use.form == WeightForm::Pruned) {
    std::vector<float> values;
    std::vector<uint8_t> kept;
    if (failed(readPrunedForm(use, values, kept, emitError)))
      return failure();
    if (!pruneAndQuantize)
      return collectCodebook(values, emitError, kept.data());
    FailureOr<std::vector<uint8_t>> mask =
        pruneKept(use, values, kept, policy, emitError);
    if (failed(mask))
      return failure();
    return quantizeValues(values, mask->data(), policy, config, emitError);
  }
  FailureOr<ArrayRef<float>> values = getWeightValues(use.constant, storage);
  if (failed(values))
    return failure();
  if (!pruneAndQuantize)
    return collectCodebook(*values, emitError);
  // No dense copy of the layer: the mask (one byte a weight) lives only
  // until k-means has produced the indices.
  FailureOr<std::vector<uint8_t>> mask = pruneMask(*values, policy, emitError);
  if (failed(mask))
    return failure();
  return quantizeValues(*values, mask->data(), policy, config, emitError);
}

LogicalResult
mlir::dc::encodeWeights(ModuleOp module, const CompressionOptions &config,
                        bool pruneAndQuantize, const ReportTarget &report,
                        function_ref<bool(const WeightUse &)> select,
                        SmallVectorImpl<LayerReport> *rows) {
  std::vector<float> storage;
  SmallVector<LayerReport, 0> reports;
  SmallVector<WeightUse> uses = findWeights(module);
  if (failed(verifyOverrides(module, config, uses)))
    return failure();
  for (WeightUse &use : uses) {
    LayerPolicy policy = resolvePolicy(config, use);
    if (policy.skip || (select && !select(use)))
      continue;
    auto emitError = [&] {
      return use.constant.emitError() << "layer '" << use.name << "' ";
    };
    FailureOr<QuantizedLayer> layer =
        readLayer(use, policy, config, pruneAndQuantize, storage, emitError);
    if (failed(layer) || failed(encodeWeight(use, std::move(*layer), policy,
                                             reports.emplace_back())))
      return failure();
  }
  if (rows)
    rows->append(reports.begin(), reports.end());
  // Nothing silent: every constant weight left uncompressed is in the report
  // with its reason, and (unless the caller chose what to encode, or it was
  // skipped on request) a warning at its reader.
  const char *skipped = "skipped by a layer=NAME:skip=1 option";
  SmallVector<LeftWeight> left =
      findLeftWeights(module, select ? "not selected" : skipped);
  if (!select)
    for (const LeftWeight &l : left)
      if (l.reason != skipped)
        l.op->emitWarning() << "constant weight (operand " << l.operand << ", "
                            << l.type << ") left uncompressed: " << l.reason;
  return writeReport(module, report, reports, left);
}
