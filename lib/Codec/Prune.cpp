//===- Prune.cpp - Magnitude pruning --------------------------------------===//
//
// pruneBySparsity is O(n) on average: nth_element finds the magnitude of the
// last kept weight, one pass keeps everything above it plus the first ties.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/Prune.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

using namespace dc;
using namespace dc::codec;

namespace {

/// |w| as an order-preserving integer key (non-negative floats compare like
/// their bit patterns; -0.0 becomes +0.0).
uint32_t magnitudeKey(float w) {
  uint32_t bits;
  std::memcpy(&bits, &w, 4);
  return bits & 0x7fffffffu;
}

/// ceil(x) for x >= 0, tolerant of the rounding in (1 - s) * n: values within
/// a relative 1e-9 of an integer count as that integer (so s = 0.7, n = 10
/// keeps 3, not 4).
uint64_t tolerantCeil(double x) {
  double r = std::nearbyint(x);
  if (std::fabs(x - r) <= 1e-9 * std::max(1.0, x))
    return uint64_t(r);
  return uint64_t(std::ceil(x));
}

} // namespace

StatusOr<std::vector<uint8_t>>
dc::codec::pruneBySparsity(const float *w, size_t n, double sparsity) {
  if (!(sparsity >= 0.0 && sparsity <= 1.0))
    return Status::error("prune: sparsity " + std::to_string(sparsity) +
                         " not in [0, 1]");
  if (n > 0 && !w)
    return Status::error("prune: null weights");
  for (size_t i = 0; i < n; ++i)
    if (std::isnan(w[i]))
      return Status::error("prune: weight " + std::to_string(i) + " is NaN");
  uint64_t keep = tolerantCeil((1.0 - sparsity) * double(n));
  if (keep > n)
    keep = n;
  std::vector<uint8_t> mask(n, 0);
  if (keep == 0)
    return mask;
  if (keep == n) {
    std::fill(mask.begin(), mask.end(), 1);
    return mask;
  }
  uint32_t t;
  {
    std::unique_ptr<uint32_t[]> keys(new uint32_t[n]); // no zero fill
    for (size_t i = 0; i < n; ++i)
      keys[i] = magnitudeKey(w[i]);
    // The keep-th largest magnitude.
    std::nth_element(keys.get(), keys.get() + (keep - 1), keys.get() + n,
                     std::greater<uint32_t>());
    t = keys[keep - 1];
  }
  uint64_t above = 0;
  for (size_t i = 0; i < n; ++i)
    above += magnitudeKey(w[i]) > t;
  uint64_t ties = keep - above; // >= 1
  for (size_t i = 0; i < n; ++i) {
    uint32_t k = magnitudeKey(w[i]);
    if (k > t) {
      mask[i] = 1;
    } else if (k == t && ties > 0) {
      mask[i] = 1;
      --ties;
    }
  }
  return mask;
}

double dc::codec::standardDeviation(const float *w, size_t n) {
  if (n == 0 || !w)
    return 0.0;
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i)
    sum += w[i];
  double mean = sum / double(n);
  double sq = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double d = double(w[i]) - mean;
    sq += d * d;
  }
  return std::sqrt(sq / double(n));
}

StatusOr<std::vector<uint8_t>>
dc::codec::pruneByQuality(const float *w, size_t n, double quality) {
  if (!(quality >= 0.0) || std::isinf(quality))
    return Status::error("prune: quality " + std::to_string(quality) +
                         " must be finite and >= 0");
  if (n > 0 && !w)
    return Status::error("prune: null weights");
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(w[i]))
      return Status::error("prune: weight " + std::to_string(i) +
                           " is not finite");
  double threshold = quality * standardDeviation(w, n);
  std::vector<uint8_t> mask(n, 0);
  for (size_t i = 0; i < n; ++i)
    mask[i] = std::fabs(double(w[i])) > threshold;
  return mask;
}
