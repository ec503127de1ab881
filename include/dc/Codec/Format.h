//===- Format.h - The dc storage format (docs/Format.md) --------*- C++ -*-===//
//
// Encoding, decoding, serialization and size accounting of one compressed
// layer, exactly as docs/Format.md specifies. MLIR-free; shared by the
// passes, the run-time support, the benchmarks and the fuzzers.
//
//===----------------------------------------------------------------------===//

#ifndef DC_CODEC_FORMAT_H
#define DC_CODEC_FORMAT_H

#include "dc/Base/Bits.h"
#include "dc/Base/ByteSpan.h"
#include "dc/Base/Status.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dc::codec {

/// Numeric values match the on-disk codes and the MLIR enum values.
enum class Layout : uint8_t { Dense = 0, CSR = 1, CSC = 2 };
enum class Entropy : uint8_t { None = 0, Huffman = 1 };

inline constexpr unsigned kMaxWeightBits = 8;
inline constexpr unsigned kMaxIndexBits = 8;
inline constexpr unsigned kMaxHuffmanCodeLength = 15;
inline constexpr size_t kHeaderBytes = 36;
inline constexpr uint8_t kMagic[4] = {'D', 'C', 'W', '1'};

/// The encoding parameters of a layer.
struct Params {
  Layout layout = Layout::CSR;
  unsigned weightBits = 5; ///< w, 1..8
  unsigned indexBits = 5;  ///< b, 1..8 for csr/csc, 0 for dense
  Entropy entropy = Entropy::None;
};

/// Checks the ranges of docs/Format.md section 2.
Status verifyParams(const Params &params);

/// The matrix view of a tensor shape (docs/Format.md section 1). Fails for an
/// empty shape, a non-positive dimension or R*C >= 2^32.
struct MatrixShape {
  uint32_t rows = 0, cols = 0;
};
StatusOr<MatrixShape> matrixShapeOf(const int64_t *shape, size_t rank);

/// A non-owning view of all stored fields of one layer. Views point into an
/// EncodedLayer, a serialized buffer or IR attributes/blobs.
struct LayerView {
  Params params;
  uint32_t rows = 0, cols = 0;
  const float *codebook = nullptr;
  uint32_t codebookSize = 0;
  uint32_t numWeights = 0;
  uint32_t numGaps = 0;
  ByteSpan weightCodeLengths; ///< K bytes, Huffman only
  ByteSpan gapCodeLengths;    ///< 2^b bytes, Huffman and sparse only
  ByteSpan rowPtr;            ///< sparse only
  ByteSpan gaps;              ///< sparse only
  ByteSpan weights;
};

/// An owning compressed layer.
struct EncodedLayer {
  Params params;
  uint32_t rows = 0, cols = 0;
  std::vector<float> codebook;
  uint32_t numWeights = 0;
  uint32_t numGaps = 0;
  std::vector<uint8_t> weightCodeLengths, gapCodeLengths;
  std::vector<uint8_t> rowPtr, gaps, weights;

  LayerView view() const;
};

/// Encodes a quantized layer. `indices` has rows*cols entries in row-major
/// matrix order: a codebook index in [0, codebook.size()), or -1 for a pruned
/// position (not allowed for the dense layout). Deterministic.
StatusOr<EncodedLayer> encodeLayer(const Params &params, MatrixShape shape,
                                   const std::vector<float> &codebook,
                                   const int32_t *indices);

/// Checks every rule of docs/Format.md section 6 without producing output.
Status verifyLayer(const LayerView &layer);

/// Decodes to row-major matrix order: `indices` gets rows*cols entries, the
/// codebook index or -1 for pruned positions.
Status decodeIndices(const LayerView &layer, std::vector<int32_t> &indices);

/// Decodes to a dense row-major f32 buffer of exactly rows*cols floats
/// (pruned positions are 0.0f). `out` is untouched on failure only as far as
/// the result is reported as an error; callers must not use it then.
Status decodeDense(const LayerView &layer, float *out, size_t outSize);

