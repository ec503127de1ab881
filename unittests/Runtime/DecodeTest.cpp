//===- DecodeTest.cpp - The run-time decoder against the codec ------------===//
//
// The freestanding run-time decoder (lib/Runtime) must agree with the codec
// (lib/Codec), the reference: the same entries for every valid layer, and an
// error exactly when the codec rejects a (corrupted) layer.
//
//===----------------------------------------------------------------------===//

#include "dc/Runtime/Decode.h"
#include "dc/Codec/Format.h"

#include "gtest/gtest.h"

#include <cstring>
#include <random>
#include <vector>

using namespace dc;
using namespace dc::codec;

namespace {

dcrt_memref1d memref(const void *data, size_t size) {
  dcrt_memref1d m;
  m.allocated = m.aligned = const_cast<void *>(data);
  m.offset = 0;
  m.size = int64_t(size);
  m.stride = 1;
  return m;
}
dcrt_memref1d memref(ByteSpan s) { return memref(s.data, s.size); }

struct Decoded {
  int32_t rc = -1;
  std::vector<int32_t> positions, coordinates, indices;
  std::vector<float> dense;
};

Decoded runtimeDecode(const LayerView &l, const std::vector<float> &codebook) {
  dcrt_memref1d w = memref(l.weights), g = memref(l.gaps), p = memref(l.rowPtr),
                wl = memref(l.weightCodeLengths), gl = memref(l.gapCodeLengths);
  Decoded d;
  auto params = [&](auto f) {
    return f(int64_t(l.params.layout), int64_t(l.params.weightBits),
             int64_t(l.params.indexBits), int64_t(l.params.entropy),
             int64_t(l.rows), int64_t(l.cols), int64_t(l.codebookSize),
             int64_t(l.numWeights), int64_t(l.numGaps));
  };
  d.dense.assign(size_t(l.rows) * l.cols, -1.0f);
  dcrt_memref1d cb = memref(codebook.data(), codebook.size());
  dcrt_memref1d out = memref(d.dense.data(), d.dense.size());
  int32_t denseRc =
      params([&](int64_t a, int64_t b, int64_t c, int64_t e, int64_t r,
                 int64_t co, int64_t k, int64_t nw, int64_t ng) {
        return _mlir_ciface_dcrt_decode_dense(a, b, c, e, r, co, k, nw, ng, &w,
                                              &g, &p, &wl, &gl, &cb, &out);
      });
  d.rc = denseRc;
  if (l.params.layout == Layout::Dense)
    return d;
  uint64_t lines = l.params.layout == Layout::CSC ? l.cols : l.rows;
  d.positions.assign(lines + 1, -1);
  std::vector<uint32_t> crd(l.numWeights + 1);
  std::vector<uint16_t> idx(l.numWeights + 1);
  dcrt_memref1d pos = memref(d.positions.data(), 4 * d.positions.size());
  dcrt_memref1d crdm = memref(crd.data(), 4 * size_t(l.numWeights));
  dcrt_memref1d idxm = memref(idx.data(), 2 * size_t(l.numWeights));
  int32_t csrRc = params([&](int64_t a, int64_t b, int64_t c, int64_t e,
                             int64_t r, int64_t co, int64_t k, int64_t nw,
                             int64_t ng) {
    return _mlir_ciface_dcrt_decode_csr(a, b, c, e, r, co, k, nw, ng, &w, &g,
                                        &p, &wl, &gl, 4, 2, &pos, &crdm, &idxm);
  });
  // Both entry points agree on validity.
  EXPECT_EQ(csrRc == DCRT_OK, denseRc == DCRT_OK);
  d.coordinates.assign(crd.begin(), crd.begin() + l.numWeights);
  d.indices.assign(idx.begin(), idx.begin() + l.numWeights);
  return d;
}

/// Compares the run-time decode with the codec's.
void expectAgrees(const LayerView &l, const std::vector<float> &codebook) {
  std::vector<int32_t> ref;
  Status status = decodeIndices(l, ref);
  Decoded d = runtimeDecode(l, codebook);
  ASSERT_EQ(status.ok(), d.rc == DCRT_OK) << status.message();
  if (!status.ok())
    return;
  for (size_t i = 0; i < ref.size(); ++i)
    ASSERT_EQ(d.dense[i], ref[i] < 0 ? 0.0f : codebook[ref[i]]) << i;
  if (l.params.layout == Layout::Dense)
    return;
  bool csc = l.params.layout == Layout::CSC;
  uint64_t lines = csc ? l.cols : l.rows, length = csc ? l.rows : l.cols;
  size_t e = 0;
  for (uint64_t line = 0; line < lines; ++line) {
    ASSERT_EQ(d.positions[line], int32_t(e));
    for (uint64_t j = 0; j < length; ++j) {
      int32_t idx = ref[csc ? j * l.cols + line : line * l.cols + j];
      if (idx < 0)
        continue;
      ASSERT_EQ(d.coordinates[e], int32_t(j));
      ASSERT_EQ(d.indices[e], idx);
      ++e;
    }
  }
  ASSERT_EQ(d.positions[lines], int32_t(e));
}

struct Case {
  Params params;
  uint32_t rows, cols;
  double density;
};

EncodedLayer randomLayer(const Case &c, std::mt19937 &rng,
                         std::vector<float> &codebook) {
  uint32_t k = 1 + rng() % (1u << c.params.weightBits);
  codebook.resize(k);
  for (uint32_t i = 0; i < k; ++i)
    codebook[i] = float(i) - float(k) / 2 + 0.5f;
  std::vector<int32_t> indices(size_t(c.rows) * c.cols);
  std::uniform_real_distribution<double> u(0, 1);
  for (int32_t &i : indices) {
    bool kept = c.params.layout == Layout::Dense || u(rng) < c.density;
    i = kept ? int32_t(rng() % k) : -1;
  }
  StatusOr<EncodedLayer> enc =
      encodeLayer(c.params, {c.rows, c.cols}, codebook, indices.data());
  EXPECT_TRUE(enc.ok()) << enc.message();
  return *enc;
}

TEST(RuntimeDecode, AgreesWithCodecOnRandomLayers) {
  std::mt19937 rng(7);
  int cases = 0;
  for (Layout layout : {Layout::Dense, Layout::CSR, Layout::CSC})
    for (Entropy entropy : {Entropy::None, Entropy::Huffman})
      for (unsigned w : {1u, 3u, 5u, 8u})
        for (unsigned b : {1u, 2u, 5u, 8u})
          for (auto [rows, cols, density] :
               {std::tuple{1u, 1u, 1.0}, std::tuple{7u, 300u, 0.05},
                std::tuple{33u, 17u, 0.5}, std::tuple{5u, 9u, 0.0}}) {
            if (layout == Layout::Dense && b != 1)
              continue;
            Case c{{layout, w, layout == Layout::Dense ? 0u : b, entropy},
                   rows,
                   cols,
                   density};
            std::vector<float> codebook;
            EncodedLayer enc = randomLayer(c, rng, codebook);
            expectAgrees(enc.view(), codebook);
            ++cases;
          }
  EXPECT_GT(cases, 150);
}

/// dcrt_decode_csr_lines: each stored line split into run-time lines of
/// `sub` positions (a conv weight [F, C, KH, KW] stored as [F, C KH KW]
/// becomes F C KH lines of KW), against the codec's decode.
TEST(RuntimeDecode, SplitsLinesAsAskedAndChecksTheSplit) {
  std::mt19937 rng(5);
  for (Layout layout : {Layout::CSR, Layout::CSC})
    for (Entropy entropy : {Entropy::None, Entropy::Huffman})
      for (auto [rows, cols, sub, density] :
           {std::tuple{6u, 12u, 3u, 0.3}, std::tuple{4u, 45u, 5u, 0.12},
            std::tuple{3u, 8u, 1u, 0.5}, std::tuple{5u, 9u, 9u, 0.0},
            std::tuple{50u, 500u, 25u, 0.1}}) {
        Case c{{layout, 5, 5, entropy}, rows, cols, density};
        std::vector<float> codebook;
        EncodedLayer enc = randomLayer(c, rng, codebook);
        LayerView l = enc.view();
        std::vector<int32_t> ref;
        ASSERT_TRUE(decodeIndices(l, ref).ok());
        bool csc = layout == Layout::CSC;
        uint64_t lines = csc ? cols : rows, length = csc ? rows : cols;
        if (length % sub != 0)
          continue;
        uint64_t fine = lines * (length / sub);
        std::vector<int32_t> positions(fine + 1, -1);
        std::vector<uint16_t> crd(l.numWeights + 1), idx(l.numWeights + 1);
        dcrt_memref1d w = memref(l.weights), g = memref(l.gaps),
                      p = memref(l.rowPtr), wl = memref(l.weightCodeLengths),
                      gl = memref(l.gapCodeLengths);
        dcrt_memref1d pos = memref(positions.data(), 4 * positions.size());
        dcrt_memref1d crdm = memref(crd.data(), 2 * size_t(l.numWeights));
        dcrt_memref1d idxm = memref(idx.data(), 2 * size_t(l.numWeights));
        int64_t nRows = rows, nCols = cols;
        auto call = [&](int64_t lineLength, dcrt_memref1d *positionsOut) {
          return _mlir_ciface_dcrt_decode_csr_lines(
              int64_t(layout), 5, 5, int64_t(entropy), nRows, nCols,
              int64_t(l.codebookSize), int64_t(l.numWeights),
              int64_t(l.numGaps), &w, &g, &p, &wl, &gl, 2, 2, lineLength,
              positionsOut, &crdm, &idxm);
        };
        ASSERT_EQ(call(sub, &pos), DCRT_OK);
        size_t e = 0;
        for (uint64_t line = 0; line < lines; ++line)
          for (uint64_t j = 0; j < length; ++j) {
            if (j % sub == 0)
              ASSERT_EQ(positions[line * (length / sub) + j / sub],
                        int32_t(e));
            int32_t i = ref[csc ? j * cols + line : line * cols + j];
            if (i < 0)
              continue;
            ASSERT_EQ(crd[e], j % sub);
            ASSERT_EQ(idx[e], i);
            ++e;
          }
        ASSERT_EQ(positions[fine], int32_t(e));
        // A length that does not divide the line, and too few positions.
        if (sub > 1 && length > 1)
          EXPECT_EQ(call(int64_t(length) + 1, &pos), DCRT_ERR_PARAMS);
        EXPECT_EQ(call(-1, &pos), DCRT_ERR_PARAMS);
        if (sub < length) {
          dcrt_memref1d small = memref(positions.data(), 4 * (lines + 1));
          EXPECT_EQ(call(sub, &small), DCRT_ERR_OUTPUT);
        }
      }
}

/// dcrt_decode_indices: a dense layer's codebook index per position, as the
/// codec decodes it; sparse layouts and short outputs are refused.
TEST(RuntimeDecode, DecodesDenseLayersToIndices) {
  std::mt19937 rng(9);
  for (Entropy entropy : {Entropy::None, Entropy::Huffman})
    for (unsigned w : {1u, 4u, 8u})
      for (auto [rows, cols] : {std::pair{1u, 1u}, std::pair{7u, 33u}}) {
        Case c{{Layout::Dense, w, 0, entropy}, rows, cols, 1.0};
        std::vector<float> codebook;
        EncodedLayer enc = randomLayer(c, rng, codebook);
        LayerView l = enc.view();
        std::vector<int32_t> ref;
        ASSERT_TRUE(decodeIndices(l, ref).ok());
        std::vector<uint16_t> idx(ref.size() + 1, 0xffff);
        dcrt_memref1d wm = memref(l.weights), g = memref(l.gaps),
                      p = memref(l.rowPtr), wl = memref(l.weightCodeLengths),
                      gl = memref(l.gapCodeLengths);
        int64_t nRows = rows, nCols = cols;
        auto call = [&](int64_t layout, size_t bytes) {
          dcrt_memref1d out = memref(idx.data(), bytes);
          return _mlir_ciface_dcrt_decode_indices(
              layout, int64_t(w), 0, int64_t(entropy), nRows, nCols,
              int64_t(l.codebookSize), int64_t(l.numWeights),
              int64_t(l.numGaps), &wm, &g, &p, &wl, &gl, 2, 0, &out);
        };
        ASSERT_EQ(call(int64_t(Layout::Dense), 2 * ref.size()), DCRT_OK);
        for (size_t i = 0; i < ref.size(); ++i)
          ASSERT_EQ(idx[i], ref[i]) << i;
        EXPECT_EQ(idx[ref.size()], 0xffff); // nothing past the end
        EXPECT_EQ(call(int64_t(Layout::Dense), 2 * ref.size() - 1),
                  DCRT_ERR_OUTPUT);
        EXPECT_NE(call(int64_t(Layout::CSR), 2 * ref.size()), DCRT_OK);
      }
}

/// dcrt_decode_indices of a csr or csc layer: the dense-quantized grid,
/// codebook_size at pruned positions, each kept position's index as the codec
/// decodes it (decodeIndices, -1 for pruned); a short output is refused.
TEST(RuntimeDecode, DecodesSparseLayersToIndexGrids) {
  std::mt19937 rng(13);
  for (Layout layout : {Layout::CSR, Layout::CSC})
    for (Entropy entropy : {Entropy::None, Entropy::Huffman})
      for (auto shape : {std::tuple{1u, 1u, 1.0}, std::tuple{7u, 33u, 0.2},
                         std::tuple{20u, 9u, 0.0}}) {
        uint32_t rows = std::get<0>(shape), cols = std::get<1>(shape);
        Case c{{layout, 5, 2, entropy}, rows, cols, std::get<2>(shape)};
        std::vector<float> codebook;
        EncodedLayer enc = randomLayer(c, rng, codebook);
        LayerView l = enc.view();
        std::vector<int32_t> ref;
        ASSERT_TRUE(decodeIndices(l, ref).ok());
        size_t n = size_t(rows) * cols;
        std::vector<uint8_t> idx(n + 1, 0xee);
        dcrt_memref1d wm = memref(l.weights), g = memref(l.gaps),
                      p = memref(l.rowPtr), wl = memref(l.weightCodeLengths),
                      gl = memref(l.gapCodeLengths);
        int64_t transposed = 0;
        auto call = [&](int64_t k, size_t bytes) {
          dcrt_memref1d out = memref(idx.data(), bytes);
          return _mlir_ciface_dcrt_decode_indices(
              int64_t(layout), 5, 2, int64_t(entropy), int64_t(rows),
              int64_t(cols), k, int64_t(l.numWeights), int64_t(l.numGaps),
              &wm, &g, &p, &wl, &gl, 1, transposed, &out);
        };
        ASSERT_EQ(call(int64_t(l.codebookSize), n), DCRT_OK);
        size_t kept = 0;
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(int32_t(idx[i]),
                    ref[i] < 0 ? int32_t(l.codebookSize) : ref[i])
              << i;
          kept += ref[i] >= 0;
        }
        EXPECT_EQ(kept, l.numWeights);
        EXPECT_EQ(idx[n], 0xee); // nothing past the end
        EXPECT_EQ(call(int64_t(l.codebookSize), n - 1), DCRT_ERR_OUTPUT);
        // Column-major.
        transposed = 1;
        ASSERT_EQ(call(int64_t(l.codebookSize), n), DCRT_OK);
        for (size_t r = 0; r < rows; ++r)
          for (size_t c = 0; c < cols; ++c) {
            int32_t want = ref[r * cols + c];
            ASSERT_EQ(int32_t(idx[c * rows + r]),
                      want < 0 ? int32_t(l.codebookSize) : want);
          }
        transposed = 2;
        EXPECT_EQ(call(int64_t(l.codebookSize), n), DCRT_ERR_PARAMS);
      }
}

