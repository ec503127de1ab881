//===- Format.cpp - The dc storage format (docs/Format.md) ----------------===//
//
// Encoding, checking, decoding, serialization and size accounting of one
// layer. Decoding streams the three streams symbol by symbol (no
// intermediate symbol vectors), so checking a layer takes memory independent
// of its size and time linear in its stored bytes.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/Format.h"
#include "dc/Runtime/Decode.h"

// The run-time decoder's codes are the codec's (include/dc/Runtime/Decode.h).
static_assert(unsigned(dc::codec::Layout::Dense) == DCRT_LAYOUT_DENSE &&
              unsigned(dc::codec::Layout::CSR) == DCRT_LAYOUT_CSR &&
              unsigned(dc::codec::Layout::CSC) == DCRT_LAYOUT_CSC &&
              unsigned(dc::codec::Entropy::None) == DCRT_ENTROPY_NONE &&
              unsigned(dc::codec::Entropy::Huffman) == DCRT_ENTROPY_HUFFMAN);
#include "dc/Codec/Huffman.h"

#include "BitStream.h"

#include <algorithm>
#include <cstring>
#include <string>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the dc codec assumes a little-endian host (codebook floats)"
#endif

using namespace dc;
using namespace dc::codec;
using namespace dc::codec::detail;

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

Status fail(const std::string &msg) { return Status::error(msg); }

bool isSparse(Layout l) { return l == Layout::CSR || l == Layout::CSC; }

const char *lineName(Layout l) { return l == Layout::CSC ? "column" : "row"; }

uint32_t readU32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}

void appendU32(std::vector<uint8_t> &out, uint64_t v) {
  uint32_t x = v > UINT32_MAX ? UINT32_MAX : uint32_t(v);
  for (int i = 0; i < 4; ++i)
    out.push_back(uint8_t(x >> (8 * i)));
}

void appendSpan(std::vector<uint8_t> &out, ByteSpan s) {
  if (s.size)
    out.insert(out.end(), s.data, s.data + s.size);
}

/// Codebook entry `k` (the pointer may be unaligned when parsed from bytes).
float codebookAt(const float *cb, size_t k) {
  float f;
  std::memcpy(&f, reinterpret_cast<const uint8_t *>(cb) + 4 * k, 4);
  return f;
}

/// The matrix geometry implied by a layer's header.
struct Geometry {
  uint64_t rows = 0, cols = 0;
  uint64_t lines = 0, lineLength = 0; // M, N (sparse only)
  unsigned ptrBits = 0;               // P
  uint64_t rowPtrBytes = 0;
};

Geometry geometryOf(const LayerView &l) {
  Geometry g;
  g.rows = l.rows;
  g.cols = l.cols;
  if (l.params.layout == Layout::CSR) {
    g.lines = g.rows;
    g.lineLength = g.cols;
  } else if (l.params.layout == Layout::CSC) {
    g.lines = g.cols;
    g.lineLength = g.rows;
  }
  if (isSparse(l.params.layout)) {
    g.ptrBits = rowPtrBits(l.numWeights);
    g.rowPtrBytes =
        rowPtrBytes(l.params.layout, {l.rows, l.cols}, l.numWeights);
  }
  return g;
}

