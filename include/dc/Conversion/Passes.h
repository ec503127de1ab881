//===- Passes.h - dc conversion passes --------------------------*- C++ -*-===//

#ifndef DC_CONVERSION_PASSES_H
#define DC_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/CommandLine.h"

namespace mlir::dc {

/// Where convert-dc-to-sparse-tensor decodes payloads (its `decode-at`).
enum class DecodeAt {
  Compile, ///< now: the module embeds the run-time layout
  Init,    ///< by the generated @dc_init at run time
};

/// How convert-dc-to-sparse-tensor computes a 2-D CSR fully connected
/// layer (its `fc-kernel`).
enum class FcKernel {
  Sparsifier, ///< a sparse_tensor generic for the upstream sparsifier
  Rows,       ///< dc's row loop: 4 accumulators; batches as vectors
  Gather,     ///< dc's row loop over vectors of entries (vector.gather)
  Indices,    ///< the dense-quantized grid (transposed) for dc-vectorize
  Auto,       ///< per layer, by chooseFcForm's cost model
};

/// How convert-dc-to-sparse-tensor computes a pruned convolution (a CSR
/// weight of rank 3 or more; its `conv-kernel`).
enum class ConvKernel {
  Sparsifier, ///< a sparse_tensor generic for the upstream sparsifier
  Indices,    ///< the dense-quantized grid for dc's dense vector loops
  Decode,     ///< the grid, looked up into f32 scratch once per call
  Rows,       ///< dc's loop over each filter's kept weights (NCHW, stride 1)
  Auto,       ///< as Rows (dc-compile: Sparsifier for scalar builds)
};

/// The values of every `fc-kernel` option (the pass, dc-lower-to-llvm,
/// dc-compile), in one place.
inline llvm::cl::ValuesClass fcKernelValues() {
  return llvm::cl::values(
      clEnumValN(FcKernel::Sparsifier, "sparsifier",
                 "a sparse_tensor generic for the upstream sparsifier, one "
                 "accumulator a row"),
      clEnumValN(FcKernel::Rows, "rows",
                 "dc's loop per output row: 4 accumulators at batch 1; at "
                 "batch B each decoded weight multiplies B inputs at once"),
      clEnumValN(FcKernel::Gather, "gather",
                 "dc's loop per output row over vectors of entries: the "
                 "inputs and the codebook read with vector.gather (AVX-512); "
                 "batches as rows"),
      clEnumValN(FcKernel::Indices, "indices",
                 "the dense-quantized grid, [in, out]: one codebook index a "
                 "weight (pruned: a 0.0 entry), computed by the dense vector "
                 "loops"),
      clEnumValN(FcKernel::Auto, "auto",
                 "per layer: indices or the row kernel (gather at 512-bit "
                 "vectors once the input passes 8 KB), whichever the cost "
                 "model of docs/Lowering.md predicts faster"));
}

/// The values of every `conv-kernel` option.
inline llvm::cl::ValuesClass convKernelValues() {
  return llvm::cl::values(
      clEnumValN(ConvKernel::Sparsifier, "sparsifier",
                 "a sparse_tensor generic for the upstream sparsifier over "
                 "the kept weights"),
      clEnumValN(ConvKernel::Indices, "indices",
                 "the dense-quantized grid: one codebook index a weight (1 "
                 "byte up to 255 entries), the pruned ones a 0.0 entry, read "
                 "by the dense loops (dc-vectorize looks each broadcast "
                 "weight up once)"),
      clEnumValN(ConvKernel::Decode, "decode",
                 "the grid, looked up into an f32 scratch filter once per "
                 "call (16 weights at a time), which the dense convolution "
                 "reads"),
      clEnumValN(ConvKernel::Rows, "rows",
                 "dc's kernel for stride-1 NCHW convolutions: per output "
                 "channel a loop over its kept weights only, each broadcast "
                 "into up to 14 output rows (8 below AVX-512) x a vector "
                 "along ow (other "
                 "convolutions: indices)"),
      clEnumValN(ConvKernel::Auto, "auto",
                 "rows (dc-compile: sparsifier with --vectorize=false)"));
}

#define GEN_PASS_DECL
#include "dc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dc/Conversion/Passes.h.inc"

} // namespace mlir::dc

#endif // DC_CONVERSION_PASSES_H
