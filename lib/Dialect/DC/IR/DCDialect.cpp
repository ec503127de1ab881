//===- DCDialect.cpp - The dc dialect -------------------------------------===//

#include "dc/Dialect/DC/IR/DCDialect.h"
#include "dc/Dialect/DC/IR/DCOps.h"

using namespace mlir;
using namespace mlir::dc;

#include "dc/Dialect/DC/IR/DCOpsDialect.cpp.inc"

void DCDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dc/Dialect/DC/IR/DCOps.cpp.inc"
      >();
  registerAttributes();
  registerTypes();
}
