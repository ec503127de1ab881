// sparse_conv.cpp - the pruned-convolution rows of bench/sparse-layer.sh.
//
//   sparse-conv W.f32 BIAS.f32 F C K H W LIBRARY PREFIX PAYLOAD_BYTES [REPS]
//
// One stride-1 convolution, padding K/2 ("same"), of an image [1][C][H][W]
// by dc's own materialised filter W [F][C][K][K] (dc-materialize of the
// compressed layer: pruned weights 0); BIAS.f32 the layer's bias (dc's
// libraries add it; the check subtracts it). Every contender is checked
// against a double-precision direct convolution of W
// (|y - y_ref| <= 1e-5 sum |w x| + 1e-6 |bias|):
//   im2col-sgemm - OpenBLAS: the padded image unfolded to [C K K][H W],
//                  then one sgemm by the dense W (the dense peer);
//   csr-direct   - a plain sparse direct convolution: per filter, each
//                  kept weight (c, kh, kw, value) added times the shifted
//                  input plane into the output plane (the inner loop over
//                  ow vectorised by the compiler), as in Park et al.,
//                  "Faster CNNs with direct sparse convolutions" (2017);
//   dc...        - each NAME=PATH of LIBRARY: PATH's PREFIX_forward.
// Timing, output and the bandwidth line as in sparse_layer.cpp.
#include "layer_bench.h"

#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>

int main(int argc, char **argv) {
  if (argc < 11) {
    std::fprintf(stderr, "usage: sparse-conv W.f32 BIAS.f32 F C K H W "
                         "LIBRARY PREFIX PAYLOAD_BYTES [REPS]\n");
    return 2;
  }
  const int F = std::atoi(argv[3]), C = std::atoi(argv[4]),
            K = std::atoi(argv[5]), H = std::atoi(argv[6]),
            W = std::atoi(argv[7]);
  const double payload = std::atof(argv[10]);
  const int reps = argc > 11 ? std::atoi(argv[11]) : 21;
  const int P = K / 2, HP = H + 2 * P, WP = W + 2 * P;
  openblas_set_num_threads(1);
  std::vector<float> w(size_t(F) * C * K * K), bias(F);
  bench::readFloats(argv[1], w, "sparse-conv");
  bench::readFloats(argv[2], bias, "sparse-conv");
  std::vector<bench::Library> libraries =
      bench::loadLibraries(argv[8], argv[9], "sparse-conv");

  // The kept weights, filter by filter.
  struct Entry {
    int32_t offset; // c * HP * WP + kh * WP + kw in the padded image
    float value;
  };
  std::vector<int32_t> start{0};
  std::vector<Entry> kept;
  std::map<float, int> centroids;
  for (int f = 0; f < F; ++f) {
    for (int c = 0; c < C; ++c)
      for (int kh = 0; kh < K; ++kh)
        for (int kw = 0; kw < K; ++kw) {
          float v = w[((size_t(f) * C + c) * K + kh) * K + kw];
          if (v != 0) {
            kept.push_back({c * HP * WP + kh * WP + kw, v});
            centroids.emplace(v, int(centroids.size()));
          }
        }
    start.push_back(int32_t(kept.size()));
  }

  std::vector<float> x(size_t(C) * H * W), xp(size_t(C) * HP * WP, 0.f),
      cols(size_t(C) * K * K * H * W), y(size_t(F) * H * W);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(std::sin(0.37 * double(i + 1)));
  auto pad = [&] {
    for (int c = 0; c < C; ++c)
      for (int h = 0; h < H; ++h)
        std::memcpy(&xp[(size_t(c) * HP + h + P) * WP + P],
                    &x[(size_t(c) * H + h) * W], sizeof(float) * W);
  };
  pad();
  std::vector<double> ref(y.size()), mag(y.size());
  for (int f = 0; f < F; ++f)
    for (int j = start[f]; j < start[f + 1]; ++j)
      for (int oh = 0; oh < H; ++oh)
        for (int ow = 0; ow < W; ++ow) {
          double p = double(kept[j].value) *
                     xp[size_t(kept[j].offset) + size_t(oh) * WP + ow];
          ref[(size_t(f) * H + oh) * W + ow] += p;
          mag[(size_t(f) * H + oh) * W + ow] += std::fabs(p);
        }

  bench::Contenders contenders;
  contenders.emplace_back("im2col-sgemm", [&] {
    pad();
    for (int c = 0; c < C; ++c)
      for (int kh = 0; kh < K; ++kh)
        for (int kw = 0; kw < K; ++kw) {
          float *row = &cols[((size_t(c) * K + kh) * K + kw) * H * W];
          for (int oh = 0; oh < H; ++oh)
            std::memcpy(row + size_t(oh) * W,
                        &xp[(size_t(c) * HP + oh + kh) * WP + kw],
                        sizeof(float) * W);
        }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, F, H * W, C * K * K,
                1.f, w.data(), C * K * K, cols.data(), H * W, 0.f, y.data(),
                H * W);
  });
  contenders.emplace_back("csr-direct", [&] {
    pad();
    for (int f = 0; f < F; ++f) {
      float *out = &y[size_t(f) * H * W];
      std::memset(out, 0, sizeof(float) * H * W);
      for (int j = start[f]; j < start[f + 1]; ++j) {
        const float v = kept[j].value;
        const float *in = &xp[kept[j].offset];
        for (int oh = 0; oh < H; ++oh) {
          float *o = out + size_t(oh) * W;
          const float *i = in + size_t(oh) * WP;
          for (int ow = 0; ow < W; ++ow)
            o[ow] += v * i[ow];
        }
      }
    }
  });
  for (const bench::Library &l : libraries)
    contenders.emplace_back(
        l.name, [&y, &x, l] { l.forward(l.ws, x.data(), y.data()); });

  std::printf("conv %dx%dx%dx%d on %dx%d batch 1: %zu kept (%.1f%%), %zu "
              "centroids\n",
              F, C, K, K, H, W, kept.size(),
              100.0 * double(kept.size()) / double(w.size()), centroids.size());
  for (auto &[name, run] : contenders) {
    std::fill(y.begin(), y.end(), NAN);
    run();
    bool dc = name.rfind("dc", 0) == 0;
    for (size_t i = 0; i < y.size(); ++i) {
      float b = bias[i / (size_t(H) * W)];
      double got = double(y[i]) - (dc ? b : 0.f);
      if (!(std::fabs(got - ref[i]) <=
            1e-5 * mag[i] + 1e-6 * std::fabs(b) + 1e-30)) {
        std::fprintf(stderr, "sparse-conv: %s output %zu is %g, reference %g\n",
                     name.c_str(), i, got, ref[i]);
        return 1;
      }
    }
  }
  bench::timeContenders(contenders, reps);
  double bw = bench::readBandwidth();
  std::printf("  bandwidth %.1f GB/s: payload %.0f bytes -> %.1f us; 2 B/entry "
              "-> %.1f us\n",
              bw / 1e9, payload, payload / bw * 1e6,
              2.0 * double(kept.size()) / bw * 1e6);
  return 0;
}