TEST(RuntimeDecode, RejectsWhatTheCodecRejects) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 600; ++trial) {
    Layout layout = Layout(trial % 3);
    Case c{{layout, 1 + unsigned(trial % 6),
            layout == Layout::Dense ? 0u : 1 + unsigned(trial % 4),
            Entropy(trial / 3 % 2)},
           1 + uint32_t(rng() % 12),
           1 + uint32_t(rng() % 40),
           0.3};
    std::vector<float> codebook;
    EncodedLayer enc = randomLayer(c, rng, codebook);
    // Flip one bit of one stream, or truncate it.
    std::vector<uint8_t> *streams[] = {&enc.weights, &enc.gaps, &enc.rowPtr};
    std::vector<uint8_t> &s =
        *streams[rng() % (layout == Layout::Dense ? 1 : 3)];
    if (s.empty())
      continue;
    if (rng() % 4 == 0)
      s.pop_back();
    else
      s[rng() % s.size()] ^= uint8_t(1u << (rng() % 8));
    expectAgrees(enc.view(), codebook);
  }
}

TEST(RuntimeDecode, RejectsBadParametersAndSmallOutputs) {
  std::vector<float> codebook{1.0f};
  std::vector<uint8_t> none;
  dcrt_memref1d e = memref(none.data(), 0), cb = memref(codebook.data(), 1);
  float out[4];
  dcrt_memref1d o = memref(out, 4), small = memref(out, 3);
  uint8_t stream[1] = {0};
  dcrt_memref1d w = memref(stream, 1);
  // 2x2 dense, 1-bit indices, all index 0.
  EXPECT_EQ(_mlir_ciface_dcrt_decode_dense(0, 1, 0, 0, 2, 2, 1, 4, 0, &w, &e,
                                           &e, &e, &e, &cb, &o),
            DCRT_OK);
  EXPECT_EQ(out[3], 1.0f);
  EXPECT_EQ(_mlir_ciface_dcrt_decode_dense(0, 1, 0, 0, 2, 2, 1, 4, 0, &w, &e,
                                           &e, &e, &e, &cb, &small),
            DCRT_ERR_OUTPUT);
  EXPECT_EQ(_mlir_ciface_dcrt_decode_dense(0, 9, 0, 0, 2, 2, 1, 4, 0, &w, &e,
                                           &e, &e, &e, &cb, &o),
            DCRT_ERR_PARAMS);
  // K = 3 > 2^w.
  EXPECT_EQ(_mlir_ciface_dcrt_decode_dense(0, 1, 0, 0, 2, 2, 3, 4, 0, &w, &e,
                                           &e, &e, &e, &cb, &o),
            DCRT_ERR_PARAMS);
  // A codebook memref smaller than K.
  dcrt_memref1d noCodebook = memref(codebook.data(), 0);
  EXPECT_EQ(_mlir_ciface_dcrt_decode_dense(0, 1, 0, 0, 2, 2, 1, 4, 0, &w, &e,
                                           &e, &e, &e, &noCodebook, &o),
            DCRT_ERR_OUTPUT);
}