/// Everything except the stream contents and the Huffman tables' validity:
/// parameters, shape, counts and the size of every span.
Status checkStructure(const LayerView &l) {
  if (Status st = verifyParams(l.params); !st.ok())
    return st;
  const Params &p = l.params;
  if (l.rows == 0 || l.cols == 0)
    return fail("shape: rows and cols must be positive (got " + str(l.rows) +
                "x" + str(l.cols) + ")");
  uint64_t total = uint64_t(l.rows) * l.cols;
  if (total > UINT32_MAX)
    return fail("shape: rows*cols = " + str(total) + " is not below 2^32");
  uint64_t maxK = uint64_t(1) << p.weightBits;
  if (l.codebookSize > maxK)
    return fail("codebook: " + str(l.codebookSize) + " entries > 2^" +
                str(p.weightBits));
  if (l.codebookSize > 0 && !l.codebook)
    return fail("codebook: missing data");
  if (l.codebookSize == 0 && l.numWeights > 0)
    return fail("codebook: empty but the layer has " + str(l.numWeights) +
                " entries");
  bool sparse = isSparse(p.layout);
  bool huff = p.entropy == Entropy::Huffman;
  Geometry g = geometryOf(l);
  if (!sparse) {
    if (l.numWeights != total)
      return fail("header: dense num_weights " + str(l.numWeights) +
                  " != rows*cols " + str(total));
    if (l.numGaps != 0)
      return fail("header: dense layer with num_gaps " + str(l.numGaps));
    if (l.gaps.size != 0 || l.rowPtr.size != 0 || l.gapCodeLengths.size != 0)
      return fail("header: dense layer with gap or row-pointer data");
  } else {
    if (l.numWeights > total)
      return fail("header: num_weights " + str(l.numWeights) + " > rows*cols " +
                  str(total));
    if (l.numGaps < l.numWeights)
      return fail("header: num_gaps " + str(l.numGaps) + " < num_weights " +
                  str(l.numWeights));
    // Every gap symbol covers at least one position.
    if (l.numGaps > total)
      return fail("header: num_gaps " + str(l.numGaps) + " > rows*cols " +
                  str(total));
    if (l.rowPtr.size != g.rowPtrBytes)
      return fail("row-pointer stream: " + str(l.rowPtr.size) +
                  " bytes, expected " + str(g.rowPtrBytes) + " (" +
                  str(g.lines) + " x " + str(g.ptrBits) + " bits)");
  }
  uint64_t gapAlphabet = uint64_t(1) << p.indexBits;
  if (huff) {
    if (l.weightCodeLengths.size != l.codebookSize)
      return fail("weight code lengths: " + str(l.weightCodeLengths.size) +
                  " entries, expected K = " + str(l.codebookSize));
    if (sparse && l.gapCodeLengths.size != gapAlphabet)
      return fail("gap code lengths: " + str(l.gapCodeLengths.size) +
                  " entries, expected 2^b = " + str(gapAlphabet));
  } else if (l.weightCodeLengths.size != 0 || l.gapCodeLengths.size != 0) {
    return fail("header: code-length tables without huffman entropy");
  }
  auto checkStream = [&](const char *name, ByteSpan s, uint64_t n,
                         unsigned bits) -> Status {
    if (s.size > 0 && !s.data)
      return fail(std::string(name) + ": missing data");
    StreamSizeBounds bounds = streamSizeBounds(n, bits, huff);
    if (!huff) {
      if (s.size != bounds.min)
        return fail(std::string(name) + ": " + str(s.size) +
                    " bytes, expected " + str(bounds.min) + " for " + str(n) +
                    " symbols of " + str(bits) + " bits");
      return Status::success();
    }
    if (!bounds.contains(s.size))
      return fail(std::string(name) + ": " + str(s.size) +
                  " bytes cannot hold " + str(n) +
                  " huffman-coded symbols (1..15 bits each)");
    return Status::success();
  };
  if (Status st =
          checkStream("weight stream", l.weights, l.numWeights, p.weightBits);
      !st.ok())
    return st;
  if (sparse)
    if (Status st = checkStream("gap stream", l.gaps, l.numGaps, p.indexBits);
        !st.ok())
      return st;
  if (l.rowPtr.size > 0 && !l.rowPtr.data)
    return fail("row-pointer stream: missing data");
  if (l.weightCodeLengths.size > 0 && !l.weightCodeLengths.data)
    return fail("weight code lengths: missing data");
  if (l.gapCodeLengths.size > 0 && !l.gapCodeLengths.data)
    return fail("gap code lengths: missing data");
  return Status::success();
}

