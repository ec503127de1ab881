//===- Passes.td - dc's CPU code generation passes ----------*- tablegen -*-===//
//
// The passes dc-lower-to-llvm (lib/Pipelines) runs between the compressed
// model and the LLVM dialect, besides the conversion of dc.decompress
// (include/dc/Conversion): on tensors, the layout of contractions and
// constants (fold-transposes, relayout-constants, conv-to-im2col); after
// bufferization, the buffers (copy-repeated-results, workspace), the dense
// vector loops (vectorize), the host BLAS calls of dc-train's step
// libraries (linalg-to-blas) and libm-free math (math-approximation).
//
//===----------------------------------------------------------------------===//

#ifndef DC_CODEGEN_PASSES_TD
#define DC_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

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
    (include/dc/Codegen/Patterns.h).
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

def ConvertLinalgToBlas : Pass<"convert-linalg-to-blas", "ModuleOp"> {
  let summary = "Call the host BLAS for f32 contractions on memrefs";
  let description = [{
    After bufferization, for dc-train's host step libraries (never for
    dc-compile's self-contained ones): every `linalg` op on memrefs that is a
    contraction by interface (`linalg::inferContractionDims` on a body
    `out + a * b` over f32) becomes calls of `dcrt_host_sgemm`
    (include/dc/Runtime/Decode.h), which computes C += op(A) op(B) with
    `cblas_sgemm` in row-major order. Several M (N, K) loops collapse into
    one dimension where their strides nest in every operand that uses them
    (an im2col'd convolution's `oh, ow` and `c, kh, kw`); batch loops, and
    M/N/K loops that do not nest (the batch of an NCHW convolution), become
    `scf.for` loops around the call.

    The transpose flags and leading dimensions come from each operand's
    indexing map and its memref's static strides: an operand whose K (for A)
    or N (for B) stride is 1 is used as stored, one whose other stride is 1
    is transposed, and an output whose M stride is 1 is computed as its
    transpose (C^T += B^T A^T). A contraction whose operands have no unit
    stride, dynamic strides, another element type or more dimensions is left
    to the loops (`convert-linalg-to-loops`), with a remark when
    `report-unmatched` is set.
  }];
  let options = [
    Option<"reportUnmatched", "report-unmatched", "bool", /*default=*/"false",
           "Emit a remark at every contraction left to the loops">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def DCInlineScalarResources : Pass<"dc-inline-scalar-resources"> {
  let summary = "Make rank-0 dense_resource constants inline dense<>";
  let description = [{
    A scalar (rank-0) `dense_resource` constant aborts upstream's
    `memref.global` lowering (MLIR 22: "ElementsAttr does not provide
    iteration facilities"); this pass rewrites every such `arith.constant`
    to an inline `dense<>` of the same value. Elided resources (no blob)
    and blobs of the wrong size are left to the lowering, which reports
    them. dc-lower-to-llvm runs it first.
  }];
}

def DCStripArgAttributes : Pass<"dc-strip-arg-attributes", "::mlir::LLVM::LLVMFuncOp"> {
  let summary = "Drop dc's argument attributes from llvm.func";
  let description = [{
    dc's argument attributes (`dc.param`, `dc.param_kind`: which arguments
    of a training step are trained parameters) mean nothing to LLVM, and the
    translation to LLVM IR would warn about each one. dc-compile runs this
    right before the translation (after `--emit=mlir`, which keeps them).
  }];
}

def DCMathApproximation : Pass<"dc-math-approximation",
                                "::mlir::func::FuncOp"> {
  let summary = "Replace math functions by polynomial approximations";
  let description = [{
    `math.exp`, `math.tanh`, `math.erf`, `math.log`, ... (and `math.powf`
    through exp and log, with its sign and special cases: upstream's
    expansion) become upstream's polynomial approximations
    (`populateMathPolynomialApproximationPatterns`, what mlir-opt's
    `test-math-polynomial-approximation` applies; upstream has no pass
    around the patterns): a self-contained library has no libm to call, and
    the sigmoid, tanh and softmax of imported models need them. The
    approximations use `math.fma`, which becomes a call of `fmaf` on a
    target without FMA instructions: it is expanded into a multiply and an
    add last. The mechanisms are upstream's
    (`math::populateExpansionPatterns`,
    `populateMathPolynomialApproximationPatterns`), applied in that order.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // DC_CODEGEN_PASSES_TD
