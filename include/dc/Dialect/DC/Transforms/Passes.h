//===- Passes.h - dc transformation passes ----------------------*- C++ -*-===//

#ifndef DC_DIALECT_DC_TRANSFORMS_PASSES_H
#define DC_DIALECT_DC_TRANSFORMS_PASSES_H

#include "dc/Dialect/DC/Transforms/Forms.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::dc {

#define GEN_PASS_DECL
#include "dc/Dialect/DC/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dc/Dialect/DC/Transforms/Passes.h.inc"

} // namespace mlir::dc

#endif // DC_DIALECT_DC_TRANSFORMS_PASSES_H