/// Decodes a dense Huffman-coded layer of `n` weights whose weight stream is
/// `stream` and whose code-length table is `lengths`, with the run-time
/// decoder; checks first that the codec accepts it exactly when `valid`.
int32_t decodeDenseHuffman(const std::vector<uint8_t> &lengths,
                           const std::vector<uint8_t> &stream, uint32_t n,
                           bool valid = false) {
  std::vector<float> codebook(lengths.size());
  for (size_t i = 0; i < codebook.size(); ++i)
    codebook[i] = float(i);
  LayerView v;
  v.params = {Layout::Dense, 8, 0, Entropy::Huffman};
  v.rows = 1;
  v.cols = n;
  v.codebook = codebook.data();
  v.codebookSize = uint32_t(codebook.size());
  v.numWeights = n;
  v.weightCodeLengths = ByteSpan(lengths);
  v.weights = ByteSpan(stream);
  std::vector<int32_t> ref;
  EXPECT_EQ(decodeIndices(v, ref).ok(), valid);
  std::vector<float> out(n);
  std::vector<uint8_t> none;
  dcrt_memref1d w = memref(ByteSpan(stream)), e = memref(none.data(), 0),
                wl = memref(ByteSpan(lengths)),
                cb = memref(codebook.data(), codebook.size()),
                o = memref(out.data(), out.size());
  return _mlir_ciface_dcrt_decode_dense(0, 8, 0, 1, 1, n,
                                        int64_t(lengths.size()), n, 0, &w, &e,
                                        &e, &wl, &e, &cb, &o);
}

