//===- Differentiate.cpp - dc-differentiate -------------------------------===//
//
// A thin pass over dc/Training/Autodiff.h.
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/Transforms/Passes.h"
#include "dc/Training/Autodiff.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCDIFFERENTIATE
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {
struct DCDifferentiatePass
    : public mlir::dc::impl::DCDifferentiateBase<DCDifferentiatePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(function);
    if (!func) {
      module.emitError() << "dc-differentiate: no function @" << function;
      return signalPassFailure();
    }
    std::string gradName = name.empty() ? function + "_grad" : name;
    if (module.lookupSymbol(gradName)) {
      func.emitError() << "dc-differentiate: @" << gradName
                       << " already exists";
      return signalPassFailure();
    }
    if (failed(buildGradientFunction(func, gradName)))
      signalPassFailure();
  }
};
} // namespace