/// The stored bytes of a layer: the size of its serialization (section 7).
/// Computed from the header fields and span sizes, without decoding.
uint64_t storedBytes(const LayerView &layer);

//===----------------------------------------------------------------------===//
// Size rules (docs/Format.md sections 4 and 7). The one place that knows how
// many bytes each field of a layer takes: the verifier of dc.constant, the
// report, compression's layout choice and the lowering call these.
//===----------------------------------------------------------------------===//

/// M, the number of stored lines: rows for csr, columns for csc, 0 for
/// dense.
uint64_t lineCount(Layout layout, MatrixShape shape);

/// P, the width of a row-pointer entry of a layer with `numWeights` kept
/// weights.
unsigned rowPtrBits(uint64_t numWeights);

/// The bytes of the row-pointer stream (M entries of P bits; 0 for dense).
uint64_t rowPtrBytes(Layout layout, MatrixShape shape, uint64_t numWeights);

/// The bits that index a codebook of `codebookSize` entries (w, at least 1).
unsigned weightBitsFor(uint64_t codebookSize);

/// The byte sizes a stream of `symbols` symbols may have: exactly
/// ceil(symbols * bits / 8) raw, between ceil(symbols / 8) and
/// ceil(symbols * 15 / 8) Huffman-coded.
struct StreamSizeBounds {
  uint64_t min = 0, max = 0;
  bool contains(uint64_t bytes) const { return bytes >= min && bytes <= max; }
};
StreamSizeBounds streamSizeBounds(uint64_t symbols, unsigned bits,
                                  bool huffman);

/// The byte sizes of a layer's variable fields (table sizes in entries =
/// bytes), from which its stored bytes follow.
struct FieldSizes {
  Params params;
  uint64_t codebookSize = 0;
  uint64_t weightCodeLengths = 0, gapCodeLengths = 0;
  uint64_t rowPtr = 0, gaps = 0, weights = 0;
};

/// The stored bytes of a layer with these field sizes (section 7); the
/// fields a layout or entropy does not store count nothing.
uint64_t storedBytes(const FieldSizes &sizes);

/// The stored bytes of a layer with entropy none, from the header's counts
/// alone: header, codebook, row pointers and the raw weight and gap streams.
uint64_t rawStoredBytes(const Params &params, MatrixShape shape,
                        uint64_t codebookSize, uint64_t numWeights,
                        uint64_t numGaps);

/// The raw (entropy none) stored bytes of a quantized layer as csr and as
/// dense, counted from its indices without encoding (as encodeLayer takes
/// them: -1 = pruned; the dense layout gives pruned positions a codebook
/// entry 0.0 of their own). `indexBits` is csr's b.
struct CSRAndDenseBytes {
  uint64_t csr = 0, dense = 0;
};
CSRAndDenseBytes rawStoredBytesCSRAndDense(MatrixShape shape,
                                           uint64_t codebookSize,
                                           const int32_t *indices,
                                           unsigned indexBits);

/// The run-time line layout of a sparse layer (what dcrt_decode_csr_lines
/// writes, include/dc/Runtime/Decode.h): the stored lines (rows for csr,
/// columns for csc) each split into lines of `lineLength` positions (0: the
/// stored lines), `positions` the M' + 1 offsets of the lines' entries,
/// `coordinates` each entry's position within its line, `indices` its
/// codebook index.
struct RuntimeLines {
  std::vector<int32_t> positions, coordinates, indices;
};
StatusOr<RuntimeLines> decodeRuntimeLines(const LayerView &layer,
                                          uint64_t lineLength);

/// Serializes per docs/Format.md section 7.
std::vector<uint8_t> serializeLayer(const LayerView &layer);

/// Parses a serialized layer; the returned view points into `bytes`. Checks
/// the header and the field sizes (not the stream contents: use verifyLayer).
StatusOr<LayerView> parseLayer(ByteSpan bytes);

} // namespace dc::codec

#endif // DC_CODEC_FORMAT_H