// Issue 9, defect 1: the run-time decoder accepted code-length tables the
// codec and docs/Format.md section 5 reject. Each stream below decodes under
// the old puff-style decoder (all-zero bits hit the first code).
TEST(RuntimeDecode, RejectsInvalidHuffmanTables) {
  std::vector<uint8_t> zeros(2, 0);
  // Over-subscribed: four 1-bit codes (Kraft sum 2).
  EXPECT_EQ(decodeDenseHuffman({1, 1, 1, 1}, zeros, 16), DCRT_ERR_TABLE);
  // Over-subscribed by one code: 1, 2, 2, 3.
  EXPECT_EQ(decodeDenseHuffman({1, 2, 2, 3}, zeros, 16), DCRT_ERR_TABLE);
  // Incomplete: 1 and 2 (Kraft sum 3/4).
  EXPECT_EQ(decodeDenseHuffman({1, 2}, zeros, 16), DCRT_ERR_TABLE);
  // Incomplete: one symbol of 15 bits next to one of 1 bit.
  EXPECT_EQ(decodeDenseHuffman({1, 0, 15}, zeros, 16), DCRT_ERR_TABLE);
  // A lone code longer than one bit.
  EXPECT_EQ(decodeDenseHuffman({2}, zeros, 8), DCRT_ERR_TABLE);
  EXPECT_EQ(decodeDenseHuffman({0, 0, 15}, std::vector<uint8_t>(15, 0), 8),
            DCRT_ERR_TABLE);
  // A length above the limit of 15.
  EXPECT_EQ(decodeDenseHuffman({1, 16}, zeros, 16), DCRT_ERR_TABLE);
  // Valid tables of the same shapes decode.
  EXPECT_EQ(decodeDenseHuffman({1, 1}, zeros, 16, true), DCRT_OK);
  EXPECT_EQ(decodeDenseHuffman({1, 2, 2}, zeros, 16, true), DCRT_OK);
  EXPECT_EQ(decodeDenseHuffman({1}, zeros, 16, true), DCRT_OK);
  EXPECT_EQ(decodeDenseHuffman({0, 0, 1}, zeros, 16, true), DCRT_OK);
}