/// Reads the symbols of one stream, raw or Huffman-coded, with a count limit.
class SymbolReader {
public:
  SymbolReader(const char *name, ByteSpan s, bool huffman, unsigned bits,
               uint64_t count)
      : name(name), span(s), br(s), huffman(huffman), bits(bits), count(count) {
  }

  Status init(ByteSpan lengths) {
    if (!huffman)
      return Status::success();
    if (Status st = verifyCodeLengths(lengths); !st.ok())
      return fail(std::string(name) + ": " + st.message());
    table.build(lengths);
    return Status::success();
  }

  /// Reads the next symbol; `where` describes the position for messages.
  bool next(uint32_t &sym) {
    if (read == count)
      return false;
    if (!huffman) {
      br.read(bits, sym); // the stream size was checked against count
      ++read;
      return true;
    }
    HuffmanTable::Result r = table.decode(br, sym);
    if (r != HuffmanTable::Ok) {
      lastError = r;
      return false;
    }
    ++read;
    return true;
  }

  /// The message for a failed next().
  std::string error() const {
    if (read == count)
      return std::string(name) + ": more symbols needed than the " +
             str(count) + " in the header";
    return std::string(name) + ": " +
           (lastError == HuffmanTable::EndsEarly
                ? "stream ends early"
                : "bit sequence matches no code") +
           " at bit " + str(br.bitPos()) + " (symbol " + str(read) + ")";
  }

  /// Checks exact consumption and zero padding at the end.
  Status finish() const {
    if (read != count)
      return fail(std::string(name) + ": " + str(read) + " of " + str(count) +
                  " symbols consumed");
    if (!br.atPaddedEnd(span.data)) {
      uint64_t used = bytesForBits(br.bitPos());
      if (used != span.size)
        return fail(std::string(name) + ": " + str(span.size - used) +
                    " bytes left over after " + str(count) + " symbols");
      return fail(std::string(name) + ": non-zero padding bits");
    }
    return Status::success();
  }

  uint64_t consumed() const { return read; }

private:
  const char *name;
  ByteSpan span;
  BitReader br;
  bool huffman;
  unsigned bits;
  uint64_t count, read = 0;
  HuffmanTable table;
  HuffmanTable::Result lastError = HuffmanTable::Ok;
};

