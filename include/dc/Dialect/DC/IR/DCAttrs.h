//===- DCAttrs.h - dc attributes and enums ----------------------*- C++ -*-===//

#ifndef DC_DIALECT_DC_IR_DCATTRS_H
#define DC_DIALECT_DC_IR_DCATTRS_H

#include "dc/Codec/Format.h"
#include "dc/Dialect/DC/IR/DCDialect.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "dc/Dialect/DC/IR/DCEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dc/Dialect/DC/IR/DCAttrs.h.inc"

#endif // DC_DIALECT_DC_IR_DCATTRS_H
