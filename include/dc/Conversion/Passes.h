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
#include "mlir/Pass/Pass.h"

namespace mlir::dc {

/// Where convert-dc-to-sparse-tensor decodes payloads (its `decode-at`).
enum class DecodeAt {
  Compile, ///< now: the module embeds the run-time layout
  Init,    ///< by the generated @dc_init at run time
};

#define GEN_PASS_DECL
#include "dc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dc/Conversion/Passes.h.inc"

} // namespace mlir::dc

#endif // DC_CONVERSION_PASSES_H
