//===- WeightForms.h - Reading and writing a weight's forms -----*- C++ -*-===//
//
// Internal to the compression library: a layer as the stages see it (a
// codebook and one index per element), read from and written to the forms
// of dc/Dialect/DC/Analysis/WeightForm.h.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_DIALECT_DC_TRANSFORMS_WEIGHTFORMS_H
#define DC_LIB_DIALECT_DC_TRANSFORMS_WEIGHTFORMS_H

#include "dc/Dialect/DC/Analysis/Weights.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace mlir::dc {

/// Emits an error about the layer being worked on, already located and
/// prefixed by the caller ("layer 'fc1': "); the callee adds why.
using LayerErrorFn = function_ref<InFlightDiagnostic()>;

/// A layer as a codebook and one index per element (-1 = pruned).
struct QuantizedLayer {
  std::vector<float> codebook;
  std::vector<int32_t> indices;
};

/// Stage 2 skipped: the codebook is the sorted distinct kept values
/// (`mask[i] != 0`; null = the non-zero values); fails when there are more
/// than 2^8.
FailureOr<QuantizedLayer> collectCodebook(ArrayRef<float> values,
                                          LayerErrorFn emitError,
                                          const uint8_t *mask = nullptr);

/// The layer of a codebook gather (`use.gather`): its codebook values at
/// the given indices, sorted and without zeros (zero-valued positions are
/// pruned). Fails for an index out of the codebook's range.
FailureOr<QuantizedLayer> readCodebookGather(WeightUse use,
                                             LayerErrorFn emitError);

/// The layer of a trainable quantized form, exactly: kept positions (mask
/// non-zero) index the codebook, which is sorted and stripped of unused and
/// repeated values. Fails for a kept index outside the codebook or a
/// non-finite centroid.
FailureOr<QuantizedLayer> readQuantizedForm(WeightUse use,
                                            LayerErrorFn emitError);

/// The values `w` and the mask of a trainable pruned form.
LogicalResult readPrunedForm(WeightUse use, std::vector<float> &values,
                             std::vector<uint8_t> &mask,
                             LayerErrorFn emitError);

/// The values and keep mask of a Dense or Pruned weight (a Dense weight's
/// kept entries are its non-zero ones).
LogicalResult readKept(const WeightUse &use, std::vector<float> &values,
                       std::vector<uint8_t> &mask, LayerErrorFn emitError);

/// `layer`'s values (0.0 at pruned positions).
std::vector<float> sharedValues(const QuantizedLayer &layer);

/// A resource key made of identifier characters.
std::string blobKey(StringRef name, StringRef suffix);

/// Gives the constant new values, stored as a dense_resource blob, and
/// records the layer name on it.
void setWeightValues(arith::ConstantOp op, ArrayRef<float> values,
                     StringRef layer, StringRef blobSuffix);

/// Erases the weight's root op (now unused) and the constants only it used.
void eraseWeight(WeightUse &use);

/// The weight as the pruned form: `w` zeroed where the mask is 0.
void writePrunedForm(WeightUse &use, ArrayRef<float> values,
                     ArrayRef<uint8_t> mask);

/// The weight as the quantized form: mask = kept, index = the centroid
/// (0 at pruned positions), codebook = the centroids (one placeholder entry
/// when nothing is kept, never selected).
void writeQuantizedForm(WeightUse &use, const QuantizedLayer &layer);

/// The weight as an ordinary f32 constant.
void writeDense(WeightUse &use, ArrayRef<float> values, StringRef suffix);

} // namespace mlir::dc

#endif // DC_LIB_DIALECT_DC_TRANSFORMS_WEIGHTFORMS_H
