//===- DCAttrs.h - dc attributes and enums ----------------------*- C++ -*-===//

#ifndef DC_DIALECT_DC_IR_DCATTRS_H
#define DC_DIALECT_DC_IR_DCATTRS_H

#include "dc/Codec/Format.h"
#include "dc/Dialect/DC/IR/DCDialect.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "dc/Dialect/DC/IR/DCEnums.h.inc"

namespace mlir {
class AsmParser;
namespace dc {
/// A non-negative integer below 2^16 (the attributes' bit and byte counts):
/// "expected a non-negative count below 65536, got -3" otherwise.
FailureOr<unsigned> parseCountParameter(AsmParser &parser);
} // namespace dc
} // namespace mlir

#define GET_ATTRDEF_CLASSES
#include "dc/Dialect/DC/IR/DCAttrs.h.inc"

#endif // DC_DIALECT_DC_IR_DCATTRS_H
