//===- Parameters.cpp - The trainable constants of a model ----------------===//

#include "dc/Autodiff/Parameters.h"
#include "dc/Dialect/DC/Analysis/Weights.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::dc;

StringRef mlir::dc::stringifyParamKind(ParamKind kind) {
  switch (kind) {
  case ParamKind::Weight:
    return "weight";
  case ParamKind::MaskedWeight:
    return "masked-weight";
  case ParamKind::Codebook:
    return "codebook";
  case ParamKind::Bias:
    return "bias";
  case ParamKind::Statistic:
    return "statistic";
  }
  return "";
}

std::string mlir::dc::paramsFunctionName(StringRef func) {
  return (func + ".params").str();
}

static std::optional<std::string> blobKeyOf(arith::ConstantOp op) {
  if (auto r = dyn_cast<DenseResourceElementsAttr>(op.getValue()))
    return r.getRawHandle().getKey().str();
  return std::nullopt;
}

/// Whether `v` reaches, through broadcasts and copies, a linalg body that
/// subtracts it (a running mean) or takes a square root of it plus a
/// constant (a running variance).
static bool isStatistic(Value v, unsigned depth = 0) {
  if (depth > 4)
    return false;
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (auto b = dyn_cast<linalg::BroadcastOp>(user)) {
      if (use.getOperandNumber() == 0 &&
          isStatistic(b->getResult(0), depth + 1))
        return true;
      continue;
    }
    auto g = dyn_cast<linalg::GenericOp>(user);
    if (!g || !g.isDpsInput(&use))
      continue;
    BlockArgument arg = g.getMatchingBlockArgument(&use);
    auto yield = cast<linalg::YieldOp>(g.getBody()->getTerminator());
    for (auto [i, y] : llvm::enumerate(yield.getOperands()))
      if (y == arg && isStatistic(g->getResult(i), depth + 1))
        return true;
    for (OpOperand &u : arg.getUses()) {
      Operation *op = u.getOwner();
      if (isa<arith::SubFOp>(op) && u.getOperandNumber() == 1)
        return true;
      if (isa<math::SqrtOp, math::RsqrtOp>(op))
        return true;
      if (isa<arith::AddFOp>(op) &&
          llvm::any_of(op->getResult(0).getUsers(), [](Operation *r) {
            return isa<math::SqrtOp, math::RsqrtOp>(r);
          }))
        return true;
    }
  }
  return false;
}

SmallVector<Parameter> mlir::dc::findParameters(func::FuncOp func) {
  // The weight analysis of the compression passes says what each weight
  // constant is; it works on modules, so look at this function's part.
  llvm::DenseMap<Operation *, std::pair<ParamKind, std::string>> roles;
  llvm::DenseSet<Operation *> notParams;
  ModuleOp module = func->getParentOfType<ModuleOp>();
  for (const WeightUse &use : findWeights(module)) {
    if (!func->isProperAncestor(use.constant))
      continue;
    switch (use.form) {
    case WeightForm::Dense:
      roles[use.constant] = {ParamKind::Weight, use.name + ".weight"};
      break;
    case WeightForm::Pruned:
      roles[use.constant] = {ParamKind::MaskedWeight, use.name + ".weight"};
      notParams.insert(use.mask);
      break;
    case WeightForm::Quantized:
    case WeightForm::CodebookGather:
      roles[use.codebook] = {ParamKind::Codebook, use.name + ".codebook"};
      notParams.insert(use.constant);
      if (use.mask)
        notParams.insert(use.mask);
      break;
    }
  }
  SmallVector<Parameter> params;
  llvm::StringSet<> names;
  unsigned biases = 0;
  func.walk([&](arith::ConstantOp op) {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || !type.getElementType().isF32() || notParams.contains(op))
      return;
    Parameter p;
    p.constant = op;
    auto role = roles.find(op);
    if (role != roles.end()) {
      p.kind = role->second.first;
      p.name = role->second.second;
      p.layer = p.name.substr(0, p.name.rfind('.'));
    } else {
      auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
      if (type.getNumElements() < 2 || (dense && dense.isSplat()))
        return;
      p.kind =
          isStatistic(op.getResult()) ? ParamKind::Statistic : ParamKind::Bias;
      if (std::optional<std::string> key = blobKeyOf(op))
        p.name = *key;
      else if (auto loc = dyn_cast<NameLoc>(op.getLoc()))
        p.name = loc.getName().str();
      else
        p.name = "bias" + std::to_string(biases);
      ++biases;
    }
    std::string unique = p.name;
    for (unsigned i = 1; !names.insert(unique).second; ++i)
      unique = p.name + "_" + std::to_string(i);
    p.name = unique;
    params.push_back(std::move(p));
  });
  return params;
}
