//===- FoldParameters.cpp - dc-fold-parameters ----------------------------===//
//
// The inverse of dc-parametrize: the constants of @<function>.params go back
// where they stood and replace the dc.param arguments.
//
//===----------------------------------------------------------------------===//

#include "dc/Autodiff/Parameters.h"
#include "dc/Autodiff/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/BitVector.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCFOLDPARAMETERS
#include "dc/Autodiff/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {
struct DCFoldParametersPass
    : public mlir::dc::impl::DCFoldParametersBase<DCFoldParametersPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(function);
    std::string paramsName = paramsFunctionName(function);
    auto holder = module.lookupSymbol<func::FuncOp>(paramsName);
    if (!func || func.isExternal() || !holder || holder.isExternal()) {
      module.emitError() << getArgument() << ": @" << function
                         << " is not parametrized (no @" << paramsName
                         << " with a body)";
      return signalPassFailure();
    }
    auto positions =
        holder->getAttrOfType<DenseI64ArrayAttr>(kParamPositionsAttrName);
    auto ret = dyn_cast<func::ReturnOp>(holder.getBody().front().back());
    size_t n = holder.getNumResults();
    if (!positions || size_t(positions.size()) != n || !ret ||
        func.getNumArguments() < n) {
      holder.emitError() << "malformed parameter function (see "
                            "docs/Training.md)";
      return signalPassFailure();
    }
    SmallVector<arith::ConstantOp> constants;
    for (unsigned i = 0; i < n; ++i) {
      auto c = ret.getOperand(i).getDefiningOp<arith::ConstantOp>();
      if (!c || c->getBlock() != ret->getBlock() ||
          !func.getArgAttr(i, kParamAttrName) ||
          c.getType() != func.getArgument(i).getType()) {
        holder.emitError() << "result " << i
                           << " is not a constant for the dc.param argument "
                           << i << " of @" << function;
        return signalPassFailure();
      }
      constants.push_back(c);
    }

    // Back in place, in order of their old positions.
    SmallVector<unsigned> order(n);
    for (unsigned i = 0; i < n; ++i)
      order[i] = i;
    llvm::sort(order, [&](unsigned a, unsigned b) {
      return positions[a] < positions[b];
    });
    Block &entry = func.getBody().front();
    for (unsigned i : order) {
      auto it = entry.begin();
      for (int64_t k = 0; k < positions[i] && std::next(it) != entry.end(); ++k)
        ++it;
      constants[i]->moveBefore(&entry, it);
      func.getArgument(i).replaceAllUsesWith(constants[i].getResult());
    }
    llvm::BitVector erase(func.getNumArguments());
    erase.set(0, n);
    if (failed(func.eraseArguments(erase))) {
      func.emitError() << "cannot remove the parameter arguments";
      return signalPassFailure();
    }
    if (ArrayAttr argAttrs = func.getAllArgAttrs();
        argAttrs && llvm::all_of(argAttrs, [](Attribute a) {
          return cast<DictionaryAttr>(a).empty();
        }))
      func.removeArgAttrsAttr();

    // Callers: drop the values of @<function>.params.
    std::optional<SymbolTable::UseRange> uses =
        SymbolTable::getSymbolUses(func.getSymNameAttr(), module);
    if (uses) {
      for (const SymbolTable::SymbolUse &use : *uses) {
        auto call = dyn_cast<func::CallOp>(use.getUser());
        if (!call || call.getNumOperands() < n)
          continue;
        Operation *get = call.getOperand(0).getDefiningOp();
        call->setOperands(call.getOperands().drop_front(n));
        if (get && get->use_empty() && isa<func::CallOp>(get))
          get->erase();
      }
    }
    holder.erase();
  }
};
} // namespace
