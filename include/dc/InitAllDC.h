//===- InitAllDC.h - Register everything dc provides ------------*- C++ -*-===//
//
// One place that registers the dc dialect and passes; used by dc-opt, the
// mlir-opt plugin and (later) dc-compile.
//
//===----------------------------------------------------------------------===//

#ifndef DC_INITALLDC_H
#define DC_INITALLDC_H

#include "dc/Autodiff/Passes.h"
#include "dc/Codegen/Passes.h"
#include "dc/Conversion/Passes.h"
#include "dc/Dialect/DC/IR/DCDialect.h"
#include "dc/Dialect/DC/Transforms/Passes.h"
#include "dc/Pipelines/Pipelines.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"

namespace mlir::dc {

/// Adds the dc dialect (and the dialects its passes create) to `registry`.
inline void registerAllDCDialects(DialectRegistry &registry) {
  registry.insert<DCDialect, arith::ArithDialect>();
}

/// Registers every dc pass and pipeline with the global pass registry.
inline void registerAllDCPasses() {
  registerDCPasses();
  registerDCAutodiffPasses();
  registerDCCodegenPasses();
  registerDCConversionPasses();
  registerDCPipelines();
}

} // namespace mlir::dc

#endif // DC_INITALLDC_H
