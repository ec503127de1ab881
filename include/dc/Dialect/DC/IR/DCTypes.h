//===- DCTypes.h - dc types -------------------------------------*- C++ -*-===//

#ifndef DC_DIALECT_DC_IR_DCTYPES_H
#define DC_DIALECT_DC_IR_DCTYPES_H

#include "dc/Dialect/DC/IR/DCAttrs.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#define GET_TYPEDEF_CLASSES
#include "dc/Dialect/DC/IR/DCOpsTypes.h.inc"

#endif // DC_DIALECT_DC_IR_DCTYPES_H