// The same for the gap table of a sparse layer: a valid csr layer whose gap
// table is replaced by an incomplete one that still decodes its stream.
TEST(RuntimeDecode, RejectsInvalidGapTables) {
  std::vector<float> codebook{1.0f, 2.0f};
  // 1 x 8, entries at columns 0..7, all index 0: gap symbols all 0.
  std::vector<int32_t> idx(8, 0);
  StatusOr<EncodedLayer> enc = encodeLayer(
      {Layout::CSR, 1, 2, Entropy::Huffman}, {1, 8}, codebook, idx.data());
  ASSERT_TRUE(enc.ok()) << enc.message();
  expectAgrees(enc->view(), codebook);
  ASSERT_EQ(enc->gapCodeLengths, (std::vector<uint8_t>{1, 0, 0, 0}));
  for (std::vector<uint8_t> bad :
       {std::vector<uint8_t>{2, 0, 0, 0}, std::vector<uint8_t>{1, 2, 0, 0},
        std::vector<uint8_t>{1, 1, 1, 0}}) {
    enc->gapCodeLengths = bad;
    LayerView v = enc->view();
    std::vector<int32_t> ref;
    EXPECT_FALSE(decodeIndices(v, ref).ok());
    // (A longer lone code needs more stream bits: give the old decoder what
    // it would read, so only the table check can reject.)
    if (bad[0] == 2)
      enc->gaps.assign(2, 0);
    v = enc->view();
    Decoded d = runtimeDecode(v, codebook);
    EXPECT_EQ(d.rc, DCRT_ERR_TABLE);
  }
}

