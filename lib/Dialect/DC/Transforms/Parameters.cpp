//===- Parameters.cpp - The trainable constants of a model ----------------===//

#include "dc/Dialect/DC/Transforms/Parameters.h"
#include "dc/Dialect/DC/Transforms/Compression.h"

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
      p.kind = ParamKind::Bias;
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
