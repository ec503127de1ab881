//===- DCOps.h - dc operations ----------------------------------*- C++ -*-===//

#ifndef DC_DIALECT_DC_IR_DCOPS_H
#define DC_DIALECT_DC_IR_DCOPS_H

#include "dc/Dialect/DC/IR/DCTypes.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dc/Dialect/DC/IR/DCOps.h.inc"

#endif // DC_DIALECT_DC_IR_DCOPS_H
