//===- Stages.h - The three stages on one layer -----------------*- C++ -*-===//
//
// Internal to the compression library: pruning and k-means on one layer's
// values (the algorithms are the codec's), and the encoding of one layer
// into dc.constant + dc.decompress.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_DIALECT_DC_TRANSFORMS_STAGES_H
#define DC_LIB_DIALECT_DC_TRANSFORMS_STAGES_H

#include "WeightForms.h"

#include "dc/Dialect/DC/Transforms/CompressionOptions.h"
#include "dc/Dialect/DC/Transforms/Report.h"

namespace mlir::dc {

/// Stage 1: the keep mask (1 = kept) of `values` under the policy.
FailureOr<std::vector<uint8_t>> pruneMask(ArrayRef<float> values,
                                          const LayerPolicy &policy,
                                          LayerErrorFn emitError);

/// The prune mask of a Dense or Pruned weight: by the policy over the kept
/// values (`kept`), never reviving a pruned one (iterative pruning).
FailureOr<std::vector<uint8_t>> pruneKept(const WeightUse &use,
                                          const std::vector<float> &values,
                                          const std::vector<uint8_t> &kept,
                                          const LayerPolicy &policy,
                                          LayerErrorFn emitError);

/// Stage 2: k-means over the kept values (`mask[i] != 0`; null = the
/// non-zero values). Pruned positions get index -1.
FailureOr<QuantizedLayer> quantizeValues(ArrayRef<float> values,
                                         const uint8_t *mask,
                                         const LayerPolicy &policy,
                                         const CompressionOptions &options,
                                         LayerErrorFn emitError);

/// Stage 3: encodes `layer` and replaces the weight constant by dc.constant
/// + dc.decompress. Fills `report`. Layout `auto` takes the layout (csr or
/// dense) with fewer raw bytes, computed without encoding (the codec's size
/// rules); entropy `auto` encodes both ways and keeps the smaller. `layer`
/// is consumed (the dense layout reuses its index buffer).
LogicalResult encodeWeight(WeightUse use, QuantizedLayer &&layer,
                           const LayerPolicy &policy, LayerReport &report);

} // namespace mlir::dc

#endif // DC_LIB_DIALECT_DC_TRANSFORMS_STAGES_H
