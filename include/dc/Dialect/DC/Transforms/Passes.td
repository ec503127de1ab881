//===- Passes.td - dc transformation passes ----------------*- tablegen -*-===//

#ifndef DC_DIALECT_DC_TRANSFORMS_PASSES_TD
#define DC_DIALECT_DC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DCMaterialize : Pass<"dc-materialize"> {
  let summary = "Decode dc.decompress of dc.constant into a dense arith.constant";
  let description = [{
    Replaces every `dc.decompress` whose operand is a `dc.constant` by an
    `arith.constant` holding the decoded dense weights (pruned positions are
    zero, kept ones their codebook value). This materialises the dense
    weights at compile time, which is why it is an explicit pass and not a
    canonicalisation: use it to check a compressed model against its
    original, or to run a compressed model through a flow that does not know
    `dc`. `dc.constant` ops left without users are erased.

    A payload that does not decode (a corrupt or truncated stream, an elided
    blob) is reported at the `dc.constant` and the pass fails.
  }];
  let options = [
    Option<"blobs", "blobs", "bool", /*default=*/"false",
           "Store the dense weights as dense_resource blobs (fast to print "
           "and parse for large models) instead of dense<> literals">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

//===----------------------------------------------------------------------===//
// Compression (Deep Compression's three stages)
//===----------------------------------------------------------------------===//

// Options shared by the stages and by dc-compress, which runs all three. The
// values of the enum options init, layout and entropy are declared once, in
// Forms.h's tables (the `layer` overrides parse the same names).
defvar DC_LayerOption = ListOption<"layerOptions", "layer", "std::string",
    "Per-layer overrides, each NAME:key=value[:key=value...]. NAME matches a "
    "layer's name (a NameLoc on the weight's consumer or on the constant), "
    "its consumer op name (e.g. linalg.conv_2d_nchw_fchw) or part of its "
    "location (e.g. model.py:12). Keys: sparsity, quality, bits, index-bits, "
    "layout, entropy, skip (=1 leaves the layer alone). Later entries win.">;

defvar DC_PruneOptions = [
  Option<"sparsity", "sparsity", "double", /*default=*/"0.9",
         "Fraction of each layer's weights to remove (smallest magnitude "
         "first), in [0, 1]">,
  Option<"quality", "quality", "double", /*default=*/"0.0",
         "When > 0, prune by threshold instead: remove |w| <= quality * "
         "std(layer) (Han et al. 2015); overrides sparsity">,
];

defvar DC_QuantizeOptions = [
  Option<"fcBits", "fc-bits", "unsigned", /*default=*/"5",
         "Codebook index bits of fully connected layers (1..8): 2^bits "
         "shared weights">,
  Option<"convBits", "conv-bits", "unsigned", /*default=*/"8",
         "Codebook index bits of convolution layers (1..8)">,
  Option<"init", "init", "::mlir::dc::InitOption",
         /*default=*/"::mlir::dc::InitOption::Linear",
         "k-means initialisation: linear (the paper's best), density or "
         "random", [{::mlir::dc::optionValues(::mlir::dc::kInitValues)}]>,
  Option<"seed", "seed", "uint64_t", /*default=*/"0",
         "Seed of random initialisation">,
  Option<"maxIterations", "max-iterations", "unsigned", /*default=*/"100",
         "Most k-means (Lloyd) iterations per layer; 0 keeps the initial "
         "centroids">,
];

defvar DC_EncodeOptions = [
  Option<"indexBits", "index-bits", "unsigned", /*default=*/"0",
         "Relative-index (gap) bits, 1..8; 0 picks the paper's choice: 5 for "
         "fully connected, 8 for convolution layers">,
  Option<"layout", "layout", "::mlir::dc::LayoutOption",
         /*default=*/"::mlir::dc::LayoutOption::Auto",
         "Storage layout: csr, csc, dense, or auto (the smallest of csr and "
         "dense for each layer)",
         [{::mlir::dc::optionValues(::mlir::dc::kLayoutValues)}]>,
  Option<"entropy", "entropy", "::mlir::dc::EntropyOption",
         /*default=*/"::mlir::dc::EntropyOption::Auto",
         "Entropy coding of the streams: huffman, none, or auto (Huffman "
         "where it makes the layer smaller: its code tables cost bytes)",
         [{::mlir::dc::optionValues(::mlir::dc::kEntropyValues)}]>,
  Option<"reportPath", "report", "std::string", /*default=*/"\"\"",
         "Write the per-layer compression report to this file ('-' for "
         "stdout)">,
  Option<"reportFormat", "report-format", "::mlir::dc::ReportFormat",
         /*default=*/"::mlir::dc::ReportFormat::Text", "Report format",
         [{::llvm::cl::values(
           clEnumValN(::mlir::dc::ReportFormat::Text, "text",
                      "the paper-style table (the default)"),
           clEnumValN(::mlir::dc::ReportFormat::Json, "json",
                      "JSON: dc's version, the input, the pass with its "
                      "options, the layers, the totals and the weights "
                      "left uncompressed"))}]>,
];

class DC_FormOption<string pruned> : Option<"form", "form",
    "::mlir::dc::FormOption", "::mlir::dc::FormOption::Dense",
    "What the pass writes: an ordinary dense constant, or the trainable "
    "form " # pruned # " (docs/Training.md)", [{::llvm::cl::values(
      clEnumValN(::mlir::dc::FormOption::Dense, "dense",
                 "an f32 constant (the default)"),
      clEnumValN(::mlir::dc::FormOption::Trainable, "trainable",
                 "one linalg.generic over constants whose mask stays "
                 "fixed in training"))}]>;

