//===- Sizes.cpp - The storage format's size rules ------------------------===//
//
// How many bytes each field of a layer takes (docs/Format.md sections 4 and
// 7), and the conversion of a sparse layer to the run-time line layout.
// Everything else in dc that needs a size calls these.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/Format.h"

#include <algorithm>

using namespace dc;
using namespace dc::codec;

uint64_t dc::codec::lineCount(Layout layout, MatrixShape shape) {
  switch (layout) {
  case Layout::CSR:
    return shape.rows;
  case Layout::CSC:
    return shape.cols;
  case Layout::Dense:
    break;
  }
  return 0;
}

unsigned dc::codec::rowPtrBits(uint64_t numWeights) {
  return bitWidth(numWeights);
}

uint64_t dc::codec::rowPtrBytes(Layout layout, MatrixShape shape,
                                uint64_t numWeights) {
  return bytesForBits(lineCount(layout, shape) * rowPtrBits(numWeights));
}

unsigned dc::codec::weightBitsFor(uint64_t codebookSize) {
  return std::max(1u, bitWidth(codebookSize > 0 ? codebookSize - 1 : 0));
}

StreamSizeBounds dc::codec::streamSizeBounds(uint64_t symbols, unsigned bits,
                                             bool huffman) {
  if (!huffman) {
    uint64_t exact = bytesForBits(symbols * bits);
    return {exact, exact};
  }
  return {bytesForBits(symbols), bytesForBits(symbols * kMaxHuffmanCodeLength)};
}

uint64_t dc::codec::storedBytes(const FieldSizes &f) {
  bool sparse = f.params.layout != Layout::Dense;
  bool huffman = f.params.entropy == Entropy::Huffman;
  uint64_t n = kHeaderBytes + 4 * f.codebookSize;
  if (huffman)
    n += f.weightCodeLengths;
  if (huffman && sparse)
    n += f.gapCodeLengths;
  if (sparse)
    n += f.rowPtr + f.gaps;
  return n + f.weights;
}

uint64_t dc::codec::rawStoredBytes(const Params &params, MatrixShape shape,
                                   uint64_t codebookSize, uint64_t numWeights,
                                   uint64_t numGaps) {
  FieldSizes f;
  f.params = params;
  f.params.entropy = Entropy::None;
  f.codebookSize = codebookSize;
  f.rowPtr = rowPtrBytes(params.layout, shape, numWeights);
  f.weights = bytesForBits(numWeights * params.weightBits);
  f.gaps = bytesForBits(numGaps * params.indexBits);
  return storedBytes(f);
}

CSRAndDenseBytes dc::codec::rawStoredBytesCSRAndDense(MatrixShape shape,
                                                      uint64_t codebookSize,
                                                      const int32_t *indices,
                                                      unsigned indexBits) {
  // The gap symbols of csr: a gap of d positions takes d / E escapes (E =
  // 2^b - 1) and one final symbol (section 4).
  const uint64_t escape = (uint64_t(1) << indexBits) - 1;
  uint64_t kept = 0, gaps = 0;
  for (uint32_t r = 0; r < shape.rows; ++r) {
    const int32_t *row = indices + uint64_t(r) * shape.cols;
    int64_t last = -1;
    for (uint32_t c = 0; c < shape.cols; ++c) {
      if (row[c] < 0)
        continue;
      gaps += 1 + uint64_t(c - last - 1) / escape;
      last = c;
      ++kept;
    }
  }
  uint64_t total = uint64_t(shape.rows) * shape.cols;
  Params csr;
  csr.layout = Layout::CSR;
  csr.weightBits = weightBitsFor(codebookSize);
  csr.indexBits = indexBits;
  uint64_t denseK = codebookSize + (kept < total ? 1 : 0);
  Params dense;
  dense.layout = Layout::Dense;
  dense.weightBits = weightBitsFor(denseK);
  dense.indexBits = 0;
  return {rawStoredBytes(csr, shape, codebookSize, kept, gaps),
          rawStoredBytes(dense, shape, denseK, total, 0)};
}

StatusOr<RuntimeLines> dc::codec::decodeRuntimeLines(const LayerView &layer,
                                                     uint64_t lineLength) {
  std::vector<int32_t> dense;
  if (Status status = decodeIndices(layer, dense); !status.ok())
    return status;
  bool csc = layer.params.layout == Layout::CSC;
  uint64_t rows = layer.rows, cols = layer.cols;
  uint64_t major = csc ? cols : rows, minor = csc ? rows : cols;
  uint64_t sub = lineLength == 0 ? minor : lineLength;
  RuntimeLines lines;
  lines.positions.reserve(major + 1);
  lines.positions.push_back(0);
  lines.coordinates.reserve(layer.numWeights);
  lines.indices.reserve(layer.numWeights);
  for (uint64_t i = 0; i < major; ++i) {
    for (uint64_t j = 0; j < minor; ++j) {
      int32_t idx = dense[csc ? j * cols + i : i * cols + j];
      if (idx >= 0) {
        lines.coordinates.push_back(int32_t(j % sub));
        lines.indices.push_back(idx);
      }
      if ((j + 1) % sub == 0)
        lines.positions.push_back(int32_t(lines.coordinates.size()));
    }
    if (minor == 0)
      lines.positions.push_back(int32_t(lines.coordinates.size()));
  }
  return lines;
}
