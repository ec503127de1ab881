//===- WeightForm.h - How a weight is held in model IR ----------*- C++ -*-===//
//
// docs/Training.md, "Weight forms". The trainable forms keep a pruned or
// quantized weight as one linalg.generic over constants, so that training
// can update `w` or the codebook while the mask (and the assignment) stay
// fixed, and dc-encode can still store the result exactly.
//
//===----------------------------------------------------------------------===//

#ifndef DC_DIALECT_DC_ANALYSIS_WEIGHTFORM_H
#define DC_DIALECT_DC_ANALYSIS_WEIGHTFORM_H

namespace mlir::dc {

/// How the compression passes found a weight.
enum class WeightForm {
  /// An f32 arith.constant (zeros are pruned positions).
  Dense,
  /// `codebook[index]`: a linalg.generic over an integer constant whose body
  /// yields tensor.extract from a 1-D f32 constant (an externally trained
  /// codebook; entries of value 0.0 are pruned positions).
  CodebookGather,
  /// `select(mask != 0, w, 0.0)`: a linalg.generic over an i8 mask and an
  /// f32 constant of the weight's shape.
  Pruned,
  /// `select(mask != 0, codebook[index], 0.0)`: a linalg.generic over an i8
  /// mask and an i8/i16 index constant, the codebook a 1-D f32 constant
  /// holding exactly the shared values (no entry for the pruned zeros).
  Quantized,
};

} // namespace mlir::dc

#endif // DC_DIALECT_DC_ANALYSIS_WEIGHTFORM_H
