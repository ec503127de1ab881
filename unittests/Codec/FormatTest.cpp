//===- FormatTest.cpp - Tests of the storage format -----------------------===//

#include "dc/Codec/Format.h"
#include "dc/Codec/Huffman.h"

#include "TestUtil.h"

#include "gtest/gtest.h"

#include <cstring>
#include <string>

using namespace dc;
using namespace dc::codec;
using namespace dc::codec::test;

namespace {

std::vector<float> makeCodebook(size_t k) {
  std::vector<float> cb(k);
  for (size_t i = 0; i < k; ++i)
    cb[i] = -1.0f + 0.125f * float(i);
  return cb;
}

Params makeParams(Layout layout, unsigned w, unsigned b, Entropy e) {
  Params p;
  p.layout = layout;
  p.weightBits = w;
  p.indexBits = layout == Layout::Dense ? 0 : b;
  p.entropy = e;
  return p;
}

std::string describe(const Params &p, MatrixShape s) {
  return "layout " + std::to_string(int(p.layout)) + " w " +
         std::to_string(p.weightBits) + " b " + std::to_string(p.indexBits) +
         " entropy " + std::to_string(int(p.entropy)) + " shape " +
         std::to_string(s.rows) + "x" + std::to_string(s.cols);
}

/// Encodes, checks every decoding path and the serialization; returns the
/// encoded layer.
EncodedLayer roundTrip(const Params &p, MatrixShape s,
                       const std::vector<float> &cb,
                       const std::vector<int32_t> &idx) {
  SCOPED_TRACE(describe(p, s));
  auto enc = encodeLayer(p, s, cb, idx.data());
  EXPECT_TRUE(enc.ok()) << enc.message();
  if (!enc.ok())
    return EncodedLayer();
  LayerView v = enc->view();
  Status st = verifyLayer(v);
  EXPECT_TRUE(st.ok()) << st.message();
  std::vector<int32_t> dec;
  st = decodeIndices(v, dec);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(dec, idx);
  std::vector<float> dense(idx.size(), 42.0f);
  st = decodeDense(v, dense.data(), dense.size());
  EXPECT_TRUE(st.ok()) << st.message();
  for (size_t i = 0; i < idx.size(); ++i) {
    float want = idx[i] < 0 ? 0.0f : cb[idx[i]];
    if (dense[i] != want) {
      ADD_FAILURE() << "dense mismatch at " << i;
      break;
    }
  }
  // Counts.
  uint64_t kept = 0;
  for (int32_t i : idx)
    kept += i >= 0;
  EXPECT_EQ(enc->numWeights, kept);
  EXPECT_GE(enc->numGaps, p.layout == Layout::Dense ? 0 : kept);
  // Serialization.
  std::vector<uint8_t> bytes = serializeLayer(v);
  EXPECT_EQ(storedBytes(v), bytes.size());
  auto parsed = parseLayer(ByteSpan(bytes));
  EXPECT_TRUE(parsed.ok()) << parsed.message();
  if (parsed.ok()) {
    EXPECT_EQ(storedBytes(*parsed), bytes.size());
    EXPECT_EQ(serializeLayer(*parsed), bytes);
    std::vector<int32_t> dec2;
    st = decodeIndices(*parsed, dec2);
    EXPECT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(dec2, idx);
  }
  // Raw stream sizes are exact.
  if (p.entropy == Entropy::None) {
    EXPECT_EQ(enc->weights.size(), (kept * p.weightBits + 7) / 8);
    EXPECT_EQ(enc->gaps.size(), (uint64_t(enc->numGaps) * p.indexBits + 7) / 8);
  } else {
    EXPECT_EQ(enc->weightCodeLengths.size(), cb.size());
    EXPECT_EQ(enc->gapCodeLengths.size(),
              p.layout == Layout::Dense ? 0u : (1u << p.indexBits));
  }
  return *enc;
}

std::vector<int32_t> randomIndices(Rng &rng, size_t n, uint32_t K, double keep,
                                   bool dense) {
  std::vector<int32_t> idx(n);
  for (auto &i : idx) {
    if (!dense && !rng.chance(keep))
      i = -1;
    else
      i = int32_t(rng.chance(0.5) ? rng.below(K) : rng.below((K + 3) / 4));
  }
  return idx;
}

const Layout kLayouts[] = {Layout::Dense, Layout::CSR, Layout::CSC};
const Entropy kEntropies[] = {Entropy::None, Entropy::Huffman};

TEST(Format, RoundTripAllParams) {
  Rng rng(10);
  const MatrixShape shapes[] = {{1, 1}, {1, 37}, {37, 1}, {7, 13}, {20, 300}};
  for (Layout layout : kLayouts)
    for (Entropy e : kEntropies)
      for (unsigned w = 1; w <= 8; ++w)
        for (unsigned b = 1; b <= 8; ++b) {
          if (layout == Layout::Dense && b > 1)
            continue;
          for (MatrixShape s : shapes) {
            Params p = makeParams(layout, w, b, e);
            uint32_t K = 1 + uint32_t(rng.below(1u << w));
            std::vector<float> cb = makeCodebook(K);
            for (double keep : {0.0, 0.05, 0.3, 1.0}) {
              if (layout == Layout::Dense && keep != 1.0)
                continue;
              roundTrip(p, s, cb,
                        randomIndices(rng, size_t(s.rows) * s.cols, K, keep,
                                      layout == Layout::Dense));
            }
          }
        }
}

TEST(Format, GapsAroundTheEscape) {
  for (Layout layout : {Layout::CSR, Layout::CSC})
    for (Entropy e : kEntropies)
      for (unsigned b = 1; b <= 8; ++b) {
        uint32_t E = (1u << b) - 1;
        uint32_t N = 3 * E + 4;
        for (uint32_t gap :
             {E - 1, E, E + 1, 2 * E - 1, 2 * E, 2 * E + 1, N - 1}) {
          if (gap >= N)
            continue;
          MatrixShape s =
              layout == Layout::CSR ? MatrixShape{3, N} : MatrixShape{N, 3};
          std::vector<int32_t> idx(size_t(N) * 3, -1);
          auto at = [&](uint32_t line, uint32_t pos) -> int32_t & {
            return layout == Layout::CSR ? idx[size_t(line) * N + pos]
                                         : idx[size_t(pos) * 3 + line];
          };
          // Line 0: first entry after `gap` pruned positions, and another
          // entry `gap` positions later if it fits.
          at(0, gap) = 1;
          if (2 * gap + 1 < N)
            at(0, 2 * gap + 1) = 0;
          // Line 1 empty; line 2: the last position only.
          at(2, N - 1) = 2;
          Params p = makeParams(layout, 2, b, e);
          EncodedLayer enc = roundTrip(p, s, makeCodebook(3), idx);
          // Escapes: floor(d / E) per gap of d.
          uint64_t escapes =
              gap / E + (2 * gap + 1 < N ? gap / E : 0) + (N - 1) / E;
          uint64_t entries = 2 + (2 * gap + 1 < N);
          EXPECT_EQ(enc.numGaps, entries + escapes)
              << "b " << b << " gap " << gap;
        }
      }
}

TEST(Format, EdgeCases) {
  for (Entropy e : kEntropies) {
    // 1x1 dense and sparse, kept and pruned.
    roundTrip(makeParams(Layout::Dense, 1, 0, e), {1, 1}, {0.5f}, {0});
    for (Layout l : {Layout::CSR, Layout::CSC}) {
      roundTrip(makeParams(l, 1, 1, e), {1, 1}, {0.5f}, {0});
      roundTrip(makeParams(l, 1, 1, e), {1, 1}, {0.5f}, {-1});
      // All pruned with an empty codebook.
      EncodedLayer enc = roundTrip(makeParams(l, 3, 2, e), {4, 5}, {},
                                   std::vector<int32_t>(20, -1));
      EXPECT_EQ(enc.numWeights, 0u);
      EXPECT_EQ(enc.numGaps, 0u);
      EXPECT_TRUE(enc.rowPtr.empty());
      EXPECT_TRUE(enc.weights.empty());
      EXPECT_TRUE(enc.gaps.empty());
      if (e == Entropy::Huffman) {
        EXPECT_EQ(enc.gapCodeLengths, std::vector<uint8_t>(4, 0));
      }
      // All pruned with a codebook: all-zero weight table.
      enc = roundTrip(makeParams(l, 3, 2, e), {4, 5}, makeCodebook(5),
                      std::vector<int32_t>(20, -1));
      if (e == Entropy::Huffman)
        EXPECT_EQ(enc.weightCodeLengths, std::vector<uint8_t>(5, 0));
      // Everything kept, one distinct value.
      enc = roundTrip(makeParams(l, 1, 1, e), {3, 4}, {2.0f},
                      std::vector<int32_t>(12, 0));
      if (e == Entropy::Huffman) {
        EXPECT_EQ(enc.weightCodeLengths, std::vector<uint8_t>{1});
        EXPECT_EQ(enc.gapCodeLengths, (std::vector<uint8_t>{1, 0}));
      }
      // Empty rows between full ones.
      std::vector<int32_t> idx(6 * 4, -1);
      for (int c = 0; c < 4; ++c)
        idx[2 * 4 + c] = c % 2;
      roundTrip(makeParams(l, 1, 1, e), {6, 4}, {-1.0f, 1.0f}, idx);
    }
    // Dense with one distinct value under Huffman: 1 bit per weight.
    EncodedLayer enc = roundTrip(makeParams(Layout::Dense, 4, 0, e), {3, 3},
                                 makeCodebook(16), std::vector<int32_t>(9, 7));
    if (e == Entropy::Huffman)
      EXPECT_EQ(enc.weights.size(), 2u);
  }
}

TEST(Format, GoldenCSR) {
  // Worked by hand from docs/Format.md: E = 3; row 0 gaps 0 | E 1, row 1
  // gaps E E 1; 2-bit symbols packed LSB-first.
  MatrixShape s{2, 8};
  std::vector<int32_t> idx(16, -1);
  idx[0] = 2;
  idx[5] = 1;
  idx[8 + 7] = 0;
  std::vector<float> cb = {-1.0f, 0.5f, 2.0f};
  auto enc = encodeLayer(makeParams(Layout::CSR, 2, 2, Entropy::None), s, cb,
                         idx.data());
  ASSERT_TRUE(enc.ok()) << enc.message();
  EXPECT_EQ(enc->numWeights, 3u);
  EXPECT_EQ(enc->numGaps, 6u); // 0 | E 1 || E E 1
  EXPECT_EQ(enc->rowPtr, std::vector<uint8_t>{0x0E});
  EXPECT_EQ(enc->gaps, (std::vector<uint8_t>{0xDC, 0x07}));
  EXPECT_EQ(enc->weights, std::vector<uint8_t>{0x06});
  std::vector<uint8_t> bytes = serializeLayer(enc->view());
  std::vector<uint8_t> want = {'D', 'C', 'W', '1', 1, 2, 2, 0, 2, 0, 0, 0,
                               8,   0,   0,   0,   3, 0, 0, 0, 3, 0, 0, 0,
                               6,   0,   0,   0,   1, 0, 0, 0, 2, 0, 0, 0};
  for (float f : cb) {
    uint8_t b[4];
    std::memcpy(b, &f, 4);
    want.insert(want.end(), b, b + 4);
  }
  want.insert(want.end(), {0x0E, 0xDC, 0x07, 0x06});
  EXPECT_EQ(bytes, want);
  EXPECT_EQ(storedBytes(enc->view()), 52u);
}

TEST(Format, MatrixShape) {
  auto shape = [](std::vector<int64_t> s) {
    return matrixShapeOf(s.data(), s.size());
  };
  auto ok = [&](std::vector<int64_t> s, uint32_t r, uint32_t c) {
    auto m = shape(s);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(m->rows, r);
    EXPECT_EQ(m->cols, c);
  };
  ok({7}, 1, 7);
  ok({300, 784}, 300, 784);
  ok({64, 3, 5, 5}, 64, 75);
  ok({1, 1, 1}, 1, 1);
  ok({4294967295}, 1, 4294967295u);
  ok({65535, 65537}, 65535, 65537);
  EXPECT_FALSE(shape({}).ok());
  EXPECT_FALSE(shape({0}).ok());
  EXPECT_FALSE(shape({3, 0}).ok());
  EXPECT_FALSE(shape({3, -2}).ok());
  EXPECT_FALSE(shape({4294967296}).ok());
  EXPECT_FALSE(shape({65536, 65536}).ok());
  EXPECT_FALSE(shape({2, 65536, 32768}).ok());
  EXPECT_FALSE(shape({INT64_MAX, INT64_MAX}).ok());
  EXPECT_FALSE(shape({1, INT64_MAX, INT64_MAX}).ok());
  EXPECT_FALSE(matrixShapeOf(nullptr, 0).ok());
}

TEST(Format, BitWidthAndParams) {
  EXPECT_EQ(bitWidth(0), 0u);
  EXPECT_EQ(bitWidth(1), 1u);
  EXPECT_EQ(bitWidth(2), 2u);
  EXPECT_EQ(bitWidth(255), 8u);
  EXPECT_EQ(bitWidth(256), 9u);
  EXPECT_EQ(bitWidth(UINT32_MAX), 32u);
  EXPECT_EQ(bitWidth(UINT64_MAX), 64u);
  EXPECT_TRUE(
      verifyParams(makeParams(Layout::Dense, 8, 0, Entropy::None)).ok());
  EXPECT_TRUE(
      verifyParams(makeParams(Layout::CSC, 1, 8, Entropy::Huffman)).ok());
  Params p = makeParams(Layout::CSR, 5, 5, Entropy::None);
  p.weightBits = 0;
  EXPECT_FALSE(verifyParams(p).ok());
  p.weightBits = 9;
  EXPECT_FALSE(verifyParams(p).ok());
  p.weightBits = 5;
  p.indexBits = 0;
  EXPECT_FALSE(verifyParams(p).ok());
  p.indexBits = 9;
  EXPECT_FALSE(verifyParams(p).ok());
  p.indexBits = 5;
  p.layout = Layout(3);
  EXPECT_FALSE(verifyParams(p).ok());
  p.layout = Layout::Dense;
  EXPECT_FALSE(verifyParams(p).ok()); // b must be 0
  p.indexBits = 0;
  p.entropy = Entropy(2);
  EXPECT_FALSE(verifyParams(p).ok());
}

TEST(Format, EncodeRejectsBadInput) {
  std::vector<float> cb = makeCodebook(4);
  std::vector<int32_t> idx = {0, 1, 2, 3};
  Params p = makeParams(Layout::CSR, 2, 2, Entropy::None);
  EXPECT_TRUE(encodeLayer(p, {2, 2}, cb, idx.data()).ok());
  idx[3] = 4;
  EXPECT_FALSE(encodeLayer(p, {2, 2}, cb, idx.data()).ok());
  idx[3] = -2;
  EXPECT_FALSE(encodeLayer(p, {2, 2}, cb, idx.data()).ok());
  idx[3] = -1;
  EXPECT_TRUE(encodeLayer(p, {2, 2}, cb, idx.data()).ok());
  Params d = makeParams(Layout::Dense, 2, 0, Entropy::None);
  auto st = encodeLayer(d, {2, 2}, cb, idx.data());
  EXPECT_FALSE(st.ok()); // no pruned positions in dense
  EXPECT_NE(st.message().find("row 1, col 1"), std::string::npos)
      << st.message();
  EXPECT_FALSE(encodeLayer(p, {2, 2}, makeCodebook(5), idx.data()).ok());
  EXPECT_FALSE(encodeLayer(p, {0, 2}, cb, idx.data()).ok());
  EXPECT_FALSE(encodeLayer(p, {65536, 65536}, cb, idx.data()).ok());
  EXPECT_FALSE(encodeLayer(d, {2, 2}, {}, idx.data()).ok()); // K = 0
}

//===----------------------------------------------------------------------===//
// Corrupt input
//===----------------------------------------------------------------------===//

/// A hand-built raw CSR layer (independent of the encoder).
struct RawLayer {
  Params params = makeParams(Layout::CSR, 3, 2, Entropy::None);
  uint32_t rows = 2, cols = 8;
  std::vector<float> codebook = makeCodebook(5);
  uint32_t numWeights = 0, numGaps = 0;
  std::vector<uint8_t> rowPtr, gaps, weights, wlen, glen;

