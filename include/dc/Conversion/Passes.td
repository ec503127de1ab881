//===- Passes.td - dc conversion passes --------------------*- tablegen -*-===//

#ifndef DC_CONVERSION_PASSES_TD
#define DC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertDCToSparseTensor : Pass<"convert-dc-to-sparse-tensor", "ModuleOp"> {
  let summary = "Compute on compressed weights through the sparse_tensor "
                "dialect";
  let description = [{
    Rewrites every `dc.decompress(dc.constant)` so that no dense weight
    exists at run time where the upstream sparsifier can compute on the
    compressed form:

    - A 2-D `csr` or `csc` weight consumed only by linalg contractions
      (directly or through a 2-D `linalg.transpose`) becomes a
      `sparse_tensor.assemble` of run-time arrays — positions (i32),
      coordinates (i16 when the minor dimension fits, else i32) and one
      codebook index per entry (i8, or i16 for larger codebooks) — and each
      contraction becomes a `linalg.generic` on that sparse tensor whose body
      looks the codebook up in a `sparse_tensor.unary` present region, so the
      sparsifier fuses decode and multiply-add into one loop over the stored
      entries.
    - Any other use (dense layout, convolutions, other consumers) is decoded
      once into a dense constant, as `dc-materialize` does.

    Each weight first gets its run-time layout, a `#dc.runtime` attribute on
    the `dc.decompress` (kept when already there, as
    `dc-choose-runtime-layout` or a user wrote it; else chosen as that pass
    does): the form (`csr`, `grid`, `dense`), the kernel, and the arrays'
    element sizes. Everything after reads that one attribute: the rewrite
    patterns (`populateDCSparseKernelPatterns`,
    `populateDCDenseFallbackPatterns` in include/dc/Conversion/
    DCToSparseTensor.h), the arrays' and workspace slots' sizes, and the
    arguments of `@dc_init`'s decoder calls. A layout the weight's reads do
    not fit is an error at its `dc.decompress`.

    With `fc-kernel` and `conv-kernel` other than `sparsifier`, dc's own
    loops replace the sparsifier's (lib/Conversion/DCToSparseTensor/
    FcKernel.cpp, docs/Lowering.md): for fully connected layers a row loop
    with 4 accumulators (batches as vectors over a transposed input), a
    gather loop, or the dense-quantized grid stored `[in, out]` for
    `dc-vectorize`, chosen per layer by a cost model with `auto`; for
    pruned convolutions a loop over each filter's kept weights (stride-1
    NCHW), or the grid read by the dense convolution (`indices`,
    `decode`).

    Where the run-time arrays (and dense fallbacks) come from is
    `decode-at`:

    - `compile`: the codec decodes the payload now; the arrays are
      `dense_resource` constants (the module embeds the run-time layout).
    - `init`: the module embeds the stored payload (the streams stay
      `dense_resource` constants) and a function `@dc_init() -> i32` decodes
      it, once, with the freestanding run-time routines of
      include/dc/Runtime/Decode.h, into named buffers (`memref.alloc` with a
      `dc.slot` attribute) that the kernels read; `dc-workspace` later puts
      those slots at the same place of the caller's workspace for `@dc_init`
      and the entry function. `@dc_init` returns 0, or the decoder's error.

    A payload that does not decode is an error at its `dc.constant`, in both
    modes (with `init` it is checked by the codec at compile time, so a
    compiled model never fails in `@dc_init` for a payload dc wrote).
  }];
  let options = [
    Option<"decodeAt", "decode-at", "::mlir::dc::DecodeAt",
           /*default=*/"::mlir::dc::DecodeAt::Compile",
           "When payloads are decoded", [{::llvm::cl::values(
             clEnumValN(::mlir::dc::DecodeAt::Compile, "compile",
                        "by the compiler: the module embeds the run-time "
                        "layout (the default)"),
             clEnumValN(::mlir::dc::DecodeAt::Init, "init",
                        "by the generated @dc_init at run time, from the "
                        "stored payload"))}]>,
    Option<"fcKernel", "fc-kernel", "::mlir::dc::FcKernel",
           /*default=*/"::mlir::dc::FcKernel::Sparsifier",
           "How a 2-D CSR fully connected layer is computed (the default: "
           "sparsifier)", [{::mlir::dc::fcKernelValues()}]>,
    Option<"convKernel", "conv-kernel", "::mlir::dc::ConvKernel",
           /*default=*/"::mlir::dc::ConvKernel::Sparsifier",
           "How a pruned convolution (a csr weight of rank 3 or more) is "
           "computed (the default: sparsifier)",
           [{::mlir::dc::convKernelValues()}]>,
    Option<"kernelVectorBits", "kernel-vector-bits", "unsigned",
           /*default=*/"512",
           "Vector width of the gather kernel, in bits">,
    Option<"avx512Permute", "avx512-permute", "bool", /*default=*/"false",
           "x86 with AVX-512 only: the 16-lane gather kernel looks a "
           "codebook of up to 32 entries up in registers (vpermps, "
           "vpermi2ps) instead of gathering it">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::sparse_tensor::SparseTensorDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::LLVM::LLVMDialect",
  ];
}

def DCChooseRuntimeLayout : Pass<"dc-choose-runtime-layout", "ModuleOp"> {
  let summary = "Choose each compressed weight's run-time layout";
  let description = [{
    Gives every `dc.decompress` without one a `dc.runtime` attribute, the
    `#dc.runtime` layout that `convert-dc-to-sparse-tensor` (which runs the
    same chooser itself) will lower it to: the run-time form (`csr`, `grid`
    of codebook indices, or `dense` f32), the kernel that computes on it and
    the arrays' element sizes. The choice follows how the weight is read
    (contractions, convolutions, through which views), the `fc-kernel` and
    `conv-kernel` options and, for fully connected layers with
    `fc-kernel=auto`, the cost model of docs/Lowering.md. A weight decoded
    to dense f32 gets a warning saying why.

    Run it to read the choices, or edit them: a hand-written `dc.runtime`
    is kept by both passes (a layout its reads do not fit is an error when
    lowered).
  }];
  let options = [
    Option<"fcKernel", "fc-kernel", "::mlir::dc::FcKernel",
           /*default=*/"::mlir::dc::FcKernel::Sparsifier",
           "How a 2-D CSR fully connected layer is computed (the default: "
           "sparsifier)", [{::mlir::dc::fcKernelValues()}]>,
    Option<"convKernel", "conv-kernel", "::mlir::dc::ConvKernel",
           /*default=*/"::mlir::dc::ConvKernel::Sparsifier",
           "How a pruned convolution (a csr weight of rank 3 or more) is "
           "computed (the default: sparsifier)",
           [{::mlir::dc::convKernelValues()}]>,
    Option<"kernelVectorBits", "kernel-vector-bits", "unsigned",
           /*default=*/"512",
           "Vector width of the gather kernel, in bits">,
  ];
}

#endif // DC_CONVERSION_PASSES_TD
