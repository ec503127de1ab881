//===- Differentiate.cpp - dc-differentiate -------------------------------===//
//
// A thin pass over dc/Autodiff/Autodiff.h.
//
//===----------------------------------------------------------------------===//

#include "dc/Autodiff/Autodiff.h"
#include "dc/Autodiff/Passes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCDIFFERENTIATE
#include "dc/Autodiff/Passes.h.inc"
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
      module.emitError() << getArgument() << ": no function @" << function;
      return signalPassFailure();
    }
    bool ce = loss != LossOption::None;
    if (loss == LossOption::Distillation &&
        (!(temperature > 0) || !(alpha >= 0 && alpha <= 1))) {
      module.emitError() << getArgument()
                         << ": distillation needs "
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
      func.emitError() << getArgument() << ": @" << symbol << " already exists";
      return signalPassFailure();
    }
    TrainLoss trainLoss;
    trainLoss.distillation = loss == LossOption::Distillation;
    trainLoss.temperature = temperature;
    trainLoss.alpha = alpha;
    if (ce ? failed(buildTrainStep(func, gradName, "train_loss", trainLoss,
                                   getArgument()))
           : failed(buildGradientFunction(func, gradName, getArgument())))
      signalPassFailure();
  }
};
} // namespace

StringRef mlir::dc::differentiatePassName() {
  return DCDifferentiatePass::getArgumentName();
}
