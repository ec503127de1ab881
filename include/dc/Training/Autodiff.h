//===- Autodiff.h - Reverse-mode differentiation of linalg on tensors -*- C++
//-*-===//
//
// docs/Training.md, "What is differentiable". The mechanism behind
// dc-differentiate: from a function that returns one scalar (a 0-d tensor),
// build a function that returns that scalar and its gradient with respect
// to every floating-point tensor argument.
//
//===----------------------------------------------------------------------===//

#ifndef DC_TRAINING_AUTODIFF_H
#define DC_TRAINING_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::dc {

/// Builds `@<name>(args...) -> (value, d value / d arg for each floating-point
/// tensor argument, in argument order)` next to `func`, which must return
/// exactly one 0-d f32 or f64 tensor. Named linalg ops are generalized in
/// the copy first. Anything not differentiable is a located error; then
/// nothing is added.
FailureOr<func::FuncOp> buildGradientFunction(func::FuncOp func,
                                              StringRef name);

} // namespace mlir::dc

#endif // DC_TRAINING_AUTODIFF_H
