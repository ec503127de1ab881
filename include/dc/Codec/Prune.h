//===- Prune.h - Magnitude pruning ------------------------------*- C++ -*-===//
//
// Han et al. 2015 ("Learning both weights and connections"): remove the
// weights of smallest magnitude, by a target sparsity or by a threshold of
// quality * std(weights).
//
//===----------------------------------------------------------------------===//

#ifndef DC_CODEC_PRUNE_H
#define DC_CODEC_PRUNE_H

#include "dc/Base/Status.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dc::codec {

/// Keeps the ceil((1 - sparsity) * n) weights of largest magnitude; ties at
/// the boundary are broken by lower position first, so exactly that many are
/// kept. sparsity in [0, 1]. Returns the keep mask (1 = kept).
StatusOr<std::vector<uint8_t>> pruneBySparsity(const float *w, size_t n,
                                               double sparsity);

/// Keeps weights with |w| > quality * std(w) (population standard deviation).
/// quality >= 0.
StatusOr<std::vector<uint8_t>> pruneByQuality(const float *w, size_t n,
                                              double quality);

/// Population standard deviation (double accumulation).
double standardDeviation(const float *w, size_t n);

} // namespace dc::codec

#endif // DC_CODEC_PRUNE_H