/// Walks all entries of a structurally checked layer, calling
/// sink(row, col, weightIndex) for each; checks every rule of section 6.
template <typename Sink> Status walkLayer(const LayerView &l, Sink &&sink) {
  if (Status st = checkStructure(l); !st.ok())
    return st;
  const Params &p = l.params;
  bool huff = p.entropy == Entropy::Huffman;
  uint32_t K = l.codebookSize;
  SymbolReader weights("weight stream", l.weights, huff, p.weightBits,
                       l.numWeights);
  if (Status st = weights.init(l.weightCodeLengths); !st.ok())
    return st;

  auto badIndex = [&](uint32_t idx, uint64_t r, uint64_t c) {
    return fail("weight stream: index " + str(idx) + " >= codebook size " +
                str(K) + " at entry " + str(weights.consumed() - 1) + " (row " +
                str(r) + ", col " + str(c) + ")");
  };

  if (!isSparse(p.layout)) {
    uint64_t cols = l.cols, r = 0, c = 0;
    for (uint64_t i = 0, n = l.numWeights; i < n; ++i) {
      uint32_t idx;
      if (!weights.next(idx))
        return fail(weights.error());
      if (idx >= K)
        return badIndex(idx, r, c);
      sink(r, c, idx);
      if (++c == cols) {
        c = 0;
        ++r;
      }
    }
    return weights.finish();
  }

  Geometry g = geometryOf(l);
  bool csc = p.layout == Layout::CSC;
  const char *line = lineName(p.layout);
  SymbolReader gaps("gap stream", l.gaps, huff, p.indexBits, l.numGaps);
  if (Status st = gaps.init(l.gapCodeLengths); !st.ok())
    return st;
  const int64_t E = (int64_t(1) << p.indexBits) - 1;
  const int64_t N = int64_t(g.lineLength);
  BitReader ptrs(l.rowPtr);
  uint64_t prev = 0;
  // With no entries every pointer is 0 bits wide and no line has entries.
  uint64_t numLines = l.numWeights == 0 ? 0 : g.lines;
  for (uint64_t i = 0; i < numLines; ++i) {
    uint32_t next = 0;
    ptrs.read(g.ptrBits, next); // the stream size was checked
    if (next < prev)
      return fail("row pointers: p[" + str(i + 1) + "] = " + str(next) +
                  " < p[" + str(i) + "] = " + str(prev));
    if (next > l.numWeights)
      return fail("row pointers: p[" + str(i + 1) + "] = " + str(next) +
                  " > num_weights " + str(l.numWeights));
    uint64_t n = next - prev;
    if (n > uint64_t(N))
      return fail("row pointers: " + std::string(line) + " " + str(i) +
                  " has " + str(n) + " entries > line length " + str(N));
    prev = next;
    int64_t cursor = -1;
    for (uint64_t produced = 0; produced < n;) {
      uint32_t gsym;
      if (!gaps.next(gsym))
        return fail(gaps.error() + " in " + line + " " + str(i));
      if (gsym == uint32_t(E)) {
        cursor += E;
        if (cursor >= N)
          return fail("gap stream: escape moves cursor to " + str(cursor) +
                      " past line length " + str(N) + " in " + line + " " +
                      str(i));
        continue;
      }
      int64_t pos = cursor + 1 + int64_t(gsym);
      if (pos >= N)
        return fail("gap stream: cursor " + str(pos) + " past line length " +
                    str(N) + " in " + line + " " + str(i));
      cursor = pos;
      uint32_t idx;
      if (!weights.next(idx))
        return fail(weights.error() + " in " + line + " " + str(i));
      uint64_t r = csc ? uint64_t(pos) : i, c = csc ? i : uint64_t(pos);
      if (idx >= K)
        return badIndex(idx, r, c);
      sink(r, c, idx);
      ++produced;
    }
  }
  if (prev != l.numWeights)
    return fail("row pointers: p[" + str(g.lines) + "] = " + str(prev) +
                " != num_weights " + str(l.numWeights));
  if (!ptrs.atPaddedEnd(l.rowPtr.data) && l.rowPtr.size > 0)
    return fail("row-pointer stream: non-zero padding bits");
  if (Status st = gaps.finish(); !st.ok())
    return st;
  return weights.finish();
}

} // namespace

//===----------------------------------------------------------------------===//
// Parameters and shapes
//===----------------------------------------------------------------------===//

Status dc::codec::verifyParams(const Params &p) {
  unsigned layout = unsigned(p.layout), entropy = unsigned(p.entropy);
  if (layout > 2)
    return fail("params: layout code " + str(layout) + " is not 0, 1 or 2");
  if (entropy > 1)
    return fail("params: entropy code " + str(entropy) + " is not 0 or 1");
  if (p.weightBits < 1 || p.weightBits > kMaxWeightBits)
    return fail("params: weight bits " + str(p.weightBits) + " not in [1, 8]");
  if (isSparse(p.layout)) {
    if (p.indexBits < 1 || p.indexBits > kMaxIndexBits)
      return fail("params: index bits " + str(p.indexBits) +
                  " not in [1, 8] for a sparse layout");
  } else if (p.indexBits != 0) {
    return fail("params: index bits " + str(p.indexBits) +
                " must be 0 for the dense layout");
  }
  return Status::success();
}

