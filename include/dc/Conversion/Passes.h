//===- Passes.h - dc conversion passes --------------------------*- C++ -*-===//

#ifndef DC_CONVERSION_PASSES_H
#define DC_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
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
};

#define GEN_PASS_DECL
#include "dc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dc/Conversion/Passes.h.inc"

} // namespace mlir::dc

#endif // DC_CONVERSION_PASSES_H