// Issue 9, defect 2: the dense entry point did not check num_weights (nor
// num_gaps) against rows * cols for sparse layouts; with num_weights >= 2^32
// the row-pointer width reached 33 bits (a shift by 32, undefined).
TEST(RuntimeDecode, RejectsEntryAndGapCountsOutOfRange) {
  std::vector<float> codebook{1.0f};
  std::vector<uint8_t> none, ptr(64, 0xff), stream(64, 0);
  dcrt_memref1d e = memref(none.data(), 0), p = memref(ptr.data(), ptr.size()),
                s = memref(stream.data(), stream.size()),
                cb = memref(codebook.data(), 1);
  float out[4];
  dcrt_memref1d o = memref(out, 4);
  int32_t positions[3];
  uint32_t crd[4];
  uint8_t ind[4];
  dcrt_memref1d pos = memref(positions, sizeof positions),
                c = memref(crd, sizeof crd), i = memref(ind, sizeof ind);
  for (int64_t layout : {1, 2}) {
    for (auto [numWeights, numGaps] :
         {std::pair<int64_t, int64_t>{int64_t(1) << 32, int64_t(1) << 32},
          {int64_t(1) << 40, int64_t(1) << 40},
          {5, 5}, // > rows * cols = 4
          {2, 1}, // num_gaps < num_weights
          {2, 5}, // num_gaps > rows * cols
          {-1, 0},
          {1, -1}}) {
      EXPECT_EQ(_mlir_ciface_dcrt_decode_dense(layout, 1, 1, 0, 2, 2, 1,
                                               numWeights, numGaps, &s, &s, &p,
                                               &e, &e, &cb, &o),
                DCRT_ERR_PARAMS)
          << numWeights << " " << numGaps;
      EXPECT_EQ(_mlir_ciface_dcrt_decode_csr(layout, 1, 1, 0, 2, 2, 1,
                                             numWeights, numGaps, &s, &s, &p,
                                             &e, &e, 4, 1, &pos, &c, &i),
                DCRT_ERR_PARAMS)
          << numWeights << " " << numGaps;
    }
  }
  // The csr entry point's output-size checks cannot overflow: 2^62 entries
  // of 4-byte coordinates are 2^64 bytes.
  EXPECT_EQ(_mlir_ciface_dcrt_decode_csr(1, 1, 1, 0, 2, 2, 1, int64_t(1) << 62,
                                         int64_t(1) << 62, &s, &s, &p, &e, &e,
                                         4, 1, &pos, &c, &i),
            DCRT_ERR_PARAMS);
  // rows * cols overflowing 64 bits.
  EXPECT_EQ(_mlir_ciface_dcrt_decode_dense(1, 1, 1, 0, int64_t(1) << 33,
                                           int64_t(1) << 33, 1, 1, 1, &s, &s,
                                           &p, &e, &e, &cb, &o),
            DCRT_ERR_PARAMS);
}

