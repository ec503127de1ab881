//===- KMeans.h - 1-D k-means weight sharing --------------------*- C++ -*-===//
//
// Deep Compression section 3: per-layer k-means over the kept weights,
// 2^bits centroids. Sort-based Lloyd iterations: after one O(n log n) sort
// (radix sort of the float keys) each iteration is O(k log n) with prefix
// sums, and the final assignment is a binary search over k-1 boundaries.
//
//===----------------------------------------------------------------------===//

#ifndef DC_CODEC_KMEANS_H
#define DC_CODEC_KMEANS_H

#include "dc/Base/Status.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dc::codec {

enum class KMeansInit : uint8_t {
  Linear = 0,  ///< evenly spaced in [min, max] (the paper's best)
  Density = 1, ///< evenly spaced in the CDF (quantiles)
  Random = 2,  ///< k distinct weights picked with a seeded PRNG
};

struct KMeansOptions {
  unsigned k = 32;
  KMeansInit init = KMeansInit::Linear;
  uint64_t seed = 0; ///< used by Random only
  unsigned maxIterations = 100;
};

struct KMeansResult {
  std::vector<float>
      centroids; ///< sorted ascending, size <= k, no duplicates, all used
  std::vector<int32_t>
      assignment; ///< per input weight: centroid index, -1 if masked out
  unsigned iterations = 0;
};

/// Clusters the weights w[i] with mask[i] != 0 (all when mask is null).
/// Deterministic for the same input and options (platform-independent PRNG).
/// Unused and duplicate centroids are dropped and the indices compacted.
StatusOr<KMeansResult> kmeans1D(const float *w, size_t n, const uint8_t *mask,
                                const KMeansOptions &options);

} // namespace dc::codec

#endif // DC_CODEC_KMEANS_H
