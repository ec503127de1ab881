//===- Passes.h - dc's training passes --------------------------*- C++ -*-===//
//
// dc-parametrize, dc-fold-parameters, dc-rebatch and dc-differentiate
// (include/dc/Autodiff/Passes.td): their ODS-generated options structs and
// create...() functions are how other libraries use them.
//
//===----------------------------------------------------------------------===//

#ifndef DC_AUTODIFF_PASSES_H
#define DC_AUTODIFF_PASSES_H

#include "dc/Autodiff/Parameters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::dc {

/// The loss dc-differentiate builds (its `loss` option).
enum class LossOption {
  None,         ///< the function returns its loss
  CrossEntropy, ///< the function returns logits; softmax cross-entropy
  Distillation, ///< cross-entropy mixed with T^2 KL to teacher logits
};

#define GEN_PASS_DECL
#include "dc/Autodiff/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dc/Autodiff/Passes.h.inc"

/// The passes' command-line names, for messages of code outside the pass
/// that names it (e.g. "run dc-parametrize first").
StringRef parametrizePassName();
StringRef differentiatePassName();

} // namespace mlir::dc

#endif // DC_AUTODIFF_PASSES_H
