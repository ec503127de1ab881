//===- Autodiff.h - Reverse-mode differentiation of linalg ------*- C++ -*-===//
//
// docs/Training.md, "What is differentiable". The mechanism behind
// dc-differentiate: from a function that returns one scalar (a 0-d tensor),
// build a function that returns that scalar and its gradient with respect
// to every floating-point tensor argument.
//
//===----------------------------------------------------------------------===//

#ifndef DC_AUTODIFF_AUTODIFF_H
#define DC_AUTODIFF_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::dc {

/// Builds `@<name>(args...) -> (value, d value / d arg for each floating-point
/// tensor argument, in argument order)` next to `func`, which must return
/// exactly one 0-d f32 or f64 tensor. Named linalg ops are generalized in
/// the copy first. Anything not differentiable is a located error (starting
/// with `passName`, the pass that asked); then nothing is added.
FailureOr<func::FuncOp> buildGradientFunction(func::FuncOp func, StringRef name,
                                              StringRef passName);

/// The training step of a model whose `forward` returns logits [B, C]
/// (parametrize it first: its `dc.param` arguments are what is trained):
///   @<stepName>(args..., labels: tensor<BxiN>, row_weights: tensor<BxT>)
///       -> (loss: tensor<T>, d loss / d param for each dc.param argument)
///   @<lossName>(the same arguments) -> loss
/// with the softmax cross-entropy fused as one primitive: loss =
/// sum_b w_b (logsumexp_b - logit_{b, y_b}) / sum_b w_b (PyTorch's
/// reduction='mean' when every weight is 1; weight 0 drops a row), computed
/// stably, and its gradient w_b / W (softmax - onehot). Labels outside
/// [0, C) are clamped (dc-train checks its data). A @forward that already
/// ends in a softmax is refused: it must return logits.
///
/// With `distillation`, a last argument `teacher_logits: tensor<BxCxT>` and
/// loss = sum_b w_b ((1 - alpha) ce_b + alpha T^2 KL(softmax(teacher_b / T)
/// || softmax(logit_b / T))) / sum_b w_b: with all weights 1, PyTorch's
/// (1 - alpha) cross_entropy + alpha T^2 kl_div(log_softmax(s / T),
/// softmax(t / T), reduction='batchmean').
struct TrainLoss {
  bool distillation = false;
  double temperature = 4.0, alpha = 0.5;
};
LogicalResult buildTrainStep(func::FuncOp forward, StringRef stepName,
                             StringRef lossName, const TrainLoss &loss,
                             StringRef passName);

} // namespace mlir::dc

#endif // DC_AUTODIFF_AUTODIFF_H
