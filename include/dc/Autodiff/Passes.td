//===- Passes.td - dc's training passes --------------------*- tablegen -*-===//
//
// Retraining (docs/Training.md): parameters in and out of function
// arguments, rebatching, reverse-mode differentiation.
//
//===----------------------------------------------------------------------===//

#ifndef DC_AUTODIFF_PASSES_TD
#define DC_AUTODIFF_PASSES_TD

include "mlir/Pass/PassBase.td"


def DCParametrize : Pass<"dc-parametrize", "ModuleOp"> {
  let summary = "Turn a function's trainable constants into named arguments";
  let description = [{
    Moves the chosen trainable constants of `function` (default `@forward`)
    into a new function `@<function>.params` that returns them, and makes
    them the first arguments of `function`, named by the argument attribute
    `dc.param` (e.g. `"fc1.weight"`, `"fc1.codebook"`, `"fc1_bias"`) with
    their kind in `dc.param_kind`. Calls of `function` get the values from
    `@<function>.params`. A trainer reads the initial values from, and
    writes the trained ones back into, the constants of `@<function>.params`;
    `dc-fold-parameters` then restores the constants in place.

    The kinds (docs/Training.md): `weight` (a dense weight of a contraction
    or convolution), `masked-weight` (the values of a trainable pruned form),
    `codebook` (the codebook of a trainable quantized form or gather) and
    `bias` (every other non-splat f32 constant). Masks and indices are never
    parameters.

    ```
    dc-opt model.mlir --dc-parametrize="weights=false masked-weights=false layers=fc1,fc2"
    ```
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "The function whose constants become arguments">,
    // (Four switches, not a list of an enum: MLIR 22's ListOption does not
    // pass llvm::cl::values on to the parser it parses elements with.)
    Option<"weights", "weights", "bool", /*default=*/"true",
           "Move dense weights of contractions and convolutions">,
    Option<"maskedWeights", "masked-weights", "bool", /*default=*/"true",
           "Move the values of trainable pruned forms">,
    Option<"codebooks", "codebooks", "bool", /*default=*/"true",
           "Move the codebooks of trainable quantized forms and gathers">,
    Option<"biases", "biases", "bool", /*default=*/"true",
           "Move the other non-splat f32 constants (biases, norm scales)">,
    Option<"statistics", "statistics", "bool", /*default=*/"false",
           "Move normalisation statistics too (running means and "
           "variances: frozen by default)">,
    ListOption<"layers", "layers", "std::string",
               "Only these layers' parameters (a layer name, or a bias's "
               "parameter name); default: all">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def DCFoldParameters : Pass<"dc-fold-parameters", "ModuleOp"> {
  let summary = "Fold the parameters of dc-parametrize back into constants";
  let description = [{
    The inverse of `dc-parametrize`: every `dc.param` argument of `function`
    is replaced by its constant from `@<function>.params` (with whatever
    values a trainer wrote there), put back where it stood, and the
    arguments, the extra call operands and `@<function>.params` are removed.
    With unchanged values the module is byte-for-byte what it was before
    `dc-parametrize`.
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "The parametrized function">,
  ];
}

def DCDifferentiate : Pass<"dc-differentiate", "ModuleOp"> {
  let summary = "Reverse-mode differentiation of a loss function over linalg "
                "on tensors";
  let description = [{
    For `function`, which must return one 0-d f32 or f64 tensor (a loss),
    adds `@<name>` (default `@<function>_grad`) with the same arguments
    returning the loss and its gradient with respect to each floating-point
    tensor argument, in order (parametrize the weights first with
    `dc-parametrize` to differentiate with respect to them). Named linalg ops
    are generalized; every linalg.generic with projected-permutation maps is
    differentiated by one rule (matmul, matvec, batch_matmul, transposes,
    broadcasts, elementwise ops, sum and max/min reductions — ties split as
    PyTorch's amax), gradients also flow into
    `outs` operands (a bias accumulated into), and through
    `tensor.collapse_shape` / `expand_shape`. Body ops: addf, subf, mulf,
    divf, negf, maximumf, minimumf (ties as PyTorch), select, exp, log, tanh,
    sqrt, rsqrt. Anything else that a gradient must pass is a located error
    naming the op (docs/Training.md, "What is differentiable").

    With `loss=cross-entropy` the function returns logits and the softmax
    cross-entropy is fused: `@train_step(params..., x, labels: tensor<Bxi64>,
    row_weights: tensor<BxT>) -> (loss, gradients of the dc.param
    arguments)` with loss = sum_b w_b (logsumexp_b - logit_{b, label_b}) /
    sum_b w_b (PyTorch's mean with all weights 1), and `@train_loss` with
    the same arguments returning the loss only. A function that already ends
    in a softmax is refused.
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "The function to differentiate">,
    Option<"loss", "loss", "::mlir::dc::LossOption",
           "::mlir::dc::LossOption::None",
           "The loss to differentiate", [{::llvm::cl::values(
             clEnumValN(::mlir::dc::LossOption::None, "none",
                        "the function returns its loss (a 0-d tensor); "
                        "adds @<name> = (loss, gradient of every "
                        "floating-point argument)"),
             clEnumValN(::mlir::dc::LossOption::CrossEntropy,
                        "cross-entropy",
                        "the function returns logits [B, C]; adds "
                        "@train_step(args..., labels, row_weights) -> "
                        "(loss, gradient of every dc.param argument) and "
                        "@train_loss"),
             clEnumValN(::mlir::dc::LossOption::Distillation,
                        "distillation",
                        "as cross-entropy, with a last argument "
                        "teacher_logits [B, C]: (1 - alpha) cross-entropy + "
                        "alpha T^2 KL(softmax(teacher / T) || "
                        "softmax(logits / T))"))}]>,
    Option<"temperature", "temperature", "double", /*default=*/"4.0",
           "Distillation temperature T (> 0)">,
    Option<"alpha", "alpha", "double", /*default=*/"0.5",
           "Weight of the distillation term, in [0, 1]">,
    Option<"name", "name", "std::string", /*default=*/"\"\"",
           "The gradient function's name (default: <function>_grad, or "
           "train_step for a loss)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DCRebatch : Pass<"dc-rebatch", "ModuleOp"> {
  let summary = "Change the batch size of a model";
  let description = [{
    Models arrive at batch 1 (torch-mlir exports, dc-model-gen); training and
    batched inference need batch B. dc-rebatch gives dimension 0 of every
    tensor argument of `function` that is not a `dc.param` the size `batch`,
    and follows it through the function: linalg ops (named or generic) carry
    the batch along the loop their indexing maps bind it to, into their
    inits (`tensor.empty`, `linalg.fill`, `linalg.broadcast` of a bias,
    splat constants) and results; `tensor.collapse_shape`,
    `tensor.expand_shape`, `tensor.pad` and `tensor.cast` keep it when it is
    a dimension of its own. A reduction over the batch (a loss) drops it.

    What it cannot rebatch is a located error and the module is unchanged:
    a map that indexes the batch with a constant (`(d0, d1) -> (0, d1)`), a
    non-splat constant or a call that would need the batch, the batch
    merged with other dimensions by a reshape, padding of the batch, or any
    other op on a batched value.
  }];
  let options = [
    Option<"batch", "batch", "int64_t", /*default=*/"0",
           "The new batch size (> 0)">,
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "The function to rebatch">,
  ];
}

#endif // DC_AUTODIFF_PASSES_TD
