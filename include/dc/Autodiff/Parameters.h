//===- Parameters.h - The trainable constants of a model --------*- C++ -*-===//
//
// Which constants of a function are parameters a trainer may update, and how
// dc-parametrize / dc-fold-parameters move them between constants and
// function arguments (docs/Training.md, "Parameters").
//
//===----------------------------------------------------------------------===//

#ifndef DC_AUTODIFF_PARAMETERS_H
#define DC_AUTODIFF_PARAMETERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::dc {

enum class ParamKind {
  Weight,       ///< a dense weight of a contraction or convolution
  MaskedWeight, ///< the values `w` of a trainable pruned form
  Codebook,     ///< the codebook of a trainable quantized form (or gather)
  Bias,         ///< any other non-splat f32 constant (biases, norm scales)
  /// A normalisation's running statistic (a mean subtracted, a variance
  /// under a square root, as torch-mlir lowers batch_norm for inference):
  /// frozen unless asked for.
  Statistic,
};

StringRef stringifyParamKind(ParamKind kind);

/// One trainable constant of a function.
struct Parameter {
  arith::ConstantOp constant;
  ParamKind kind;
  std::string name;  ///< e.g. "fc1.weight", "fc1.codebook", "fc1_bias"
  std::string layer; ///< the layer of a weight or codebook; "" for biases
};

/// The parameters of `func` in the order their constants appear, each
/// constant once. Masks, indices and splat constants (zeros, -inf) are never
/// parameters. Names are unique.
SmallVector<Parameter> findParameters(func::FuncOp func);

/// Argument attributes of a parametrized function.
inline constexpr llvm::StringLiteral kParamAttrName = "dc.param";
inline constexpr llvm::StringLiteral kParamKindAttrName = "dc.param_kind";
/// The function holding a parametrized function's initial values, and its
/// attributes: which function it belongs to and where each constant stood.
inline constexpr llvm::StringLiteral kParamsOfAttrName = "dc.params_of";
inline constexpr llvm::StringLiteral kParamPositionsAttrName =
    "dc.param_positions";

/// The name of the function that holds `func`'s parameter values.
std::string paramsFunctionName(StringRef func);

} // namespace mlir::dc

#endif // DC_AUTODIFF_PARAMETERS_H
