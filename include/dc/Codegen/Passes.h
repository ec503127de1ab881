//===- Passes.h - dc's CPU code generation passes ---------------*- C++ -*-===//
//
// The passes of include/dc/Codegen/Passes.td (docs/Lowering.md: where each
// runs in dc-lower-to-llvm); their mechanisms, for other pass pipelines, in
// Patterns.h.
//
//===----------------------------------------------------------------------===//

#ifndef DC_CODEGEN_PASSES_H
#define DC_CODEGEN_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
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
#include "dc/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dc/Codegen/Passes.h.inc"

} // namespace mlir::dc

#endif // DC_CODEGEN_PASSES_H
