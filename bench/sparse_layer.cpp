// sparse_layer.cpp - the layer benchmark of bench/sparse-layer.sh.
//
//   sparse-layer W.f32 BIAS.f32 N K BATCH LIBRARY PREFIX PAYLOAD_BYTES [REPS]
//
// W.f32 is dc's own materialised matrix (dc-materialize of the compressed
// layer: [N][K] float, pruned weights 0), BIAS.f32 the layer's bias (dc's
// library adds it; the check subtracts it). Every contender computes
// Y[b][n] = sum_k W[n][k] X[b][k] for a batch of BATCH inputs, and is
// checked against a double-precision product of W first
// (|y - y_ref| <= 1e-5 sum_k |W[n][k] X[b][k]| + 1e-30):
//   sgemv/sgemm - OpenBLAS on the dense W (sgemv at batch 1);
//   eigen-csr   - Eigen 3's SparseMatrix<float, RowMajor> times X^T;
//   csr-f32     - a tuned CSR loop: i32 row pointers, u16 columns, f32
//                 values, 4 accumulators; batches reuse each entry across
//                 the batch (X transposed once per call);
//   cb5-gap8    - a tuned codebook kernel: one byte per entry holding an
//                 8-bit column gap (255 = escape: add 255, no entry) and one
//                 byte with the codebook index, 32-entry codebook, 4
//                 accumulators (batch: per input);
//   dc...       - each NAME=PATH of LIBRARY: PATH's PREFIX_forward (a
//                 dc-compile of the compressed layer at this batch).
// Hot: REPS back-to-back calls, median. Cold: the caches flushed (a 64 MB
// buffer written) before each timed call, median. One thread. Prints one
// line per contender, then the read bandwidth of this machine (a 512 MB
// sum) and the time that moving PAYLOAD_BYTES (the stored layer) and 2
// bytes per entry would take at it.
#include <Eigen/SparseCore>
#ifdef __AVX512F__
#include <immintrin.h>
#endif
#include <cblas.h>
#include "layer_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

struct CSR {
  std::vector<int32_t> rowPtr;
  std::vector<uint16_t> col;
  std::vector<float> val;
};

struct Codebook {
  std::vector<int32_t> rowPtr; // into bytes (2 per entry or escape)
  std::vector<uint8_t> bytes;  // gap, index pairs
  float cb[32];
};

void csrMultiply(const CSR &a, int n, int k, int batch, const float *x,
                 float *xt, float *y) {
  if (batch == 1) {
    for (int r = 0; r < n; ++r) {
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int j = a.rowPtr[r], e = a.rowPtr[r + 1];
      for (; j + 4 <= e; j += 4) {
        s0 += a.val[j] * x[a.col[j]];
        s1 += a.val[j + 1] * x[a.col[j + 1]];
        s2 += a.val[j + 2] * x[a.col[j + 2]];
        s3 += a.val[j + 3] * x[a.col[j + 3]];
      }
      for (; j < e; ++j)
        s0 += a.val[j] * x[a.col[j]];
      y[r] = (s0 + s1) + (s2 + s3);
    }
    return;
  }
  // X^T [k][batch]: each entry is used for the whole batch.
  for (int b = 0; b < batch; ++b)
    for (int c = 0; c < k; ++c)
      xt[c * batch + b] = x[b * k + c];
  std::vector<float> acc(batch);
  for (int r = 0; r < n; ++r) {
    std::fill(acc.begin(), acc.end(), 0.f);
    for (int j = a.rowPtr[r]; j < a.rowPtr[r + 1]; ++j) {
      const float w = a.val[j], *xc = xt + size_t(a.col[j]) * batch;
      for (int b = 0; b < batch; ++b)
        acc[b] += w * xc[b];
    }
    for (int b = 0; b < batch; ++b)
      y[b * n + r] = acc[b];
  }
}

