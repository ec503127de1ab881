//===- DCDialect.h - The dc dialect -----------------------------*- C++ -*-===//

#ifndef DC_DIALECT_DC_IR_DCDIALECT_H
#define DC_DIALECT_DC_IR_DCDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dc/Dialect/DC/IR/DCOpsDialect.h.inc"

#endif // DC_DIALECT_DC_IR_DCDIALECT_H
