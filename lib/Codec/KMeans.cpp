//===- KMeans.cpp - 1-D k-means weight sharing ----------------------------===//
//
// Sort-based Lloyd iterations. The kept weights are radix-sorted once
// (O(n)); with sorted data every cluster is a contiguous range whose ends are
// found by binary search on the midpoints between neighbouring (sorted)
// centroids, and whose sum comes from block prefix sums, so an iteration
// costs O(k log n). The final assignment is a binary search of each weight
// over the k-1 midpoints.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/KMeans.h"
#include "dc/Base/Random.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_set>

using namespace dc;
using namespace dc::codec;

namespace {

/// Maps a float to a uint32 whose unsigned order is the float order.
uint32_t orderKey(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

float fromOrderKey(uint32_t k) {
  uint32_t b = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

uint32_t floatBits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

/// LSD radix sort of 32-bit keys in three passes of 11, 11 and 10 bits.
void radixSort(std::vector<uint32_t> &keys) {
  size_t n = keys.size();
  if (n < 2)
    return;
  constexpr unsigned kShift[3] = {0, 11, 22};
  constexpr uint32_t kMask[3] = {0x7ff, 0x7ff, 0x3ff};
  std::vector<size_t> hist(3 * 2048, 0);
  for (uint32_t k : keys)
    for (unsigned p = 0; p < 3; ++p)
      ++hist[p * 2048 + ((k >> kShift[p]) & kMask[p])];
  std::unique_ptr<uint32_t[]> tmpBuf;
  uint32_t *src = keys.data(), *dst = nullptr;
  for (unsigned p = 0; p < 3; ++p) {
    size_t *h = &hist[p * 2048];
    // Skip a pass where every key has the same digit.
    bool trivial = false;
    for (unsigned d = 0; d < 2048; ++d)
      if (h[d] == n)
        trivial = true;
    if (trivial)
      continue;
    size_t sum = 0;
    for (unsigned d = 0; d < 2048; ++d) {
      size_t c = h[d];
      h[d] = sum;
      sum += c;
    }
    if (!dst) {
      tmpBuf.reset(new uint32_t[n]); // uninitialized: no memset
      dst = tmpBuf.get();
    }
    for (size_t i = 0; i < n; ++i) {
      uint32_t k = src[i];
      dst[h[(k >> kShift[p]) & kMask[p]]++] = k;
    }
    std::swap(src, dst);
  }
  if (src != keys.data())
    std::memcpy(keys.data(), src, n * sizeof(uint32_t));
}

/// The sorted kept weights, stored as float bit patterns in the buffer the
/// radix sort used (no second n-sized allocation).
class SortedData {
public:
  explicit SortedData(std::vector<uint32_t> &&bits) : bits(std::move(bits)) {}
  float operator[](size_t i) const {
    float f;
    std::memcpy(&f, &bits[i], 4);
    return f;
  }
  size_t size() const { return bits.size(); }
  float front() const { return (*this)[0]; }
  float back() const { return (*this)[size() - 1]; }

private:
  std::vector<uint32_t> bits;
};

/// Sums of sorted data over index ranges: prefix sums every kBlock
/// elements plus a short partial sum.
class RangeSums {
public:
  static constexpr size_t kBlock = 64;
  explicit RangeSums(const SortedData &x) : x(x) {
    blocks.resize(x.size() / kBlock + 1);
    double s = 0.0;
    for (size_t i = 0; i < x.size(); ++i) {
      if (i % kBlock == 0)
        blocks[i / kBlock] = s;
      s += x[i];
    }
    if (x.size() % kBlock == 0)
      blocks[x.size() / kBlock] = s;
  }
  /// Sum of x[0 .. i).
  double prefix(size_t i) const {
    size_t b = i / kBlock;
    double s = blocks[b];
    for (size_t j = b * kBlock; j < i; ++j)
      s += x[j];
    return s;
  }
  double sum(size_t lo, size_t hi) const { return prefix(hi) - prefix(lo); }

private:
  const SortedData &x;
  std::vector<double> blocks;
};

/// Boundaries between neighbouring (sorted) centroids: mids[j] is the
/// midpoint between c[j] and the next larger centroid (+inf if none), exact
/// in double. Equal centroids get equal boundaries, so of a run of equal
/// centroids only the first gets points: nearest centroid, ties to the
/// lowest index.
void midpoints(const std::vector<float> &c, std::vector<double> &mids) {
  mids.resize(c.size() - 1);
  double nextDistinct = HUGE_VAL;
  for (size_t j = c.size() - 1; j-- > 0;) {
    if (c[j + 1] != c[j])
      nextDistinct = c[j + 1];
    mids[j] =
        nextDistinct == HUGE_VAL ? HUGE_VAL : (double(c[j]) + nextDistinct) / 2;
  }
}

/// cuts[j] .. cuts[j+1] is cluster j: x goes to the lowest j with
/// x <= mid[j] (nearest centroid, ties to the lower one).
void computeCuts(const SortedData &x, const std::vector<double> &mids,
                 std::vector<size_t> &cuts) {
  size_t k = mids.size() + 1;
  cuts.resize(k + 1);
  cuts[0] = 0;
  cuts[k] = x.size();
  size_t lo = 0;
  for (size_t j = 0; j + 1 < k; ++j) {
    // First index in [lo, n) whose value is > mids[j].
    double m = mids[j];
    size_t len = x.size() - lo;
    while (len > 0) {
      size_t half = len / 2;
      if (double(x[lo + half]) <= m) {
        lo += half + 1;
        len -= half + 1;
      } else {
        len = half;
      }
    }
    cuts[j + 1] = lo;
  }
}

/// The initial centroids of options.init over the m sorted kept weights x
/// (unsorted for Random).
std::vector<float> initialCentroids(SortedData &x, RangeSums &sums, size_t m,
                                   unsigned k, const KMeansOptions &options) {
  std::vector<float> c;
  switch (options.init) {
  case KMeansInit::Linear:
    if (k == 1) {
      c.push_back(float(sums.sum(0, m) / double(m)));
    } else {
      double lo = x.front(), hi = x.back();
      for (unsigned i = 0; i < k; ++i)
        c.push_back(float(lo + (hi - lo) * double(i) / double(k - 1)));
    }
    break;
  case KMeansInit::Density:
    for (unsigned i = 0; i < k; ++i) {
      double q = (double(i) + 0.5) * double(m) / double(k);
      size_t idx = std::min(m - 1, size_t(q));
      c.push_back(x[idx]);
    }
    break;
  case KMeansInit::Random: {
    size_t kEff = std::min<size_t>(k, m);
    std::vector<size_t> pos;
    if (kEff == m) {
      for (size_t i = 0; i < m; ++i)
        pos.push_back(i);
    } else {
      // Floyd's algorithm: kEff distinct positions of [0, m).
      SplitMix64 rng(options.seed);
      std::unordered_set<size_t> chosen;
      for (size_t j = m - kEff; j < m; ++j) {
        size_t t = size_t(rng.below(uint64_t(j) + 1));
        size_t pick = chosen.count(t) ? j : t;
        chosen.insert(pick);
        pos.push_back(pick);
      }
      std::sort(pos.begin(), pos.end());
    }
    for (size_t p : pos)
      c.push_back(x[p]);
    break;
  }
  }
  return c;
}

} // namespace

StatusOr<KMeansResult> dc::codec::kmeans1D(const float *w, size_t n,
                                           const uint8_t *mask,
                                           const KMeansOptions &options) {
  unsigned k = options.k;
  if (k < 1 || k > 65536)
    return Status::error("kmeans: k = " + std::to_string(k) +
                         " not in [1, 65536]");
  if (n > 0 && !w)
    return Status::error("kmeans: null weights");
  unsigned init = unsigned(options.init);
  if (init > 2)
    return Status::error("kmeans: unknown init " + std::to_string(init));
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (mask && !mask[i])
      continue;
    if (!std::isfinite(w[i]))
      return Status::error("kmeans: weight " + std::to_string(i) +
                           " is not finite");
    ++m;
  }
  KMeansResult result;
  if (m == 0) {
    result.assignment.assign(n, -1);
    return result;
  }

  // Sort the kept weights.
  std::vector<uint32_t> keys;
  keys.reserve(m);
  for (size_t i = 0; i < n; ++i)
    if (!mask || mask[i])
      keys.push_back(orderKey(w[i]));
  radixSort(keys);
  for (uint32_t &k : keys)
    k = floatBits(fromOrderKey(k));
  SortedData x(std::move(keys));
  RangeSums sums(x);

  // Initial centroids, sorted.
  std::vector<float> c = initialCentroids(x, sums, m, k, options);
  std::sort(c.begin(), c.end());

  // Lloyd iterations until the clusters stop changing.
  std::vector<double> mids;
  std::vector<size_t> cuts, prevCuts;
  unsigned iterations = 0;
  while (true) {
    midpoints(c, mids);
    computeCuts(x, mids, cuts);
    if (cuts == prevCuts || iterations >= options.maxIterations)
      break;
    for (size_t j = 0; j < c.size(); ++j) {
      size_t lo = cuts[j], hi = cuts[j + 1];
      if (hi > lo) // empty clusters keep their centroid
        c[j] = float(sums.sum(lo, hi) / double(hi - lo));
    }
    std::sort(c.begin(), c.end());
    ++iterations;
    prevCuts.swap(cuts);
  }
  result.iterations = iterations;

  // Drop unused and duplicate centroids.
  std::vector<int32_t> remap(c.size(), -1);
  for (size_t j = 0; j < c.size(); ++j) {
    if (cuts[j + 1] == cuts[j])
      continue;
    if (result.centroids.empty() || result.centroids.back() != c[j])
      result.centroids.push_back(c[j]);
    remap[j] = int32_t(result.centroids.size() - 1);
  }

  // Assign every kept weight: its cluster is the number of midpoints below
  // it, exactly as computeCuts splits the sorted data. In key space
  // x <= mid iff orderKey(x) <= T, T the key of the largest float <= mid; a
  // table over the top 16 key bits narrows the search to the few thresholds
  // in the weight's bucket (no unpredictable branches for typical data).
  size_t nm = mids.size();
  std::vector<uint32_t> thresholds(nm);
  for (size_t j = 0; j < nm; ++j) {
    if (mids[j] == HUGE_VAL) {
      thresholds[j] = UINT32_MAX;
      continue;
    }
    float f = float(mids[j]);
    if (double(f) > mids[j])
      f = std::nextafter(f, -HUGE_VALF);
    thresholds[j] = orderKey(f);
  }
  std::vector<uint32_t> bucketStart(65537);
  for (size_t h = 0; h <= 65536; ++h)
    bucketStart[h] =
        uint32_t(std::lower_bound(
                     thresholds.begin(), thresholds.end(), uint64_t(h) << 16,
                     [](uint32_t t, uint64_t v) { return t < v; }) -
                 thresholds.begin());
  const uint32_t *th = thresholds.data();
  const uint32_t *bs = bucketStart.data();
  const int32_t *rm = remap.data();
  result.assignment.reserve(n); // written once, no prefill
  for (size_t i = 0; i < n; ++i) {
    if (mask && !mask[i]) {
      result.assignment.push_back(-1);
      continue;
    }
    uint32_t key = orderKey(w[i]);
    uint32_t lo = bs[key >> 16], hi = bs[(key >> 16) + 1];
    if (hi - lo <= 8) {
      while (lo < hi && th[lo] < key)
        ++lo;
    } else {
      lo = uint32_t(std::lower_bound(th + lo, th + hi, key) - th);
    }
    result.assignment.push_back(rm[lo]);
  }
  return result;
}