  LayerView view() const {
    LayerView v;
    v.params = params;
    v.rows = rows;
    v.cols = cols;
    v.codebook = codebook.data();
    v.codebookSize = uint32_t(codebook.size());
    v.numWeights = numWeights;
    v.numGaps = numGaps;
    v.rowPtr = ByteSpan(rowPtr);
    v.gaps = ByteSpan(gaps);
    v.weights = ByteSpan(weights);
    v.weightCodeLengths = ByteSpan(wlen);
    v.gapCodeLengths = ByteSpan(glen);
    return v;
  }
};

/// Builds a raw CSR layer from the given per-row pointers, gap symbols and
/// weight symbols.
RawLayer buildRaw(std::vector<uint32_t> ptrs, std::vector<uint32_t> gapSyms,
                  std::vector<uint32_t> weightSyms, uint32_t numWeights) {
  RawLayer l;
  l.numWeights = numWeights;
  l.numGaps = uint32_t(gapSyms.size());
  Packer pp, gp, wp;
  unsigned P = bitWidth(numWeights);
  for (uint32_t p : ptrs)
    pp.put(p, P);
  for (uint32_t g : gapSyms)
    gp.put(g, l.params.indexBits);
  for (uint32_t w : weightSyms)
    wp.put(w, l.params.weightBits);
  l.rowPtr = pp.bytes;
  l.gaps = gp.bytes;
  l.weights = wp.bytes;
  return l;
}

void expectRejected(const LayerView &v, const std::string &needle) {
  Status st = verifyLayer(v);
  EXPECT_FALSE(st.ok()) << "expected: " << needle;
  EXPECT_NE(st.message().find(needle), std::string::npos)
      << "message: " << st.message() << "\nexpected: " << needle;
  std::vector<int32_t> idx;
  EXPECT_FALSE(decodeIndices(v, idx).ok());
  EXPECT_TRUE(idx.empty());
  std::vector<float> dense(size_t(v.rows) * v.cols);
  EXPECT_FALSE(decodeDense(v, dense.data(), dense.size()).ok());
  // The serialized form is rejected by parse or verify.
  std::vector<uint8_t> bytes = serializeLayer(v);
  auto parsed = parseLayer(ByteSpan(bytes));
  if (parsed.ok())
    EXPECT_FALSE(verifyLayer(*parsed).ok());
}

TEST(Format, RejectsHandBuiltCorruption) {
  // Valid: row 0 entries at 1 and 5 (idx 4, 0), row 1 entry at 7 (idx 2).
  // E = 3. Row 0: 1, then d = 3 -> E 0. Row 1: d = 7 -> E E 1.
  RawLayer good = buildRaw({2, 3}, {1, 3, 0, 3, 3, 1}, {4, 0, 2}, 3);
  ASSERT_TRUE(verifyLayer(good.view()).ok())
      << verifyLayer(good.view()).message();
  std::vector<int32_t> idx;
  ASSERT_TRUE(decodeIndices(good.view(), idx).ok());
  std::vector<int32_t> want(16, -1);
  want[1] = 4;
  want[5] = 0;
  want[15] = 2;
  EXPECT_EQ(idx, want);

  // Weight index >= K.
  expectRejected(buildRaw({2, 3}, {1, 3, 0, 3, 3, 1}, {4, 5, 2}, 3).view(),
                 "index 5 >= codebook size 5 at entry 1 (row 0, col 5)");
  // Decreasing row pointers.
  expectRejected(buildRaw({1, 0}, {1, 3, 0, 3, 3, 1}, {4, 0, 2}, 3).view(),
                 "p[2] = 0 < p[1] = 1");
  // Row pointers not ending at num_weights.
  expectRejected(buildRaw({1, 2}, {1, 3, 0, 3, 3, 1}, {4, 0, 2}, 3).view(),
                 "!= num_weights");
  // Gap past the end of a line (cursor 8 in a line of 8).
  expectRejected(buildRaw({2, 3}, {1, 3, 0, 3, 3, 2}, {4, 0, 2}, 3).view(),
                 "gap stream: cursor 8 past line length 8 in row 1");
  // Escape past the end.
  expectRejected(buildRaw({2, 3}, {1, 3, 0, 3, 3, 3, 0}, {4, 0, 2}, 3).view(),
                 "escape moves cursor to 8 past line length 8 in row 1");
  // Gap symbols left over.
  expectRejected(buildRaw({2, 3}, {1, 3, 0, 3, 3, 1, 0}, {4, 0, 2}, 3).view(),
                 "6 of 7 symbols consumed");
  // Too few gap symbols.
  expectRejected(buildRaw({2, 3}, {1, 3, 0, 3, 3}, {4, 0, 2}, 3).view(),
                 "more symbols needed than the 5 in the header in row 1");
  // A line with more entries than positions.
  {
    RawLayer l = buildRaw({0, 3}, {0, 0, 0}, {0, 0, 0}, 3);
    l.cols = 2;
    expectRejected(l.view(), "has 3 entries > line length 2");
  }

  // Stream sizes: truncate or extend each raw stream.
  {
    RawLayer l = good;
    l.rowPtr.pop_back();
    expectRejected(l.view(), "row-pointer stream: 0 bytes, expected 1");
    l = good;
    l.gaps.pop_back();
    expectRejected(l.view(), "gap stream: 1 bytes, expected 2");
    l = good;
    l.weights.pop_back();
    expectRejected(l.view(), "weight stream: 1 bytes, expected 2");
    l = good;
    l.weights.push_back(0);
    expectRejected(l.view(), "weight stream: 3 bytes, expected 2");
  }
  // Non-zero padding bits in each stream.
  {
    RawLayer l = good;
    l.rowPtr.back() |= 0x80;
    expectRejected(l.view(), "row-pointer stream: non-zero padding");
    l = good;
    l.gaps.back() |= 0x80;
    expectRejected(l.view(), "gap stream: non-zero padding");
    l = good;
    l.weights.back() |= 0x80;
    expectRejected(l.view(), "weight stream: non-zero padding");
  }
  // Header fields.
  {
    RawLayer l = good;
    l.codebook.clear();
    expectRejected(l.view(), "codebook: empty");
    l = good;
    l.codebook = makeCodebook(9);
    expectRejected(l.view(), "codebook: 9 entries > 2^3");
    l = good;
    l.numWeights = 17;
    expectRejected(l.view(), "num_weights 17 > rows*cols 16");
    l = good;
    l.params.weightBits = 9;
    expectRejected(l.view(), "weight bits 9");
    l = good;
    l.rows = 0;
    expectRejected(l.view(), "must be positive");
  }
}

TEST(Format, RejectsBadHuffmanTables) {
  Rng rng(20);
  std::vector<int32_t> idx = randomIndices(rng, 12 * 40, 6, 0.3, false);
  auto enc = encodeLayer(makeParams(Layout::CSR, 3, 3, Entropy::Huffman),
                         {12, 40}, makeCodebook(6), idx.data());
  ASSERT_TRUE(enc.ok());
  ASSERT_TRUE(verifyLayer(enc->view()).ok());
  auto withTables = [&](std::vector<uint8_t> w, std::vector<uint8_t> g,
                        const std::string &needle) {
    EncodedLayer l = *enc;
    if (!w.empty())
      l.weightCodeLengths = w;
    if (!g.empty())
      l.gapCodeLengths = g;
    expectRejected(l.view(), needle);
  };
  withTables({1, 1, 1, 0, 0, 0}, {},
             "weight stream: huffman table: over-subscribed");
  withTables({1, 2, 0, 0, 0, 0}, {},
             "weight stream: huffman table: incomplete");
  withTables({0, 3, 0, 0, 0, 0}, {}, "must be 1");
  withTables({1, 16, 0, 0, 0, 0}, {}, "> limit 15");
  withTables({}, {1, 1, 1, 1, 0, 0, 0, 0}, "gap stream: huffman table: over");
  withTables({}, {0, 0, 0, 0, 0, 0, 0, 2}, "gap stream: huffman table");
  withTables({1, 1, 0, 0, 0, 0, 0}, {}, "expected K = 6");
  withTables({}, {1, 1}, "expected 2^b = 8");
  // Leftover bytes and non-zero padding in the Huffman streams.
  EncodedLayer l = *enc;
  l.weights.push_back(0);
  expectRejected(l.view(), "weight stream: 1 bytes left over");
  l = *enc;
  l.gaps.push_back(0);
  expectRejected(l.view(), "gap stream: 1 bytes left over");
  // Truncated Huffman streams end early (or cannot hold the symbols).
  l = *enc;
  l.weights.pop_back();
  EXPECT_FALSE(verifyLayer(l.view()).ok());
  l = *enc;
  l.gaps.pop_back();
  EXPECT_FALSE(verifyLayer(l.view()).ok());
}

TEST(Format, ParseRejectsBadBytes) {
  Rng rng(30);
  for (Layout layout : kLayouts)
    for (Entropy e : kEntropies) {
      Params p = makeParams(layout, 4, 3, e);
      std::vector<int32_t> idx =
          randomIndices(rng, 9 * 21, 11, 0.4, layout == Layout::Dense);
      auto enc = encodeLayer(p, {9, 21}, makeCodebook(11), idx.data());
      ASSERT_TRUE(enc.ok());
      std::vector<uint8_t> bytes = serializeLayer(enc->view());
      ASSERT_TRUE(parseLayer(ByteSpan(bytes)).ok());
      // Every truncation fails to parse.
      for (size_t n = 0; n < bytes.size(); ++n)
        ASSERT_FALSE(parseLayer(ByteSpan(bytes.data(), n)).ok()) << n;
      // A trailing byte fails.
      std::vector<uint8_t> longer = bytes;
      longer.push_back(0);
      auto st = parseLayer(ByteSpan(longer));
      ASSERT_FALSE(st.ok());
      EXPECT_NE(st.message().find("after the weight stream"), std::string::npos)
          << st.message();
      // Bad magic, bad params.
      auto mutate = [&](size_t off, uint8_t v, const char *needle) {
        std::vector<uint8_t> b = bytes;
        b[off] = v;
        auto r = parseLayer(ByteSpan(b));
        EXPECT_FALSE(r.ok()) << needle;
        EXPECT_NE(r.message().find(needle), std::string::npos) << r.message();
      };
      mutate(0, 'X', "bad magic");
      mutate(3, '2', "bad magic");
      mutate(4, 3, "layout code 3");
      mutate(5, 0, "weight bits 0");
      mutate(5, 9, "weight bits 9");
      mutate(6, layout == Layout::Dense ? 1 : 0, "index bits");
      mutate(6, 9, "index bits");
      mutate(7, 2, "entropy code 2");
      mutate(16, 17, "codebook has 17 entries > 2^4");
      // Random bit flips: never crash; verify and decode agree.
      for (int i = 0; i < 300; ++i) {
        std::vector<uint8_t> b = bytes;
        size_t bit = rng.below(b.size() * 8);
        b[bit / 8] ^= uint8_t(1u << (bit % 8));
        auto r = parseLayer(ByteSpan(b));
        if (!r.ok())
          continue;
        Status v = verifyLayer(*r);
        EXPECT_EQ(storedBytes(*r), b.size());
        if (uint64_t(r->rows) * r->cols > (1u << 20))
          continue; // a flipped high bit of R or C: too big to decode here
        std::vector<int32_t> dec;
        Status d = decodeIndices(*r, dec);
        ASSERT_EQ(v.ok(), d.ok()) << v.message() << " / " << d.message();
      }
    }
}

TEST(Format, DecodeDenseChecksOutputSize) {
  std::vector<int32_t> idx = {0, -1, 1, -1};
  auto enc = encodeLayer(makeParams(Layout::CSC, 1, 1, Entropy::None), {2, 2},
                         {1.0f, 2.0f}, idx.data());
  ASSERT_TRUE(enc.ok());
  std::vector<float> out(5);
  EXPECT_FALSE(decodeDense(enc->view(), out.data(), 3).ok());
  EXPECT_FALSE(decodeDense(enc->view(), out.data(), 5).ok());
  ASSERT_TRUE(decodeDense(enc->view(), out.data(), 4).ok());
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_EQ(out[2], 2.0f);
  EXPECT_EQ(out[3], 0.0f);
}

TEST(Format, StoredBytesMatchesSerializationAlways) {
  // Also for inconsistent views (spans that disagree with the params).
  Rng rng(40);
  for (int i = 0; i < 200; ++i) {
    LayerView v;
    v.params = makeParams(kLayouts[rng.below(3)], 1 + unsigned(rng.below(8)),
                          1 + unsigned(rng.below(8)), kEntropies[rng.below(2)]);
    std::vector<float> cb(rng.below(10));
    std::vector<uint8_t> a(rng.below(10)), b(rng.below(10)), c(rng.below(10)),
        d(rng.below(10)), e(rng.below(10));
    v.codebook = cb.data();
    v.codebookSize = uint32_t(cb.size());
    v.weightCodeLengths = ByteSpan(a);
    v.gapCodeLengths = ByteSpan(b);
    v.rowPtr = ByteSpan(c);
    v.gaps = ByteSpan(d);
    v.weights = ByteSpan(e);
    EXPECT_EQ(storedBytes(v), serializeLayer(v).size());
  }
}

TEST(Format, HugeSparseHeadersAreCheap) {
  // R*C just below 2^32 with no entries: verification must not walk lines.
  LayerView v;
  v.params = makeParams(Layout::CSR, 1, 1, Entropy::None);
  v.rows = 65535;
  v.cols = 65537;
  EXPECT_TRUE(verifyLayer(v).ok()) << verifyLayer(v).message();
  v.numGaps = 1;
  EXPECT_FALSE(verifyLayer(v).ok());
  // num_weights must be backed by row-pointer bytes.
  v.numGaps = 0;
  v.numWeights = 1;
  std::vector<float> cb = {1.0f};
  v.codebook = cb.data();
  v.codebookSize = 1;
  EXPECT_FALSE(verifyLayer(v).ok());
}

} // namespace