// Streams and tables the layout or entropy does not use, and malformed
// memrefs, are rejected as the codec rejects them.
TEST(RuntimeDecode, RejectsUnusedStreamsAndMalformedMemrefs) {
  std::vector<float> codebook{1.0f};
  std::vector<uint8_t> none, one{0};
  dcrt_memref1d e = memref(none.data(), 0), x = memref(one.data(), 1),
                cb = memref(codebook.data(), 1);
  float out[4];
  dcrt_memref1d o = memref(out, 4);
  // 2x2 dense, 1-bit raw indices, all 0, with the given gap count, streams,
  // tables and output.
  auto decode = [&](int64_t numGaps, dcrt_memref1d *w, dcrt_memref1d *g,
                    dcrt_memref1d *p, dcrt_memref1d *wl, dcrt_memref1d *out) {
    return _mlir_ciface_dcrt_decode_dense(0, 1, 0, 0, 2, 2, 1, 4, numGaps, w, g,
                                          p, wl, &e, &cb, out);
  };
  ASSERT_EQ(decode(0, &x, &e, &e, &e, &o), DCRT_OK);
  // Dense with num_gaps, a gap stream or row pointers.
  EXPECT_EQ(decode(1, &x, &e, &e, &e, &o), DCRT_ERR_PARAMS);
  EXPECT_EQ(decode(0, &x, &x, &e, &e, &o), DCRT_ERR_PARAMS);
  EXPECT_EQ(decode(0, &x, &e, &x, &e, &o), DCRT_ERR_PARAMS);
  // A code-length table without Huffman entropy.
  EXPECT_EQ(decode(0, &x, &e, &e, &x, &o), DCRT_ERR_PARAMS);
  EXPECT_EQ(_mlir_ciface_dcrt_decode_dense(0, 1, 0, 0, 2, 2, 1, 4, 0, &x, &e,
                                           &e, &e, &x, &cb, &o),
            DCRT_ERR_PARAMS);
  // Negative size or offset, a stride, missing data.
  for (int how = 0; how < 3; ++how) {
    dcrt_memref1d bad = x;
    if (how == 0)
      bad.offset = -1;
    else if (how == 1)
      bad.size = -1;
    else
      bad.aligned = nullptr;
    EXPECT_EQ(decode(0, &bad, &e, &e, &e, &o), DCRT_ERR_PARAMS) << how;
  }
  EXPECT_EQ(decode(0, nullptr, &e, &e, &e, &o), DCRT_ERR_PARAMS);
  dcrt_memref1d strided = memref(out, 4);
  strided.stride = 2;
  EXPECT_EQ(decode(0, &x, &e, &e, &e, &strided), DCRT_ERR_OUTPUT);
}

} // namespace
