//===- DCOps.cpp - dc operations ------------------------------------------===//

#include "dc/Dialect/DC/IR/DCOps.h"
#include "dc/Codec/Huffman.h"
#include "dc/Dialect/DC/IR/DCDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"

#include <vector>

using namespace mlir;
using namespace mlir::dc;
namespace codec = ::dc::codec;

#define GET_OP_CLASSES
#include "dc/Dialect/DC/IR/DCOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

/// The byte count of a stream, from its type: a 1-D static tensor of i8. When
/// the blob is loaded its size must agree with the type.
static FailureOr<uint64_t> getStreamBytes(ConstantOp op,
                                          DenseResourceElementsAttr stream,
                                          StringRef name) {
  auto type = dyn_cast<RankedTensorType>(stream.getType());
  if (!type || type.getRank() != 1 || type.isDynamicDim(0) ||
      !type.getElementType().isInteger(8))
    return op.emitOpError()
           << "'" << name << "' must be a 1-D static tensor of i8, got "
           << stream.getType();
  uint64_t bytes = type.getDimSize(0);
  if (AsmResourceBlob *blob = stream.getRawHandle().getBlob())
    if (blob->getData().size() != bytes)
      return op.emitOpError()
             << "'" << name << "' blob holds " << blob->getData().size()
             << " bytes but its type says " << bytes;
  return bytes;
}

static LogicalResult
verifyCodeLengthTable(ConstantOp op, std::optional<ArrayRef<int8_t>> table,
                      StringRef name, uint64_t expected, StringRef what) {
  if (!table)
    return op.emitOpError() << "entropy = huffman needs '" << name << "'";
  if (table->size() != expected)
    return op.emitOpError()
           << "'" << name << "' has " << table->size() << " entries, expected "
           << expected << " (" << what << ")";
  ::dc::Status status = codec::verifyCodeLengths(::dc::ByteSpan(
      reinterpret_cast<const uint8_t *>(table->data()), table->size()));
  if (!status.ok())
    return op.emitOpError() << "invalid '" << name << "': " << status.message();
  return success();
}

LogicalResult ConstantOp::verify() {
  CompressedTensorType type = getType();
  EncodingAttr enc = type.getEncoding();
  const unsigned w = enc.getWeightBits(), b = enc.getIndexBits();
  const uint64_t numElements = type.getNumElements();
  const uint64_t k = getCodebook().size();
  const uint64_t numWeights = getNumWeights();
  const uint64_t numGaps = getNumGaps();
  const bool huffman = enc.getEntropy() == Entropy::Huffman;

  if (k > (uint64_t(1) << w))
    return emitOpError() << "codebook has " << k << " entries, more than the "
                         << (uint64_t(1) << w) << " that weightBits = " << w
                         << " allows";
  if (numWeights > 0 && k == 0)
    return emitOpError() << "codebook is empty but num_weights is "
                         << numWeights;

  if (!enc.isSparse()) {
    if (numWeights != numElements)
      return emitOpError() << "dense layout needs one weight index per "
                              "element: num_weights must be "
                           << numElements << ", got " << numWeights;
    if (numGaps != 0 || getRowPtr() || getGaps() || getGapCodeLengths())
      return emitOpError() << "'num_gaps', 'row_ptr', 'gaps' and "
                              "'gap_code_lengths' are only allowed with the "
                              "csr and csc layouts";
  } else {
    if (numWeights > numElements)
      return emitOpError() << "num_weights " << numWeights << " exceeds the "
                           << numElements << " elements";
    if (!getRowPtr() || !getGaps())
      return emitOpError() << "the " << stringifyLayout(enc.getLayout())
                           << " layout needs 'row_ptr' and 'gaps' streams";
    if (numGaps < numWeights)
      return emitOpError() << "num_gaps " << numGaps
                           << " is smaller than num_weights " << numWeights
                           << ": every kept weight has a gap symbol";
    if (numGaps > numElements)
      return emitOpError() << "num_gaps " << numGaps << " exceeds the "
                           << numElements
                           << " elements: every gap symbol advances by at "
                              "least one position";
  }

  if (huffman) {
    if (failed(verifyCodeLengthTable(*this, getWeightCodeLengths(),
                                     "weight_code_lengths", k,
                                     "one per codebook entry")))
      return failure();
    if (enc.isSparse() &&
        failed(verifyCodeLengthTable(*this, getGapCodeLengths(),
                                     "gap_code_lengths", uint64_t(1) << b,
                                     "one per gap symbol, 2^indexBits")))
      return failure();
  } else if (getWeightCodeLengths() || getGapCodeLengths()) {
    return emitOpError() << "code length tables are only allowed with "
                            "entropy = huffman";
  }

  // Stream sizes (the codec's rules). Raw streams have an exact size;
  // Huffman streams at least one bit per symbol.
  auto checkStream = [&](DenseResourceElementsAttr stream, StringRef name,
                         uint64_t symbols, unsigned bits,
                         bool coded) -> LogicalResult {
    FailureOr<uint64_t> bytes = getStreamBytes(*this, stream, name);
    if (failed(bytes))
      return failure();
    codec::StreamSizeBounds bounds =
        codec::streamSizeBounds(symbols, bits, coded);
    if (!coded && *bytes != bounds.min)
      return emitOpError() << "'" << name << "' has " << *bytes
                           << " bytes, expected " << bounds.min << " ("
                           << symbols << " symbols of " << bits << " bits)";
    if (coded && *bytes < bounds.min)
      return emitOpError() << "'" << name << "' has " << *bytes
                           << " bytes, too few for " << symbols
                           << " Huffman-coded symbols";
    return success();
  };
  if (failed(checkStream(getWeights(), "weights", numWeights, w, huffman)))
    return failure();
  if (enc.isSparse()) {
    codec::MatrixShape matrix =
        *codec::matrixShapeOf(type.getShape().data(), type.getRank());
    uint64_t lines =
        codec::lineCount(static_cast<codec::Layout>(enc.getLayout()), matrix);
    if (failed(checkStream(*getRowPtr(), "row_ptr", lines,
                           codec::rowPtrBits(numWeights), /*coded=*/false)) ||
        failed(checkStream(*getGaps(), "gaps", numGaps, b, huffman)))
      return failure();
  }
  return success();
}