void cbMultiply(const Codebook &a, int n, int k, int batch, const float *x,
                float *y) {
  for (int b = 0; b < batch; ++b) {
    const float *xb = x + size_t(b) * k;
    for (int r = 0; r < n; ++r) {
      float s[4] = {0, 0, 0, 0};
      int col = -1, lane = 0;
      const uint8_t *p = a.bytes.data() + a.rowPtr[r],
                    *e = a.bytes.data() + a.rowPtr[r + 1];
      for (; p < e; p += 2) {
        col += p[0];
        if (p[0] == 255)
          continue; // escape: a gap of 255 and no entry
        s[lane] += a.cb[p[1]] * xb[col];
        lane = (lane + 1) & 3;
      }
      y[b * n + r] = (s[0] + s[1]) + (s[2] + s[3]);
    }
  }
}

#ifdef __AVX512F__
// The run-time layout dc decodes today (i32 row pointers, u16 columns, u8
// codebook indices), 16 entries at a time: x gathered, the codebook (32
// entries in two registers) permuted, one FMA; a masked tail per row.
struct Runtime {
  std::vector<int32_t> rowPtr;
  std::vector<uint16_t> col;
  std::vector<uint8_t> idx;
};
void gatherMultiply(const Runtime &a, const float *cb, int n, const float *x,
                    float *y) {
  __m512 lo = _mm512_loadu_ps(cb), hi = _mm512_loadu_ps(cb + 16);
  for (int r = 0; r < n; ++r) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int j = a.rowPtr[r], e = a.rowPtr[r + 1];
    for (; j + 32 <= e; j += 32) {
      __m512i c0 = _mm512_cvtepu16_epi32(
          _mm256_loadu_si256((const __m256i *)(a.col.data() + j)));
      __m512i c1 = _mm512_cvtepu16_epi32(
          _mm256_loadu_si256((const __m256i *)(a.col.data() + j + 16)));
      __m512i i0 = _mm512_cvtepu8_epi32(
          _mm_loadu_si128((const __m128i *)(a.idx.data() + j)));
      __m512i i1 = _mm512_cvtepu8_epi32(
          _mm_loadu_si128((const __m128i *)(a.idx.data() + j + 16)));
      __m512 x0 = _mm512_i32gather_ps(c0, x, 4);
      __m512 x1 = _mm512_i32gather_ps(c1, x, 4);
      acc0 = _mm512_fmadd_ps(_mm512_permutex2var_ps(lo, i0, hi), x0, acc0);
      acc1 = _mm512_fmadd_ps(_mm512_permutex2var_ps(lo, i1, hi), x1, acc1);
    }
    for (; j < e; j += 16) {
      __mmask16 m = e - j >= 16 ? 0xffff : (__mmask16)((1u << (e - j)) - 1);
      __m512i c0 = _mm512_cvtepu16_epi32(
          _mm256_maskz_loadu_epi16(m, a.col.data() + j));
      __m512i i0 =
          _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, a.idx.data() + j));
      __m512 x0 = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, c0, x, 4);
      acc0 = _mm512_mask3_fmadd_ps(_mm512_permutex2var_ps(lo, i0, hi), x0,
                                   acc0, m);
    }
    y[r] = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
  }
}

// gatherMultiply over column panels of at most 4096 columns, so the panel's
// slice of x stays in L1: a row's entries of each panel are contiguous
// (rowPtr per panel and row), and y accumulates over the panels.
struct Panels {
  int width = 0, count = 0;
  Runtime rt; // rowPtr: count * n + 1 entries, columns within the panel
};
void panelMultiply(const Panels &p, const float *cb, int n, const float *x,
                   float *y) {
  __m512 lo = _mm512_loadu_ps(cb), hi = _mm512_loadu_ps(cb + 16);
  for (int q = 0; q < p.count; ++q) {
    const float *xq = x + size_t(q) * p.width;
    const int32_t *ptr = p.rt.rowPtr.data() + size_t(q) * n;
    for (int r = 0; r < n; ++r) {
      __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
      int j = ptr[r], e = ptr[r + 1];
      for (; j + 32 <= e; j += 32) {
        __m512i c0 = _mm512_cvtepu16_epi32(
            _mm256_loadu_si256((const __m256i *)(p.rt.col.data() + j)));
        __m512i c1 = _mm512_cvtepu16_epi32(
            _mm256_loadu_si256((const __m256i *)(p.rt.col.data() + j + 16)));
        __m512i i0 = _mm512_cvtepu8_epi32(
            _mm_loadu_si128((const __m128i *)(p.rt.idx.data() + j)));
        __m512i i1 = _mm512_cvtepu8_epi32(
            _mm_loadu_si128((const __m128i *)(p.rt.idx.data() + j + 16)));
        __m512 x0 = _mm512_i32gather_ps(c0, xq, 4);
        __m512 x1 = _mm512_i32gather_ps(c1, xq, 4);
        acc0 = _mm512_fmadd_ps(_mm512_permutex2var_ps(lo, i0, hi), x0, acc0);
        acc1 = _mm512_fmadd_ps(_mm512_permutex2var_ps(lo, i1, hi), x1, acc1);
      }
      for (; j < e; j += 16) {
        __mmask16 m = e - j >= 16 ? 0xffff : (__mmask16)((1u << (e - j)) - 1);
        __m512i c0 = _mm512_cvtepu16_epi32(
            _mm256_maskz_loadu_epi16(m, p.rt.col.data() + j));
        __m512i i0 =
            _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, p.rt.idx.data() + j));
        __m512 x0 =
            _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, c0, xq, 4);
        acc0 = _mm512_mask3_fmadd_ps(_mm512_permutex2var_ps(lo, i0, hi), x0,
                                     acc0, m);
      }
      float s = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
      y[r] = q == 0 ? s : y[r] + s;
    }
  }
}
#endif

} // namespace

