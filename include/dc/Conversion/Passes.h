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
};

#define GEN_PASS_DECL
#include "dc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dc/Conversion/Passes.h.inc"

} // namespace mlir::dc

#endif // DC_CONVERSION_PASSES_H