static ::dc::ByteSpan getBlobBytes(DenseResourceElementsAttr stream) {
  AsmResourceBlob *blob = stream.getRawHandle().getBlob();
  ArrayRef<char> data = blob->getData();
  return ::dc::ByteSpan(reinterpret_cast<const uint8_t *>(data.data()),
                        data.size());
}

static ::dc::ByteSpan getTableBytes(std::optional<ArrayRef<int8_t>> table) {
  if (!table)
    return {};
  return ::dc::ByteSpan(reinterpret_cast<const uint8_t *>(table->data()),
                        table->size());
}

FailureOr<codec::LayerView> ConstantOp::getLayerView() {
  for (auto [name, stream] : {std::pair<StringRef, DenseResourceElementsAttr>{
                                  "weights", getWeights()},
                              {"row_ptr", getRowPtr().value_or(nullptr)},
                              {"gaps", getGaps().value_or(nullptr)}}) {
    if (stream && !stream.getRawHandle().getBlob())
      return emitOpError() << "payload blob '" << name
                           << "' is not loaded (was it elided?)";
  }
  CompressedTensorType type = getType();
  codec::LayerView view;
  view.params = type.getEncoding().toCodecParams();
  codec::MatrixShape matrix =
      *codec::matrixShapeOf(type.getShape().data(), type.getRank());
  view.rows = matrix.rows;
  view.cols = matrix.cols;
  view.codebook = getCodebook().data();
  view.codebookSize = getCodebook().size();
  view.numWeights = getNumWeights();
  view.numGaps = getNumGaps();
  view.weightCodeLengths = getTableBytes(getWeightCodeLengths());
  view.gapCodeLengths = getTableBytes(getGapCodeLengths());
  view.weights = getBlobBytes(getWeights());
  if (getRowPtr())
    view.rowPtr = getBlobBytes(*getRowPtr());
  if (getGaps())
    view.gaps = getBlobBytes(*getGaps());
  return view;
}

uint64_t ConstantOp::getStoredBytes() {
  auto bytesOf = [](std::optional<DenseResourceElementsAttr> stream) {
    if (!stream || !*stream)
      return uint64_t(0);
    return uint64_t(cast<RankedTensorType>(stream->getType()).getDimSize(0));
  };
  codec::FieldSizes sizes;
  sizes.params = getType().getEncoding().toCodecParams();
  sizes.codebookSize = getCodebook().size();
  if (auto t = getWeightCodeLengths())
    sizes.weightCodeLengths = t->size();
  if (auto t = getGapCodeLengths())
    sizes.gapCodeLengths = t->size();
  sizes.weights = bytesOf(getWeights());
  sizes.rowPtr = bytesOf(getRowPtr());
  sizes.gaps = bytesOf(getGaps());
  return codec::storedBytes(sizes);
}

FailureOr<ElementsAttr> ConstantOp::decodeToElements(bool asResource) {
  FailureOr<codec::LayerView> view = getLayerView();
  if (failed(view))
    return failure();
  CompressedTensorType type = getType();
  std::vector<float> values(type.getNumElements());
  ::dc::Status status = codec::decodeDense(*view, values.data(), values.size());
  if (!status.ok())
    return emitOpError() << "payload does not decode: " << status.message();
  if (!asResource)
    return cast<ElementsAttr>(
        DenseElementsAttr::get(type.getDenseType(), ArrayRef<float>(values)));
  std::string key = getLayer().value_or("layer").str() + "_dense";
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type.getDenseType(), key,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(values))));
}

//===----------------------------------------------------------------------===//
// DecompressOp
//===----------------------------------------------------------------------===//

LogicalResult DecompressOp::verify() {
  auto input = cast<CompressedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  if (result != input.getDenseType())
    return emitOpError() << "result type " << result
                         << " does not match the compressed tensor: expected "
                         << input.getDenseType();
  return success();
}