def DCPrune : Pass<"dc-prune", "ModuleOp"> {
  let summary = "Magnitude-prune the constant weights of linalg contractions "
                "and convolutions";
  let description = [{
    Deep Compression stage 1. Finds the constant weights of linalg
    contractions (matmul, batch_matmul, matvec, generic contractions) and
    convolutions, also through the transposes, reshapes and casts that
    front ends put between a weight and its consumer, and sets the weights
    of smallest magnitude to zero: by a target `sparsity`, or by the
    threshold `quality * std(weights)`. With `form=dense` (the default) the
    module stays an ordinary dense model and the zeros are the mask. With
    `form=trainable` each weight becomes `select(mask != 0, w, 0.0)`, one
    `linalg.generic` over an i8 mask constant and the weight constant, so
    that retraining updates `w` while pruned weights stay exactly zero.

    A weight already in that pruned form is pruned further among its kept
    weights (iterative pruning: the mask only loses entries; `sparsity` is
    the fraction of the whole layer). Quantized forms and codebook gathers
    are left alone.
  }];
  let options = !listconcat(DC_PruneOptions,
                            [DC_FormOption<"select(mask != 0, w, 0)">,
                             DC_LayerOption]);
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DCQuantize : Pass<"dc-quantize", "ModuleOp"> {
  let summary = "Share weights through a per-layer k-means codebook";
  let description = [{
    Deep Compression stage 2 (trained quantization, without the retraining):
    clusters each layer's non-zero weights into `2^bits` shared values with
    1-D k-means and replaces every non-zero weight by its centroid. Zeros
    (pruned weights) stay zero. With `form=dense` (the default) the module
    stays an ordinary dense model with at most `2^bits` distinct non-zero
    values per layer. With `form=trainable` each weight becomes
    `select(mask != 0, codebook[index], 0.0)`: an i8 mask, an i8 (up to 256
    centroids) index constant and a codebook constant holding exactly the
    centroids, so that fine-tuning the codebook keeps pruned weights zero
    and the assignment fixed.

    For a weight in the pruned form the mask is the form's (k-means runs over
    the kept weights only, a kept weight may be 0.0); otherwise the non-zero
    weights are the kept ones. Quantized forms and codebook gathers are left
    alone.
  }];
  let options = !listconcat(DC_QuantizeOptions,
      [DC_FormOption<"select(mask != 0, codebook[index], 0)">,
       DC_LayerOption]);
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DCEncode : Pass<"dc-encode", "ModuleOp"> {
  let summary = "Store quantized weights as dc.constant payloads";
  let description = [{
    Deep Compression stage 3: turns each weight with at most 256 distinct
    non-zero values into a `dc.constant` (codebook, relative-index sparse
    layout, optional Huffman coding; docs/Format.md) followed by a
    `dc.decompress` that feeds the same computation, and optionally writes
    the per-layer report. Zeros are pruned positions. A layer with more
    distinct values is reported as an error: run dc-quantize first.

    A weight given as an externally trained codebook and index tensor (a
    `linalg.generic` that gathers `codebook[index]` with `tensor.extract`
    from two constants) is encoded with that codebook as is. A weight in
    the trainable quantized form is stored exactly (its codebook sorted and
    stripped of unused and repeated entries, the mask's zeros as pruned
    positions); one in the pruned form is stored exactly when its kept
    weights have at most 256 distinct values (a kept 0.0 stays kept).
  }];
  let options = !listconcat(DC_EncodeOptions, [DC_LayerOption]);
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::dc::DCDialect"];
}

def DCCompress : Pass<"dc-compress", "ModuleOp"> {
  let summary = "Deep Compression: prune, quantize and encode every weight";
  let description = [{
    The three stages in one pass, layer by layer (so the dense intermediate
    of only one layer exists at a time): prune (dc-prune), share weights
    (dc-quantize), encode (dc-encode), with the same options, and the
    paper-style per-layer report.

    ```
    dc-opt model.mlir --dc-compress="sparsity=0.92 fc-bits=6 index-bits=5 report=-"
    mlir-opt model.mlir --load-dialect-plugin=libDCPlugin.so \
      --load-pass-plugin=libDCPlugin.so \
      --pass-pipeline="builtin.module(dc-compress{sparsity=0.92})"
    ```
  }];
  let options = !listconcat(DC_PruneOptions, DC_QuantizeOptions,
                            DC_EncodeOptions, [DC_LayerOption]);
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::dc::DCDialect"];
}

//===----------------------------------------------------------------------===//
// Retraining (docs/Training.md)
//===----------------------------------------------------------------------===//

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

def DCReport : Pass<"dc-report", "ModuleOp"> {
  let summary = "Print the per-layer report of an already compressed module";
  let description = [{
    Reads every `dc.constant` and writes the same per-layer table (or JSON)
    that dc-compress and dc-encode write, computed from the IR alone: the
    stored bytes are the payload bytes of each op. Layers are named by the
    `dc.constant`'s `layer` attribute (else its NameLoc, else `layer<N>`).
    Weights not stored yet — trainable pruned and quantized forms, codebook
    gathers — follow, marked `*` (JSON: `"form"`), with the figures dc-encode
    would store for them with its default options. The module is not
    changed.
  }];
  let dependentDialects = ["::mlir::dc::DCDialect"];
  let options = [
    Option<"reportPath", "report", "std::string", /*default=*/"\"-\"",
           "Write the report to this file ('-' for stdout)">,
    Option<"reportFormat", "report-format", "::mlir::dc::ReportFormat",
           /*default=*/"::mlir::dc::ReportFormat::Text", "Report format",
           [{::llvm::cl::values(
             clEnumValN(::mlir::dc::ReportFormat::Text, "text",
                        "the paper-style table (the default)"),
             clEnumValN(::mlir::dc::ReportFormat::Json, "json",
                        "JSON: dc's version, the input, the pass with its "
                        "options, the layers, the totals and the weights "
                        "left uncompressed"))}]>,
  ];
}

def DCCopyRepeatedResults : Pass<"dc-copy-repeated-results",
                                  "::mlir::func::FuncOp"> {
  let summary = "Give each result of a function a buffer of its own";
  let description = [{
    After bufferization: when a `func.return` returns one memref more than
    once (a model whose outputs include the same tensor twice, e.g. an ONNX
    graph output and an `Identity` of it), every repeated operand is
    replaced by a fresh `memref.alloc` filled with a `linalg.copy` of it.
    Upstream `buffer-results-to-out-params` crashes on a repeated result
    (MLIR 22); dc's lowering runs this pass first, so each out-parameter is
    written by its own copy.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect"];
}

def DCWorkspace : Pass<"dc-workspace", "ModuleOp"> {
  let summary = "Turn the allocations of an entry function into one "
                "caller-provided workspace";
  let description = [{
    After bufferization: every `memref.alloc` of static shape in the body of
    each entry function (and in `@dc_init`, if the module has one) becomes a
    `memref.view` into a new last argument `%workspace: memref<Nxi8>` at a
    64-byte aligned offset, and their `memref.dealloc`s are dropped, so the
    functions allocate nothing (and leak nothing). Allocations named with a
    `dc.slot` attribute (the run-time layout `@dc_init` decodes the payload
    into) get the same offset in every function; the rest is per-call
    scratch. The functions get `dc.workspace_bytes = N` and
    `llvm.emit_c_interface` (so `_mlir_ciface_forward` and
    `_mlir_ciface_dc_init` take memref descriptors from C after lowering),
    and the module gets `func.func @dc_workspace_size() -> i64` returning N
    (also C-callable), for users outside dc-compile's C API. A caller in the
    module (a test harness) gets one 64-byte aligned workspace, initialised
    by a checked call of `@dc_init`, freed at its returns. Scratch offsets
    are not shared between buffers yet (no liveness-based reuse).

    An allocation with dynamic sizes or inside a loop or other region is
    reported as an error.
  }];
  let options = [
    ListOption<"entries", "entry", "std::string",
               "The functions to plan (default: forward); they share the "
               "slots, and their scratch overlaps (they never run at once on "
               "one workspace)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::memref::MemRefDialect"];
}

def DCFoldTransposes : Pass<"dc-fold-transposes"> {
  let summary = "Read transposed operands of contractions through their maps";
  let description = [{
    On tensors: an input of a contraction (`linalg::isaContractionOpInterface`,
    named or generic) produced by a transpose (`linalg.transpose`, or a
    generic that only permutes: `linalg::isaTransposeOpInterface`) is
    replaced by the transpose's input, and the contraction's indexing map
    for it by the transpose's map composed with it. Front ends write every
    fully connected layer as `matmul(x, transpose(W))`; after this the
    contraction reads `W` as stored and no transposed copy is made, and
    `convert-linalg-to-blas` turns the permuted map into a transpose flag.
    Named contractions are generalized where a transpose is folded into them.
    Transposes left without users are erased. Operands a generic does not
    read are dropped first (upstream's
    `populateEraseUnusedOperandsAndResultsPatterns`): the adjoints
    dc-differentiate builds carry every operand of the op they differentiate
    and are contractions only without the unread ones. The fold itself is
    `populateFoldTransposesPatterns`
    (include/dc/Dialect/DC/Transforms/Patterns.h).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DCConvToIm2col : Pass<"dc-conv-to-im2col"> {
  let summary = "Rewrite convolutions as a patch copy and a contraction";
  let description = [{
    On tensors: every convolution (a named `linalg.conv_*` op, generalized
    here, or a generic whose body is `out + a * b` with one input read
    through a window map `oh * s + kh * d`) becomes two generics:

    - the patches (im2col): a copy of the window input into a tensor with
      one dimension per loop the window map uses, in loop order (for
      `conv_2d_nchw_fchw`: `[n, oh, ow, c, kh, kw]`), all loops parallel;
    - the same contraction reading the patches through a projected
      permutation, which `convert-linalg-to-blas` turns into sgemm calls.

    dc-train runs it before `dc-differentiate`, so the adjoints of the
    contraction are contractions too and the adjoint of the copy is a
    cheap gather (docs/Training.md). The patches cost memory: |output| x
    kernel size elements per convolution.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DCRelayoutConstants : Pass<"dc-relayout-constants"> {
  let summary = "Lay constant operands of linalg ops out in the order the "
                "vector loops read them";
  let description = [{
    On tensors: where a linalg op (named or generic) reads a dense constant
    (`arith.constant`, inline `dense<>` or `dense_resource`, no sparse
    encoding) through a projected permutation that uses the loop indexing
    the output's innermost dimension, but not in its own innermost
    dimension, the constant is replaced by a copy permuted at compile time
    so that this loop indexes its innermost dimension, and the map by the
    permuted map. `dc-vectorize` vectorises along the output's innermost
    dimension: after this a fully connected layer `x * W^T` (W stored
    `[out, in]`, read by `dc-fold-transposes` through a permuted map) reads
    `W^T` rows contiguously with broadcast-FMA, and a `conv_2d_nhwc_fhwc`
    filter becomes `[kh, kw, c, f]`. No weight is re-laid out at run time.
    A constant with other users is copied, not changed.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def DCVectorize : Pass<"dc-vectorize"> {
  let summary = "Lower dense linalg ops on buffers to register-tiled vector "
                "loops";
  let description = [{
    After bufferization, before `convert-linalg-to-loops`: every linalg op
    (named or generic) on memrefs of static shape whose body is elementwise
    arith/math and whose output's innermost dimension is a parallel loop
    `v` with unit stride becomes scf loops over vector code along `v`:

    - an input whose innermost index is `v + e` (unit coefficient, unit
      stride) is read with `vector.load`; an input that does not use `v` is
      read as a scalar and broadcast; any other input makes the op stay
      as it is (scalar loops);
    - a register dimension `r` (a parallel loop that the vector-read inputs
      do not use but a broadcast one does: the rows of a matmul, the output
      channels of a convolution) is unrolled by `R`, `v` by `U` vectors,
      and the `R x U` accumulators are carried through the reduction loops
      (`scf.for` iter_args) and stored once; the body is cloned on vectors
      with `contract` fast-math on multiplies and adds, so they become FMAs;
    - the remainder of `v` is covered by narrower vectors (powers of two)
      and one masked vector, the remainder of `r` by a narrower tile;
    - a long reduction over a large vector-read input is blocked
      (`reduction-block` iterations by `column-block` elements of `v`) so
      that the block stays in the L2 cache while every row reads it.

    Matmuls (`C[m,n] += A[m,k] B[k,n]`, batch 1 is a matvec), direct
    stride-1 convolutions (NCHW: `v = ow`, `r = f`; NHWC: `v = f`,
    `r = ow`), depthwise convolutions, bias, ReLU, batch-norm and copies
    all take this path. `vector-bits` is the target's vector register width
    (512 for AVX-512, 256 for AVX2, 128 for SSE and NEON; 0 leaves every op
    as it is) and `registers` the number of vector registers (32 or 16),
    which bounds `R x U`.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"256",
           "Vector register width in bits (0 = off)">,
    Option<"registers", "registers", "unsigned", /*default=*/"16",
           "Vector registers of the target (bounds the register tile)">,
    Option<"reductionBlock", "reduction-block", "int64_t",
           /*default=*/"256",
           "Reduction iterations per cache block of a large input">,
    Option<"columnBlock", "column-block", "int64_t", /*default=*/"512",
           "Elements of the vector dimension per cache block">,
    Option<"avx512Permute", "avx512-permute", "bool", /*default=*/"false",
           "x86 with AVX-512 only: a 16-lane lookup in a constant table of "
           "up to 32 f32 entries (a codebook) is a vpermps / vpermi2ps in "
           "registers instead of a vector.gather">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // DC_DIALECT_DC_TRANSFORMS_PASSES_TD
