//===- Weights.h - The constant weights of a model --------------*- C++ -*-===//
//
// The weight finder: the constant f32 weights that linalg contractions and
// convolutions read (through the views of WeightViews.h), in the forms of
// WeightForm.h, with their layer names; the constant weights no stage can
// find and why; and a weight constant's values.
//
//===----------------------------------------------------------------------===//

#ifndef DC_DIALECT_DC_ANALYSIS_WEIGHTS_H
#define DC_DIALECT_DC_ANALYSIS_WEIGHTS_H

#include "dc/Dialect/DC/Analysis/WeightForm.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace mlir::dc {

enum class LayerKind { FullyConnected, Convolution };

/// A constant f32 weight feeding a linalg contraction or convolution, in one
/// of the forms of WeightForm.h: an arith.constant; an externally trained
/// codebook and index tensor (a linalg.generic that yields `codebook[index]`,
/// tensor.extract from a 1-D f32 constant at the index_cast of an integer
/// constant's element); or a trainable pruned or quantized form.
struct WeightUse {
  WeightForm form = WeightForm::Dense;
  /// The weight (Dense), its values `w` (Pruned), or the index tensor
  /// (CodebookGather, Quantized).
  arith::ConstantOp constant;
  /// The linalg.generic of the CodebookGather, Pruned and Quantized forms.
  linalg::GenericOp gather;
  arith::ConstantOp codebook; ///< CodebookGather, Quantized
  arith::ConstantOp mask;     ///< Pruned, Quantized: i8, non-zero = kept
  bool unsignedIndex = false; ///< the index is read with index_castui
  Operation *consumer;
  LayerKind kind;
  /// The constant's `dc.layer` attribute (set by the compression passes), a
  /// NameLoc of the consumer or the constant, the weight blob's key without
  /// a ".weight"/"_weight" suffix, or "layer<N>", in that order.
  std::string name;
  /// The consumer's location as printed (used to match overrides).
  std::string location;
};

/// The discardable attribute that carries a layer's name from pass to pass
/// on its weight constant.
inline constexpr llvm::StringLiteral kLayerAttrName = "dc.layer";

/// The constant weights of every contraction and convolution in `module`, in
/// walk order, each constant once. Follows transposes, reshapes and casts
/// between a weight and its consumer.
SmallVector<WeightUse> findWeights(ModuleOp module);

/// A constant weight of a contraction or convolution that is not stored
/// compressed, and why (the report's "left uncompressed" lines).
struct LeftWeight {
  Operation *op = nullptr; ///< the reading op
  std::string consumer;    ///< its name
  std::string location;    ///< the reading op's location as printed
  unsigned operand = 0;
  std::string type; ///< the weight's tensor type as printed
  std::string reason;
};

/// Every DPS input of a contraction or convolution in `module` that is
/// computed from constants only and does not reach a dc.decompress through
/// views (WeightViews.h), with the reason: a weight findWeights finds but
/// that was not encoded (`notEncodedReason`), an element type other than
/// f32, or an op on the way that is not a view.
SmallVector<LeftWeight> findLeftWeights(ModuleOp module,
                                        StringRef notEncodedReason);

/// The f32 values of a weight constant (dense<> or dense_resource<>): a view
/// of its storage when possible, else a copy in `storage`. Fails with a
/// diagnostic for elided blobs.
FailureOr<ArrayRef<float>> getWeightValues(arith::ConstantOp op,
                                           std::vector<float> &storage);

} // namespace mlir::dc

#endif // DC_DIALECT_DC_ANALYSIS_WEIGHTS_H
