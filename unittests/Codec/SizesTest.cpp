//===- SizesTest.cpp - Tests of the storage format's size rules -----------===//
//
// The size rules the verifier, the report, compression and the lowering
// share must agree with what the encoder writes.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/Format.h"

#include "TestUtil.h"

#include "gtest/gtest.h"

#include <string>

using namespace dc;
using namespace dc::codec;
using namespace dc::codec::test;

namespace {

/// A random quantized layer: each position pruned (-1) with probability
/// `pruned`, else a codebook index below k.
std::vector<int32_t> randomIndices(Rng &rng, MatrixShape s, uint32_t k,
                                   double pruned) {
  std::vector<int32_t> idx(uint64_t(s.rows) * s.cols);
  for (int32_t &i : idx)
    i = rng.chance(pruned) ? -1 : int32_t(rng.below(k));
  return idx;
}

std::vector<float> codebookOf(uint32_t k) {
  std::vector<float> cb(k);
  for (uint32_t i = 0; i < k; ++i)
    cb[i] = 0.5f + float(i);
  return cb;
}

TEST(Sizes, LinesAndRowPointers) {
  MatrixShape s{3, 7};
  EXPECT_EQ(lineCount(Layout::CSR, s), 3u);
  EXPECT_EQ(lineCount(Layout::CSC, s), 7u);
  EXPECT_EQ(lineCount(Layout::Dense, s), 0u);
  EXPECT_EQ(rowPtrBits(0), 0u);
  EXPECT_EQ(rowPtrBits(5), 3u);
  EXPECT_EQ(rowPtrBits(8), 4u);
  // 3 lines of 3 bits (numWeights 5): 9 bits, 2 bytes; 7 lines: 21 bits.
  EXPECT_EQ(rowPtrBytes(Layout::CSR, s, 5), 2u);
  EXPECT_EQ(rowPtrBytes(Layout::CSC, s, 5), 3u);
  EXPECT_EQ(rowPtrBytes(Layout::Dense, s, 5), 0u);
  EXPECT_EQ(rowPtrBytes(Layout::CSR, s, 0), 0u);
}

TEST(Sizes, WeightBitsFor) {
  EXPECT_EQ(weightBitsFor(0), 1u);
  EXPECT_EQ(weightBitsFor(1), 1u);
  EXPECT_EQ(weightBitsFor(2), 1u);
  EXPECT_EQ(weightBitsFor(3), 2u);
  EXPECT_EQ(weightBitsFor(32), 5u);
  EXPECT_EQ(weightBitsFor(33), 6u);
  EXPECT_EQ(weightBitsFor(256), 8u);
  EXPECT_EQ(weightBitsFor(257), 9u);
}

TEST(Sizes, StreamSizeBounds) {
  StreamSizeBounds raw = streamSizeBounds(10, 5, /*huffman=*/false);
  EXPECT_EQ(raw.min, 7u); // 50 bits
  EXPECT_EQ(raw.max, 7u);
  EXPECT_TRUE(raw.contains(7));
  EXPECT_FALSE(raw.contains(6));
  EXPECT_FALSE(raw.contains(8));
  StreamSizeBounds coded = streamSizeBounds(10, 5, /*huffman=*/true);
  EXPECT_EQ(coded.min, 2u);  // 10 bits
  EXPECT_EQ(coded.max, 19u); // 150 bits
  EXPECT_EQ(streamSizeBounds(0, 8, false).max, 0u);
  EXPECT_EQ(streamSizeBounds(0, 8, true).max, 0u);
}

TEST(Sizes, StoredBytesOfFieldSizes) {
  FieldSizes f;
  f.params.layout = Layout::Dense;
  f.params.entropy = Entropy::None;
  f.codebookSize = 4;
  f.weightCodeLengths = 4; // not stored without huffman
  f.rowPtr = 3;            // not stored in the dense layout
  f.gaps = 5;
  f.weights = 10;
  EXPECT_EQ(storedBytes(f), kHeaderBytes + 16 + 10);
  f.params.layout = Layout::CSR;
  EXPECT_EQ(storedBytes(f), kHeaderBytes + 16 + 3 + 5 + 10);
  f.params.entropy = Entropy::Huffman;
  f.gapCodeLengths = 32;
  EXPECT_EQ(storedBytes(f), kHeaderBytes + 16 + 4 + 32 + 3 + 5 + 10);
  f.params.layout = Layout::Dense;
  EXPECT_EQ(storedBytes(f), kHeaderBytes + 16 + 4 + 10);
}

/// rawStoredBytes from the header's counts is the stored size of the
/// entropy-none encoding, and the csr/dense estimate from the indices is
/// what encodeLayer stores, for random layers of every shape class.
TEST(Sizes, RawSizesMatchTheEncoder) {
  Rng rng(2026120801);
  for (int trial = 0; trial < 300; ++trial) {
    MatrixShape s{uint32_t(1 + rng.below(40)), uint32_t(1 + rng.below(70))};
    uint32_t k = uint32_t(1 + rng.below(40));
    double pruned = rng.unit();
    unsigned b = unsigned(1 + rng.below(8));
    SCOPED_TRACE("trial " + std::to_string(trial));
    std::vector<int32_t> idx = randomIndices(rng, s, k, pruned);
    std::vector<float> cb = codebookOf(k);
    for (Layout layout : {Layout::CSR, Layout::CSC}) {
      Params p;
      p.layout = layout;
      p.weightBits = weightBitsFor(k);
      p.indexBits = b;
      p.entropy = Entropy::None;
      StatusOr<EncodedLayer> enc = encodeLayer(p, s, cb, idx.data());
      ASSERT_TRUE(enc.ok()) << enc.message();
      EXPECT_EQ(rawStoredBytes(p, s, k, enc->numWeights, enc->numGaps),
                storedBytes(enc->view()));
      EXPECT_EQ(enc->rowPtr.size(), rowPtrBytes(layout, s, enc->numWeights));
    }
    CSRAndDenseBytes raw = rawStoredBytesCSRAndDense(s, k, idx.data(), b);
    Params csr;
    csr.layout = Layout::CSR;
    csr.weightBits = weightBitsFor(k);
    csr.indexBits = b;
    StatusOr<EncodedLayer> encCSR = encodeLayer(csr, s, cb, idx.data());
    ASSERT_TRUE(encCSR.ok()) << encCSR.message();
    EXPECT_EQ(raw.csr, storedBytes(encCSR->view()));
    // The dense layout: pruned positions index an extra entry 0.0.
    std::vector<float> denseCB = cb;
    std::vector<int32_t> denseIdx = idx;
    bool anyPruned = false;
    for (int32_t &i : denseIdx)
      if (i < 0) {
        i = int32_t(k);
        anyPruned = true;
      }
    if (anyPruned)
      denseCB.push_back(0.0f);
    Params dense;
    dense.layout = Layout::Dense;
    dense.weightBits = weightBitsFor(denseCB.size());
    dense.indexBits = 0;
    StatusOr<EncodedLayer> encDense =
        encodeLayer(dense, s, denseCB, denseIdx.data());
    ASSERT_TRUE(encDense.ok()) << encDense.message();
    EXPECT_EQ(raw.dense, storedBytes(encDense->view()));
  }
}

/// The run-time line layout: the stored lines' entries in order, each line
/// split into lines of `lineLength` positions.
TEST(Sizes, RuntimeLinesOfCSRAndCSC) {
  // 2x6, kept: (0,1)=3 (0,4)=0 (1,0)=2 (1,3)=1.
  std::vector<int32_t> idx = {-1, 3, -1, -1, 0, -1, 2, -1, -1, 1, -1, -1};
  MatrixShape s{2, 6};
  Params p;
  p.weightBits = 2;
  p.indexBits = 2;
  for (Entropy e : {Entropy::None, Entropy::Huffman}) {
    p.entropy = e;
    p.layout = Layout::CSR;
    StatusOr<EncodedLayer> enc = encodeLayer(p, s, codebookOf(4), idx.data());
    ASSERT_TRUE(enc.ok()) << enc.message();
    StatusOr<RuntimeLines> whole = decodeRuntimeLines(enc->view(), 0);
    ASSERT_TRUE(whole.ok()) << whole.message();
    EXPECT_EQ(whole->positions, (std::vector<int32_t>{0, 2, 4}));
    EXPECT_EQ(whole->coordinates, (std::vector<int32_t>{1, 4, 0, 3}));
    EXPECT_EQ(whole->indices, (std::vector<int32_t>{3, 0, 2, 1}));
    // Lines of 3 positions: each row of 6 becomes 2 lines.
    StatusOr<RuntimeLines> split = decodeRuntimeLines(enc->view(), 3);
    ASSERT_TRUE(split.ok()) << split.message();
    EXPECT_EQ(split->positions, (std::vector<int32_t>{0, 1, 2, 3, 4}));
    EXPECT_EQ(split->coordinates, (std::vector<int32_t>{1, 1, 0, 0}));
    EXPECT_EQ(split->indices, (std::vector<int32_t>{3, 0, 2, 1}));

    p.layout = Layout::CSC;
    enc = encodeLayer(p, s, codebookOf(4), idx.data());
    ASSERT_TRUE(enc.ok()) << enc.message();
    StatusOr<RuntimeLines> cols = decodeRuntimeLines(enc->view(), 0);
    ASSERT_TRUE(cols.ok()) << cols.message();
    EXPECT_EQ(cols->positions, (std::vector<int32_t>{0, 1, 2, 2, 3, 4, 4}));
    EXPECT_EQ(cols->coordinates, (std::vector<int32_t>{1, 0, 1, 0}));
    EXPECT_EQ(cols->indices, (std::vector<int32_t>{2, 3, 1, 0}));
  }
}

TEST(Sizes, RuntimeLinesRejectCorruptPayloads) {
  std::vector<int32_t> idx = {0, -1, 1, -1};
  Params p;
  p.weightBits = 1;
  p.indexBits = 2;
  StatusOr<EncodedLayer> enc =
      encodeLayer(p, MatrixShape{2, 2}, codebookOf(2), idx.data());
  ASSERT_TRUE(enc.ok()) << enc.message();
  LayerView v = enc->view();
  v.numGaps += 1; // the gap stream no longer has the header's size
  StatusOr<RuntimeLines> lines = decodeRuntimeLines(v, 0);
  EXPECT_FALSE(lines.ok());
  EXPECT_NE(lines.message().find("gap stream"), std::string::npos)
      << lines.message();
}

} // namespace
