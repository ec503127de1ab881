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
  EXPECT_EQ(_mlir_ciface_dcrt_decode_dense(0, 1, 0, 0, 2, 2, 3, 4, 0, &w, &e,
                                           &e, &e, &e, &cb, &o),
            DCRT_ERR_OUTPUT);
}

} // namespace
