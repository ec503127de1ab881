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
    bool ce = loss != LossOption::None;
    if (loss == LossOption::Distillation &&
        (!(temperature > 0) || !(alpha >= 0 && alpha <= 1))) {
      module.emitError() << "dc-differentiate: distillation needs "
                            "temperature > 0 and alpha in [0, 1]";
      return signalPassFailure();
    }
    std::string gradName = !name.empty() ? name.getValue()
                           : ce          ? "train_step"
                                         : function + "_grad";
    for (StringRef symbol : {StringRef(gradName), StringRef("train_loss")}) {
      if (symbol == "train_loss" && !ce)
        continue;
      Operation *existing = module.lookupSymbol(symbol);
      if (!existing)
        continue;
      // A declaration (for callers written before the pass) is filled in.
      if (auto decl = dyn_cast<func::FuncOp>(existing);
          decl && decl.isExternal()) {
        decl.erase();
        continue;
      }
      func.emitError() << "dc-differentiate: @" << symbol << " already exists";
      return signalPassFailure();
    }
    TrainLoss trainLoss;
    trainLoss.distillation = loss == LossOption::Distillation;
    trainLoss.temperature = temperature;
    trainLoss.alpha = alpha;
    if (ce ? failed(buildTrainStep(func, gradName, "train_loss", trainLoss))
           : failed(buildGradientFunction(func, gradName)))
      signalPassFailure();
  }
};
} // namespace
