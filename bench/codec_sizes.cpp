//===- codec_sizes.cpp - Compression ratios and codec timings -------------===//
//
// dc-codec-bench [--big]
//
// Part 1 (always, deterministic): synthetic LeNet-300-100 weights (Gaussian,
// He-like std sqrt(2/fan_in), fixed seed), stored as [out, in] matrices,
// pruned by magnitude, quantized by 6-bit k-means (linear init) and encoded
// CSR with 5-bit gaps; prints per-layer stored bytes and the compression
// ratio (dense f32 bytes / stored bytes) without and with Huffman coding, for
// a uniform 8% kept and for the paper's per-layer ratios (8%, 9%, 26%).
//
// Part 2 (--big): wall-clock seconds of pruning, k-means and encoding and
// decoding on 100M Gaussian weights, one thread.
//
//===----------------------------------------------------------------------===//

#include "dc/Base/Random.h"
#include "dc/Codec/Format.h"
#include "dc/Codec/KMeans.h"
#include "dc/Codec/Prune.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace dc;
using namespace dc::codec;

namespace {

std::vector<float> gaussianWeights(size_t n, double stddev, uint64_t seed) {
  Gaussian g(seed);
  std::vector<float> w(n);
  for (auto &v : w)
    v = float(g.next() * stddev);
  return w;
}

[[noreturn]] void die(const std::string &what, const std::string &msg) {
  std::fprintf(stderr, "dc-codec-bench: %s: %s\n", what.c_str(), msg.c_str());
  std::exit(1);
}

struct LayerSpec {
  const char *name;
  uint32_t out, in;
};

const LayerSpec kLeNet[] = {
    {"fc1", 300, 784}, {"fc2", 100, 300}, {"fc3", 10, 100}};

/// Prunes, quantizes and encodes one layer; returns {raw, huffman} stored
/// bytes and prints a table row.
void compressLayer(const LayerSpec &spec, const std::vector<float> &w,
                   double kept, uint64_t totals[3]) {
  size_t n = w.size();
  auto mask = pruneBySparsity(w.data(), n, 1.0 - kept);
  if (!mask.ok())
    die(spec.name, mask.message());
  KMeansOptions o;
  o.k = 64;
  o.init = KMeansInit::Linear;
  auto km = kmeans1D(w.data(), n, mask->data(), o);
  if (!km.ok())
    die(spec.name, km.message());
  MatrixShape shape{spec.out, spec.in};
  Params p;
  p.layout = Layout::CSR;
  p.weightBits = 6;
  p.indexBits = 5;
  uint64_t bytes[2];
  uint32_t numWeights = 0, numGaps = 0;
  for (int e = 0; e < 2; ++e) {
    p.entropy = e ? Entropy::Huffman : Entropy::None;
    auto enc = encodeLayer(p, shape, km->centroids, km->assignment.data());
    if (!enc.ok())
      die(spec.name, enc.message());
    LayerView v = enc->view();
    // Sanity: the stored layer decodes to the quantized weights.
    std::vector<float> dense(n);
    Status st = decodeDense(v, dense.data(), n);
    if (!st.ok())
      die(spec.name, st.message());
    for (size_t i = 0; i < n; ++i) {
      float want =
          km->assignment[i] < 0 ? 0.0f : km->centroids[km->assignment[i]];
      if (dense[i] != want)
        die(spec.name, "decoded weights differ at " + std::to_string(i));
    }
    bytes[e] = storedBytes(v);
    if (bytes[e] != serializeLayer(v).size())
      die(spec.name, "storedBytes != serialized size");
    numWeights = enc->numWeights;
    numGaps = enc->numGaps;
  }
  uint64_t denseBytes = 4 * uint64_t(n);
  std::printf("%-5s %4ux%-4u %7zu %7u %6.2f%% %3zu %7u %9llu %8llu %6.1fx "
              "%8llu %6.1fx\n",
              spec.name, spec.out, spec.in, n, numWeights,
              100.0 * numWeights / double(n), km->centroids.size(),
              numGaps - numWeights, (unsigned long long)denseBytes,
              (unsigned long long)bytes[0], double(denseBytes) / bytes[0],
              (unsigned long long)bytes[1], double(denseBytes) / bytes[1]);
  totals[0] += denseBytes;
  totals[1] += bytes[0];
  totals[2] += bytes[1];
}

void lenetTable(const char *title, const double kept[3]) {
  std::printf("\n%s\n", title);
  std::printf("layer shape     weights    kept  kept%%   K escapes "
              "dense(B)   csr(B)  ratio  +huff(B)  ratio\n");
  uint64_t totals[3] = {0, 0, 0};
  for (int l = 0; l < 3; ++l) {
    const LayerSpec &s = kLeNet[l];
    std::vector<float> w =
        gaussianWeights(size_t(s.out) * s.in, std::sqrt(2.0 / s.in), 1000 + l);
    compressLayer(s, w, kept[l], totals);
  }
  std::printf("total %58llu %8llu %6.1fx %8llu %6.1fx\n",
              (unsigned long long)totals[0], (unsigned long long)totals[1],
              double(totals[0]) / totals[1], (unsigned long long)totals[2],
              double(totals[0]) / totals[2]);
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

void bigTimings() {
  const size_t n = 100'000'000;
  const MatrixShape shape{10000, 10000};
  std::printf("\n100M weights (10000x10000, Gaussian std 0.05), one thread:\n");
  auto t0 = std::chrono::steady_clock::now();
  std::vector<float> w = gaussianWeights(n, 0.05, 7);
  std::printf("  generate                          %7.2f s\n",
              secondsSince(t0));

  t0 = std::chrono::steady_clock::now();
  auto mask = pruneBySparsity(w.data(), n, 0.9);
  if (!mask.ok())
    die("prune", mask.message());
  std::printf("  pruneBySparsity(0.9)              %7.2f s\n",
              secondsSince(t0));

  KMeansOptions o;
  o.k = 256;
  t0 = std::chrono::steady_clock::now();
  auto all = kmeans1D(w.data(), n, nullptr, o);
  if (!all.ok())
    die("kmeans", all.message());
  std::printf("  kmeans1D k=256, all 100M          %7.2f s  (%u iterations)\n",
              secondsSince(t0), all->iterations);

  o.k = 32;
  t0 = std::chrono::steady_clock::now();
  auto kept = kmeans1D(w.data(), n, mask->data(), o);
  if (!kept.ok())
    die("kmeans", kept.message());
  std::printf("  kmeans1D k=32, 10M kept           %7.2f s  (%u iterations)\n",
              secondsSince(t0), kept->iterations);

  auto run = [&](const char *label, Params p, const KMeansResult &km) {
    auto t = std::chrono::steady_clock::now();
    auto enc = encodeLayer(p, shape, km.centroids, km.assignment.data());
    if (!enc.ok())
      die(label, enc.message());
    double te = secondsSince(t);
    LayerView v = enc->view();
    t = std::chrono::steady_clock::now();
    Status st = verifyLayer(v);
    if (!st.ok())
      die(label, st.message());
    double tv = secondsSince(t);
    std::vector<float> dense(n);
    t = std::chrono::steady_clock::now();
    st = decodeDense(v, dense.data(), n);
    if (!st.ok())
      die(label, st.message());
    double td = secondsSince(t);
    std::printf("  %-32s encode %5.2f s  verify %5.2f s  decodeDense %5.2f s  "
                "(%llu bytes)\n",
                label, te, tv, td, (unsigned long long)storedBytes(v));
  };
  Params dense;
  dense.layout = Layout::Dense;
  dense.weightBits = 8;
  dense.indexBits = 0;
  run("dense w=8 raw", dense, *all);
  dense.entropy = Entropy::Huffman;
  run("dense w=8 huffman", dense, *all);
  Params csr;
  csr.layout = Layout::CSR;
  csr.weightBits = 5;
  csr.indexBits = 5;
  run("csr 10% w=5 b=5 raw", csr, *kept);
  csr.entropy = Entropy::Huffman;
  run("csr 10% w=5 b=5 huffman", csr, *kept);
}

} // namespace

int main(int argc, char **argv) {
  bool big = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--big") == 0) {
      big = true;
    } else {
      std::fprintf(stderr, "usage: dc-codec-bench [--big]\n");
      return 2;
    }
  }
  std::printf("Synthetic LeNet-300-100, CSR, 6-bit weights (k-means, linear "
              "init), 5-bit gaps\n");
  const double uniform[3] = {0.08, 0.08, 0.08};
  const double paper[3] = {0.08, 0.09, 0.26};
  lenetTable("kept 8% in every layer:", uniform);
  lenetTable("kept as in the paper (fc1 8%, fc2 9%, fc3 26%):", paper);
  if (big)
    bigTimings();
  return 0;
}