int main(int argc, char **argv) {
  if (argc < 9) {
    std::fprintf(stderr, "usage: sparse-layer W.f32 BIAS.f32 N K BATCH "
                         "LIBRARY PREFIX PAYLOAD_BYTES [REPS]\n");
    return 2;
  }
  const int n = std::atoi(argv[3]), k = std::atoi(argv[4]),
            batch = std::atoi(argv[5]);
  const double payload = std::atof(argv[8]);
  const int reps = argc > 9 ? std::atoi(argv[9]) : 21;
  openblas_set_num_threads(1);
  std::vector<float> w(size_t(n) * k), bias(n);
  bench::readFloats(argv[1], w, "sparse-layer");
  bench::readFloats(argv[2], bias, "sparse-layer");
  argv += 1; // the rest as before the bias argument
  // LIBRARY: NAME=PATH[,NAME=PATH...], each a dc-compile'd layer.
  std::vector<bench::Library> libraries =
      bench::loadLibraries(argv[5], argv[6], "sparse-layer");

  // The formats, from the materialised matrix.
  CSR csr;
  Codebook cb{};
  std::map<float, int> centroids;
  std::vector<Eigen::Triplet<float>> triplets;
  csr.rowPtr.push_back(0);
  cb.rowPtr.push_back(0);
  size_t nnz = 0;
  for (int r = 0; r < n; ++r) {
    int last = -1;
    for (int c = 0; c < k; ++c) {
      float v = w[size_t(r) * k + c];
      if (v == 0)
        continue;
      ++nnz;
      csr.col.push_back(uint16_t(c));
      csr.val.push_back(v);
      triplets.emplace_back(r, c, v);
      auto it = centroids.emplace(v, int(centroids.size())).first;
      int gap = c - last;
      for (; gap >= 255; gap -= 255) {
        cb.bytes.push_back(255);
        cb.bytes.push_back(0);
      }
      cb.bytes.push_back(uint8_t(gap));
      cb.bytes.push_back(uint8_t(it->second));
      last = c;
    }
    csr.rowPtr.push_back(int32_t(csr.col.size()));
    cb.rowPtr.push_back(int32_t(cb.bytes.size()));
  }
  bool codebook = centroids.size() <= 32 && k <= 65536;
  for (auto [v, i] : centroids)
    if (i < 32)
      cb.cb[i] = v;
  Eigen::SparseMatrix<float, Eigen::RowMajor> eigen(n, k);
  eigen.setFromTriplets(triplets.begin(), triplets.end());
  eigen.makeCompressed();

  std::vector<float> x(size_t(batch) * k), xt(size_t(batch) * k),
      y(size_t(batch) * n);
  std::vector<double> ref(size_t(batch) * n), mag(size_t(batch) * n);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(std::sin(0.37 * double(i + 1)));
  for (int b = 0; b < batch; ++b)
    for (int r = 0; r < n; ++r) {
      double s = 0, m = 0;
      for (int j = csr.rowPtr[r]; j < csr.rowPtr[r + 1]; ++j) {
        double p = double(csr.val[j]) * x[size_t(b) * k + csr.col[j]];
        s += p;
        m += std::fabs(p);
      }
      ref[size_t(b) * n + r] = s;
      mag[size_t(b) * n + r] = m;
    }
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>> xm(
      x.data(), k, batch);
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic> ym(n, batch);

  bench::Contenders contenders;
  contenders.emplace_back(batch == 1 ? "sgemv" : "sgemm", [&] {
    if (batch == 1)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.f, w.data(), k,
                  x.data(), 1, 0.f, y.data(), 1);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, n, k, 1.f,
                  x.data(), k, w.data(), k, 0.f, y.data(), n);
  });
  contenders.emplace_back("eigen-csr", [&] {
    ym.noalias() = eigen * xm;
    for (int b = 0; b < batch; ++b)
      for (int r = 0; r < n; ++r)
        y[size_t(b) * n + r] = ym(r, b);
  });
  if (k <= 65536)
    contenders.emplace_back("csr-f32", [&] {
      csrMultiply(csr, n, k, batch, x.data(), xt.data(), y.data());
    });
  if (codebook)
    contenders.emplace_back(
        "cb5-gap8", [&] { cbMultiply(cb, n, k, batch, x.data(), y.data()); });
