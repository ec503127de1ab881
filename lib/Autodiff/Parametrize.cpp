//===- Parametrize.cpp - dc-parametrize -----------------------------------===//
//
// Trainable constants become the leading arguments of a function; their
// values move, as the very same ops, into @<function>.params, which returns
// them (docs/Training.md, "Parameters").
//
//===----------------------------------------------------------------------===//

#include "dc/Autodiff/Parameters.h"
#include "dc/Autodiff/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCPARAMETRIZE
#include "dc/Autodiff/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {
struct DCParametrizePass
    : public mlir::dc::impl::DCParametrizeBase<DCParametrizePass> {
  using Base::Base;

  bool selected(const Parameter &p) {
    bool kind = p.kind == ParamKind::Weight         ? weights
                : p.kind == ParamKind::MaskedWeight ? maskedWeights
                : p.kind == ParamKind::Codebook     ? codebooks
                : p.kind == ParamKind::Statistic    ? statistics
                                                    : biases;
    if (!kind)
      return false;
    return layers.empty() || llvm::is_contained(layers, p.layer) ||
           llvm::is_contained(layers, p.name);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(function);
    if (!func || func.isExternal()) {
      module.emitError() << getArgument() << ": no function @" << function
                         << " with a body";
      return signalPassFailure();
    }
    std::string paramsName = paramsFunctionName(function);
    if (module.lookupSymbol(paramsName)) {
      func.emitError() << "@" << function << " is already parametrized (@"
                       << paramsName << " exists)";
      return signalPassFailure();
    }
    Block &entry = func.getBody().front();
    SmallVector<Parameter> params;
    for (Parameter &p : findParameters(func)) {
      if (!selected(p))
        continue;
      if (p.constant->getBlock() != &entry) {
        p.constant.emitWarning()
            << "parameter '" << p.name << "' is not in the entry block of @"
            << function << ": left a constant";
        continue;
      }
      params.push_back(std::move(p));
    }
    if (params.empty()) {
      func.emitWarning() << getArgument() << ": no parameters selected in @"
                         << function;
      return;
    }

    // Where each constant stood, before any moves.
    llvm::DenseMap<Operation *, int64_t> index;
    int64_t i = 0;
    for (Operation &op : entry)
      index[&op] = i++;
    SmallVector<int64_t> positions;
    SmallVector<Type> types;
    for (Parameter &p : params) {
      positions.push_back(index[p.constant]);
      types.push_back(p.constant.getType());
    }

    // @<function>.params() -> (values...), right after the function.
    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(func);
    auto holder = func::FuncOp::create(b, func.getLoc(), paramsName,
                                       b.getFunctionType({}, types));
    holder.setPrivate();
    holder->setAttr(kParamsOfAttrName,
                    FlatSymbolRefAttr::get(func.getSymNameAttr()));
    holder->setAttr(kParamPositionsAttrName, b.getDenseI64ArrayAttr(positions));
    Block *body = holder.addEntryBlock();
    b.setInsertionPointToEnd(body);
    auto ret = func::ReturnOp::create(b, func.getLoc(), ValueRange{});

    // The leading arguments of the function, named.
    SmallVector<unsigned> at(params.size(), 0);
    SmallVector<DictionaryAttr> attrs;
    SmallVector<Location> locs;
    for (Parameter &p : params) {
      attrs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr(kParamAttrName, b.getStringAttr(p.name)),
           b.getNamedAttr(kParamKindAttrName,
                          b.getStringAttr(stringifyParamKind(p.kind)))}));
      locs.push_back(p.constant.getLoc());
    }
    if (failed(func.insertArguments(at, types, attrs, locs))) {
      func.emitError() << "cannot add the parameter arguments";
      return signalPassFailure();
    }
    SmallVector<Value> values;
    for (auto [n, p] : llvm::enumerate(params)) {
      p.constant.getResult().replaceAllUsesWith(func.getArgument(n));
      p.constant->moveBefore(ret);
      values.push_back(p.constant.getResult());
    }
    ret->setOperands(values);

    // Callers pass the values of @<function>.params.
    std::optional<SymbolTable::UseRange> uses =
        SymbolTable::getSymbolUses(func.getSymNameAttr(), module);
    for (const SymbolTable::SymbolUse &use : uses.value_or(
             SymbolTable::UseRange(std::vector<SymbolTable::SymbolUse>()))) {
      if (use.getUser() == holder.getOperation())
        continue; // its dc.params_of
      auto call = dyn_cast<func::CallOp>(use.getUser());
      if (!call) {
        use.getUser()->emitError()
            << "@" << function << " is used other than by func.call";
        return signalPassFailure();
      }
      OpBuilder cb(call);
      auto get = func::CallOp::create(cb, call.getLoc(), holder);
      SmallVector<Value> operands(get.getResults());
      llvm::append_range(operands, call.getOperands());
      call->setOperands(operands);
    }
  }
};
} // namespace

StringRef mlir::dc::parametrizePassName() {
  return DCParametrizePass::getArgumentName();
}