StatusOr<MatrixShape> dc::codec::matrixShapeOf(const int64_t *shape,
                                               size_t rank) {
  if (rank == 0 || !shape)
    return fail("shape: rank must be at least 1");
  for (size_t i = 0; i < rank; ++i)
    if (shape[i] <= 0)
      return fail("shape: dimension " + str(i) + " is " +
                  std::to_string(shape[i]) + ", must be positive");
  const uint64_t limit = UINT32_MAX; // R*C must be below 2^32
  uint64_t rows = rank == 1 ? 1 : uint64_t(shape[0]);
  uint64_t cols = 1;
  for (size_t i = rank == 1 ? 0 : 1; i < rank; ++i) {
    uint64_t d = uint64_t(shape[i]);
    if (d > limit || cols > limit / d)
      return fail("shape: too many elements (must be below 2^32)");
    cols *= d;
  }
  if (rows > limit || (cols > 0 && rows > limit / cols))
    return fail("shape: too many elements (must be below 2^32)");
  MatrixShape s;
  s.rows = uint32_t(rows);
  s.cols = uint32_t(cols);
  return s;
}

LayerView EncodedLayer::view() const {
  LayerView v;
  v.params = params;
  v.rows = rows;
  v.cols = cols;
  v.codebook = codebook.empty() ? nullptr : codebook.data();
  v.codebookSize = uint32_t(codebook.size());
  v.numWeights = numWeights;
  v.numGaps = numGaps;
  v.weightCodeLengths = ByteSpan(weightCodeLengths);
  v.gapCodeLengths = ByteSpan(gapCodeLengths);
  v.rowPtr = ByteSpan(rowPtr);
  v.gaps = ByteSpan(gaps);
  v.weights = ByteSpan(weights);
  return v;
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

namespace {

/// Produces the symbols of a layer in stream order: onGap(symbol),
/// onWeight(index), onLine(entriesSoFar) after each major line. Checks the
/// indices.
template <typename OnGap, typename OnWeight, typename OnLine>
Status scanIndices(const Params &p, MatrixShape shape, uint32_t K,
                   const int32_t *indices, OnGap &&onGap, OnWeight &&onWeight,
                   OnLine &&onLine) {
  uint64_t rows = shape.rows, cols = shape.cols;
  auto bad = [&](int32_t v, uint64_t r, uint64_t c) {
    return fail("encode: index " + std::to_string(v) + " at (row " + str(r) +
                ", col " + str(c) + ") not in [" +
                (p.layout == Layout::Dense ? "0" : "-1") + ", " + str(K) + ")");
  };
  if (p.layout == Layout::Dense) {
    for (uint64_t i = 0, n = rows * cols; i < n; ++i) {
      int32_t v = indices[i];
      if (v < 0 || uint32_t(v) >= K)
        return bad(v, i / cols, i % cols);
      onWeight(uint32_t(v));
    }
    return Status::success();
  }
  bool csc = p.layout == Layout::CSC;
  uint64_t M = csc ? cols : rows, N = csc ? rows : cols;
  const uint64_t E = (uint64_t(1) << p.indexBits) - 1;
  uint64_t entries = 0;
  for (uint64_t line = 0; line < M; ++line) {
    uint64_t next = 0; // first position not yet covered
    for (uint64_t pos = 0; pos < N; ++pos) {
      uint64_t r = csc ? pos : line, c = csc ? line : pos;
      int32_t v = indices[r * cols + c];
      if (v == -1)
        continue;
      if (v < 0 || uint32_t(v) >= K)
        return bad(v, r, c);
      uint64_t d = pos - next;
      for (; d >= E; d -= E)
        onGap(uint32_t(E));
      onGap(uint32_t(d));
      onWeight(uint32_t(v));
      next = pos + 1;
      ++entries;
    }
    onLine(entries);
  }
  return Status::success();
}

/// Writes symbols raw or with a canonical code.
class SymbolWriter {
public:
  SymbolWriter(bool huffman, unsigned bits, ByteSpan lengths)
      : huffman(huffman), bits(bits), lengths(lengths) {
    if (huffman) {
      codes = canonicalCodes(lengths);
      for (size_t s = 0; s < codes.size(); ++s)
        codes[s] = reverseBits(codes[s], lengths.data[s]);
    }
  }
  void put(uint32_t s) {
    if (huffman)
      bw.write(codes[s], lengths.data[s]);
    else
      bw.write(s, bits);
  }
  void reserve(uint64_t bitCount) { bw.reserveBits(bitCount); }
  std::vector<uint8_t> finish() { return bw.finish(); }

private:
  bool huffman;
  unsigned bits;
  ByteSpan lengths;
  std::vector<uint32_t> codes;
  BitWriter bw;
};

} // namespace

StatusOr<EncodedLayer>
dc::codec::encodeLayer(const Params &params, MatrixShape shape,
                       const std::vector<float> &codebook,
                       const int32_t *indices) {
  if (Status st = verifyParams(params); !st.ok())
    return st;
  if (shape.rows == 0 || shape.cols == 0)
    return fail("encode: rows and cols must be positive");
  if (uint64_t(shape.rows) * shape.cols > UINT32_MAX)
    return fail("encode: rows*cols is not below 2^32");
  if (codebook.size() > (size_t(1) << params.weightBits))
    return fail("encode: codebook has " + str(codebook.size()) +
                " entries > 2^" + str(params.weightBits));
  if (!indices)
    return fail("encode: null indices");
  uint32_t K = uint32_t(codebook.size());
  bool sparse = isSparse(params.layout);
  bool huff = params.entropy == Entropy::Huffman;
  size_t gapAlphabet = sparse ? size_t(1) << params.indexBits : 0;

  // Pass 1: check and count.
  std::vector<uint64_t> weightCounts(K, 0), gapCounts(gapAlphabet, 0);
  uint64_t numWeights = 0, numGaps = 0;
  Status st = scanIndices(
      params, shape, K, indices,
      [&](uint32_t g) {
        ++gapCounts[g];
        ++numGaps;
      },
      [&](uint32_t w) {
        ++weightCounts[w];
        ++numWeights;
      },
      [](uint64_t) {});
  if (!st.ok())
    return st;

  EncodedLayer out;
  out.params = params;
  out.rows = shape.rows;
  out.cols = shape.cols;
  out.codebook = codebook;
  out.numWeights = uint32_t(numWeights);
  out.numGaps = uint32_t(numGaps);
  if (huff) {
    out.weightCodeLengths = buildCodeLengths(weightCounts);
    if (sparse)
      out.gapCodeLengths = buildCodeLengths(gapCounts);
  }

  // Pass 2: write.
  SymbolWriter weights(huff, params.weightBits,
                       ByteSpan(out.weightCodeLengths));
  SymbolWriter gaps(huff, params.indexBits, ByteSpan(out.gapCodeLengths));
  weights.reserve(huff ? huffmanBits(weightCounts, out.weightCodeLengths)
                       : numWeights * params.weightBits);
  if (sparse)
    gaps.reserve(huff ? huffmanBits(gapCounts, out.gapCodeLengths)
                      : numGaps * params.indexBits);
  BitWriter ptrs;
  unsigned ptrBits = rowPtrBits(numWeights);
  st = scanIndices(
      params, shape, K, indices, [&](uint32_t g) { gaps.put(g); },
      [&](uint32_t w) { weights.put(w); },
      [&](uint64_t entries) { ptrs.write(entries, ptrBits); });
  if (!st.ok())
    return st;
  out.weights = weights.finish();
  if (sparse) {
    out.gaps = gaps.finish();
    out.rowPtr = ptrs.finish();
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Checking and decoding
//===----------------------------------------------------------------------===//

Status dc::codec::verifyLayer(const LayerView &layer) {
  return walkLayer(layer, [](uint64_t, uint64_t, uint32_t) {});
}

Status dc::codec::decodeIndices(const LayerView &layer,
                                std::vector<int32_t> &indices) {
  indices.clear();
  if (Status st = checkStructure(layer); !st.ok())
    return st;
  uint64_t cols = layer.cols;
  uint64_t total = uint64_t(layer.rows) * cols;
  // A sparse header can ask for a huge matrix with a few bytes of streams:
  // check the streams (time linear in their size) before allocating.
  if (isSparse(layer.params.layout) && total > (uint64_t(1) << 20))
    if (Status st = verifyLayer(layer); !st.ok())
      return st;
  indices.assign(total, -1);
  int32_t *out = indices.data();
  Status st = walkLayer(layer, [&](uint64_t r, uint64_t c, uint32_t idx) {
    out[r * cols + c] = int32_t(idx);
  });
  if (!st.ok())
    indices.clear();
  return st;
}

Status dc::codec::decodeDense(const LayerView &layer, float *out,
                              size_t outSize) {
  if (Status st = checkStructure(layer); !st.ok())
    return st;
  uint64_t total = uint64_t(layer.rows) * layer.cols;
  if (uint64_t(outSize) != total)
    return fail("decode: output has " + str(outSize) + " floats, expected " +
                str(total));
  if (total > 0 && !out)
    return fail("decode: null output");
  std::vector<float> cb(layer.codebookSize);
  for (size_t k = 0; k < cb.size(); ++k)
    cb[k] = codebookAt(layer.codebook, k);
  if (isSparse(layer.params.layout)) {
    if (total > (uint64_t(1) << 20))
      if (Status st = verifyLayer(layer); !st.ok())
        return st;
    std::fill(out, out + total, 0.0f);
  }
  uint64_t cols = layer.cols;
  const float *cbp = cb.data();
  return walkLayer(layer, [&](uint64_t r, uint64_t c, uint32_t idx) {
    out[r * cols + c] = cbp[idx];
  });
}

//===----------------------------------------------------------------------===//
// Serialization
//===----------------------------------------------------------------------===//

namespace {

/// Which optional fields a layer with these params serializes.
struct Fields {
  bool weightTable, gapTable, sparse;
};

Fields fieldsOf(const Params &p) {
  bool sparse = isSparse(p.layout);
  bool huff = p.entropy == Entropy::Huffman;
  return {huff, huff && sparse, sparse};
}

} // namespace

uint64_t dc::codec::storedBytes(const LayerView &l) {
  FieldSizes f;
  f.params = l.params;
  f.codebookSize = l.codebookSize;
  f.weightCodeLengths = l.weightCodeLengths.size;
  f.gapCodeLengths = l.gapCodeLengths.size;
  f.rowPtr = l.rowPtr.size;
  f.gaps = l.gaps.size;
  f.weights = l.weights.size;
  return storedBytes(f);
}

std::vector<uint8_t> dc::codec::serializeLayer(const LayerView &l) {
  Fields f = fieldsOf(l.params);
  std::vector<uint8_t> out;
  out.reserve(storedBytes(l));
  out.insert(out.end(), kMagic, kMagic + 4);
  out.push_back(uint8_t(l.params.layout));
  out.push_back(uint8_t(l.params.weightBits));
  out.push_back(uint8_t(l.params.indexBits));
  out.push_back(uint8_t(l.params.entropy));
  appendU32(out, l.rows);
  appendU32(out, l.cols);
  appendU32(out, l.codebookSize);
  appendU32(out, l.numWeights);
  appendU32(out, l.numGaps);
  appendU32(out, l.weights.size);
  appendU32(out, f.sparse ? l.gaps.size : 0);
  if (l.codebookSize)
    appendSpan(out, ByteSpan(reinterpret_cast<const uint8_t *>(l.codebook),
                             4 * size_t(l.codebookSize)));
  if (f.weightTable)
    appendSpan(out, l.weightCodeLengths);
  if (f.gapTable)
    appendSpan(out, l.gapCodeLengths);
  if (f.sparse) {
    appendSpan(out, l.rowPtr);
    appendSpan(out, l.gaps);
  }
  appendSpan(out, l.weights);
  return out;
}

StatusOr<LayerView> dc::codec::parseLayer(ByteSpan bytes) {
  if (bytes.size > 0 && !bytes.data)
    return fail("parse: null data");
  if (bytes.size < kHeaderBytes)
    return fail("parse: " + str(bytes.size) + " bytes, shorter than the " +
                str(kHeaderBytes) + "-byte header");
  const uint8_t *d = bytes.data;
  if (std::memcmp(d, kMagic, 4) != 0)
    return fail("parse: bad magic (expected \"DCW1\")");
  LayerView l;
  if (d[4] > 2)
    return fail("parse: layout code " + str(d[4]) + " is not 0, 1 or 2");
  if (d[7] > 1)
    return fail("parse: entropy code " + str(d[7]) + " is not 0 or 1");
  l.params.layout = Layout(d[4]);
  l.params.weightBits = d[5];
  l.params.indexBits = d[6];
  l.params.entropy = Entropy(d[7]);
  if (Status st = verifyParams(l.params); !st.ok())
    return st;
  l.rows = readU32(d + 8);
  l.cols = readU32(d + 12);
  l.codebookSize = readU32(d + 16);
  l.numWeights = readU32(d + 20);
  l.numGaps = readU32(d + 24);
  uint64_t weightBytes = readU32(d + 28), gapBytes = readU32(d + 32);
  if (l.codebookSize > (uint64_t(1) << l.params.weightBits))
    return fail("parse: codebook has " + str(l.codebookSize) + " entries > 2^" +
                str(l.params.weightBits));
  Fields f = fieldsOf(l.params);
  if (!f.sparse && gapBytes != 0)
    return fail("parse: dense layer with gap stream bytes " + str(gapBytes));
  // Lay out the fields (all sizes are far below 2^64 here).
  uint64_t off = kHeaderBytes;
  uint64_t size = bytes.size;
  auto take = [&](uint64_t n, ByteSpan &span, const char *what) -> Status {
    if (n > size - off)
      return fail(std::string("parse: ") + what + " (" + str(n) +
                  " bytes at offset " + str(off) + ") runs past the end (" +
                  str(size) + " bytes)");
    span = ByteSpan(d + off, size_t(n));
    off += n;
    return Status::success();
  };
  ByteSpan cb;
  if (Status st = take(4 * uint64_t(l.codebookSize), cb, "codebook"); !st.ok())
    return st;
  l.codebook = reinterpret_cast<const float *>(cb.data);
  if (l.codebookSize == 0)
    l.codebook = nullptr;
  if (f.weightTable)
    if (Status st =
            take(l.codebookSize, l.weightCodeLengths, "weight code lengths");
        !st.ok())
      return st;
  if (f.gapTable)
    if (Status st = take(uint64_t(1) << l.params.indexBits, l.gapCodeLengths,
                         "gap code lengths");
        !st.ok())
      return st;
  if (f.sparse) {
    if (l.rows == 0 || l.cols == 0)
      return fail("parse: rows and cols must be positive");
    Geometry g = geometryOf(l);
    if (Status st = take(g.rowPtrBytes, l.rowPtr, "row-pointer stream");
        !st.ok())
      return st;
    if (Status st = take(gapBytes, l.gaps, "gap stream"); !st.ok())
      return st;
  }
  if (Status st = take(weightBytes, l.weights, "weight stream"); !st.ok())
    return st;
  if (off != size)
    return fail("parse: " + str(size - off) + " bytes after the weight stream");
  if (Status st = checkStructure(l); !st.ok())
    return st;
  return l;
}