#ifdef __AVX512F__
  Runtime rt;
  rt.rowPtr = csr.rowPtr;
  rt.col = csr.col;
  for (float v : csr.val)
    rt.idx.push_back(uint8_t(centroids[v]));
  if (codebook && batch == 1)
    contenders.emplace_back("gather16", [&] {
      gatherMultiply(rt, cb.cb, n, x.data(), y.data());
    });
  Panels panels;
  for (int wdt = std::min(k, 4096); wdt > 0; --wdt)
    if (k % wdt == 0) {
      panels.width = wdt;
      break;
    }
  panels.count = k / panels.width;
  if (codebook && batch == 1 && panels.count > 1) {
    for (int q = 0; q < panels.count; ++q)
      for (int r = 0; r < n; ++r) {
        panels.rt.rowPtr.push_back(int32_t(panels.rt.col.size()));
        for (int j = csr.rowPtr[r]; j < csr.rowPtr[r + 1]; ++j)
          if (csr.col[j] / panels.width == q) {
            panels.rt.col.push_back(uint16_t(csr.col[j] % panels.width));
            panels.rt.idx.push_back(rt.idx[j]);
          }
      }
    panels.rt.rowPtr.push_back(int32_t(panels.rt.col.size()));
    contenders.emplace_back("gather16-panels", [&] {
      panelMultiply(panels, cb.cb, n, x.data(), y.data());
    });
  }
#endif
  for (const bench::Library &l : libraries)
    contenders.emplace_back(
        l.name, [&y, &x, l] { l.forward(l.ws, x.data(), y.data()); });

  std::printf("layer %dx%d batch %d: %zu kept (%.1f%%), %zu centroids\n", n, k,
              batch, nnz, 100.0 * nnz / (double(n) * k), centroids.size());
  for (auto &[name, run] : contenders) {
    std::fill(y.begin(), y.end(), NAN);
    run();
    if (name.rfind("dc", 0) == 0)
      for (size_t i = 0; i < y.size(); ++i)
        y[i] -= bias[i % n];
    for (size_t i = 0; i < y.size(); ++i)
      if (!(std::fabs(y[i] - ref[i]) <= 1e-5 * mag[i] + 1e-6 * std::fabs(bias[i % n]) + 1e-30)) {
        std::fprintf(stderr,
                     "sparse-layer: %s output %zu is %g, reference %g\n",
                     name.c_str(), i, double(y[i]), ref[i]);
        return 1;
      }
  }
  bench::timeContenders(contenders, reps);
  double bw = bench::readBandwidth();
  std::printf("  bandwidth %.1f GB/s: payload %.0f bytes -> %.1f us; 2 B/entry "
              "-> %.1f us\n",
              bw / 1e9, payload, payload / bw * 1e6, 2.0 * nnz / bw * 1e6);
  return 0;
}
