//===- Rebatch.cpp - dc-rebatch -------------------------------------------===//
//
// Finds, from the batched arguments, every value that carries the batch and
// in which dimension (forward through ops, backward into the inits and
// splat constants the ops need batched), then retypes them all at once.
// Nothing is changed until the whole function has been checked.
//
//===----------------------------------------------------------------------===//

#include "dc/Autodiff/Parameters.h"
#include "dc/Autodiff/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCREBATCH
#include "dc/Autodiff/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

/// Which dimension of each value is the batch, in discovery order.
class BatchAnalysis {
public:
  /// Diagnostics start with `passName`.
  BatchAnalysis(func::FuncOp func, StringRef passName)
      : func(func), passName(passName) {}

  LogicalResult run() {
    for (BlockArgument arg : func.getArguments())
      if (!func.getArgAttr(arg.getArgNumber(), kParamAttrName) &&
          isa<RankedTensorType>(arg.getType()))
        if (failed(mark(arg, 0, func)))
          return failure();
    for (Operation &op : func.getBody().front())
      if (failed(visit(&op)))
        return failure();
    return success();
  }

  llvm::MapVector<Value, int64_t> dims;

private:
  /// `v` carries the batch in dimension `dim` (demanded by `user`).
  LogicalResult mark(Value v, int64_t dim, Operation *user) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || dim >= type.getRank() || type.isDynamicDim(dim))
      return user->emitError()
             << passName << ": dimension " << dim
             << " of a static ranked tensor is expected to be the batch";
    auto [it, inserted] = dims.insert({v, dim});
    if (!inserted)
      return it->second == dim ? success()
                               : user->emitError()
                                     << passName
                                     << ": the batch would be both "
                                        "dimension "
                                     << it->second << " and " << dim;
    if (!inserted || isa<BlockArgument>(v))
      return success();
    // Backward: the producer must be able to make the batched value.
    Operation *def = v.getDefiningOp();
    if (isa<tensor::EmptyOp>(def))
      return success();
    if (auto c = dyn_cast<arith::ConstantOp>(def)) {
      auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
      if (dense && dense.isSplat())
        return success();
      return user->emitError()
             << passName << ": a non-splat constant would need the batch";
    }
    if (auto op = dyn_cast<linalg::LinalgOp>(def))
      return visitLinalg(op, /*demand=*/cast<OpResult>(v), dim);
    // Forward-discovered values (a result of an op with batched inputs)
    // are already handled by visit; anything else cannot be rebatched.
    if (visited.contains(def))
      return success();
    return user->emitError() << passName << ": '" << def->getName()
                             << "' would need to produce the batch";
  }

  /// The batch loop of a linalg op from its batched operands (and from
  /// `demand`, a result that must carry the batch at `demandDim`), then
  /// every operand and result that loop reaches.
  LogicalResult visitLinalg(linalg::LinalgOp op, OpResult demand = {},
                            int64_t demandDim = -1) {
    std::optional<unsigned> loop;
    auto bind = [&](OpOperand &operand, int64_t dim) -> LogicalResult {
      AffineMap map = op.getMatchingIndexingMap(&operand);
      AffineExpr e = map.getResult(dim);
      auto d = dyn_cast<AffineDimExpr>(e);
      if (!d) {
        std::string text;
        llvm::raw_string_ostream os(text);
        e.print(os);
        return op->emitError()
               << passName << ": operand " << operand.getOperandNumber()
               << " indexes the batch with '" << text
               << "', not a loop of its own";
      }
      if (loop && *loop != d.getPosition())
        return op->emitError() << passName
                               << ": operands disagree on the "
                                  "batch loop";
      loop = d.getPosition();
      return success();
    };
    for (OpOperand &operand : op->getOpOperands()) {
      auto it = dims.find(operand.get());
      if (it != dims.end() && failed(bind(operand, it->second)))
        return failure();
    }
    if (demand && failed(bind(op.getDpsInitsMutable()[demand.getResultNumber()],
                              demandDim)))
      return failure();
    visited.insert(op);
    if (!loop)
      return success();
    // Every operand indexed by the loop is batched, and so is every result
    // whose init is (a reduction over the batch drops it).
    for (OpOperand &operand : op->getOpOperands()) {
      AffineMap map = op.getMatchingIndexingMap(&operand);
      for (unsigned r = 0; r < map.getNumResults(); ++r)
        if (map.getResult(r) == getAffineDimExpr(*loop, op->getContext())) {
          if (failed(mark(operand.get(), r, op)))
            return failure();
          if (op.isDpsInit(&operand))
            if (failed(mark(op.getTiedOpResult(&operand), r, op)))
              return failure();
        }
    }
    return success();
  }

  LogicalResult visit(Operation *op) {
    if (visited.contains(op))
      return success();
    auto batched = [&](Value v) { return dims.find(v); };
    if (auto l = dyn_cast<linalg::LinalgOp>(op))
      return visitLinalg(l);
    bool anyBatched = llvm::any_of(op->getOperands(),
                                   [&](Value v) { return dims.count(v) != 0; });
    if (!anyBatched)
      return success();
    visited.insert(op);
    auto groupOf = [](ArrayRef<ReassociationIndices> groups,
                      int64_t dim) -> std::optional<int64_t> {
      for (auto [g, group] : llvm::enumerate(groups))
        if (llvm::is_contained(group, dim))
          return group.size() == 1 ? std::optional<int64_t>(g) : std::nullopt;
      return std::nullopt;
    };
    if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
      std::optional<int64_t> g =
          groupOf(c.getReassociationIndices(), batched(c.getSrc())->second);
      if (!g)
        return op->emitError() << passName
                               << ": the batch is merged with "
                                  "other dimensions";
      return mark(c.getResult(), *g, op);
    }
    if (auto e = dyn_cast<tensor::ExpandShapeOp>(op)) {
      int64_t dim = batched(e.getSrc())->second;
      ReassociationIndices group = e.getReassociationIndices()[dim];
      if (group.size() != 1)
        return op->emitError() << passName
                               << ": the batch is split into "
                                  "several dimensions";
      return mark(e.getResult(), group[0], op);
    }
    if (auto p = dyn_cast<tensor::PadOp>(op)) {
      int64_t dim = batched(p.getSource())->second;
      if (p.getStaticLow()[dim] != 0 || p.getStaticHigh()[dim] != 0)
        return op->emitError() << passName << ": the batch is padded";
      return mark(p.getResult(), dim, op);
    }
    if (auto c = dyn_cast<tensor::CastOp>(op))
      return mark(c.getResult(), batched(c.getSource())->second, op);
    if (isa<func::ReturnOp>(op))
      return success();
    return op->emitError() << passName << " cannot rebatch '" << op->getName()
                           << "'";
  }

  func::FuncOp func;
  StringRef passName;
  llvm::DenseSet<Operation *> visited;
};

struct DCRebatchPass : public mlir::dc::impl::DCRebatchBase<DCRebatchPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (batch <= 0) {
      module.emitError() << getArgument() << ": batch must be positive (got "
                         << int64_t(batch) << ")";
      return signalPassFailure();
    }
    auto func = module.lookupSymbol<func::FuncOp>(function);
    if (!func || func.isExternal() || !func.getBody().hasOneBlock()) {
      module.emitError() << getArgument() << ": no function @" << function
                         << " with a body of one block";
      return signalPassFailure();
    }
    // Callers would pass batch-1 values.
    if (std::optional<SymbolTable::UseRange> uses =
            SymbolTable::getSymbolUses(func.getSymNameAttr(), module)) {
      for (const SymbolTable::SymbolUse &use : *uses) {
        if (use.getUser()->hasAttr(kParamsOfAttrName))
          continue; // @<function>.params
        use.getUser()->emitError()
            << getArgument() << ": @" << function
            << " is used here; its callers would need rebatching too";
        return signalPassFailure();
      }
    }
    // Inits and splat constants shared by several users are given one copy
    // each first, so that batching one use does not batch the others.
    Block &body = func.getBody().front();
    for (Operation &op : llvm::make_early_inc_range(body)) {
      if (!isa<tensor::EmptyOp, arith::ConstantOp>(op) ||
          op.getNumResults() != 1 ||
          !isa<RankedTensorType>(op.getResult(0).getType()))
        continue;
      if (auto c = dyn_cast<arith::ConstantOp>(op)) {
        auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
        if (!dense || !dense.isSplat())
          continue;
      }
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : op.getResult(0).getUses())
        uses.push_back(&use);
      for (OpOperand *use : llvm::drop_begin(uses)) {
        OpBuilder b(&op);
        use->set(b.clone(op)->getResult(0));
      }
    }
    BatchAnalysis analysis(func, getArgument());
    if (failed(analysis.run()))
      return signalPassFailure();

    auto retype = [&](Type t, int64_t dim) {
      auto type = cast<RankedTensorType>(t);
      SmallVector<int64_t> shape(type.getShape());
      shape[dim] = batch;
      return RankedTensorType::get(shape, type.getElementType(),
                                   type.getEncoding());
    };
    for (auto [value, dim] : analysis.dims) {
      RankedTensorType type = retype(value.getType(), dim);
      if (auto c = value.getDefiningOp<arith::ConstantOp>()) {
        auto dense = cast<DenseElementsAttr>(c.getValue());
        OpBuilder b(c);
        auto splat = arith::ConstantOp::create(
            b, c.getLoc(),
            DenseElementsAttr::get(type, dense.getSplatValue<Attribute>()));
        c.getResult().replaceAllUsesWith(splat.getResult());
        c.erase();
        continue;
      }
      value.setType(type);
      if (auto e = value.getDefiningOp<tensor::ExpandShapeOp>())
        e.setStaticOutputShape(type.getShape());
    }
    func.setType(FunctionType::get(func.getContext(), body.getArgumentTypes(),
                                   body.getTerminator()->getOperandTypes()));
  }
};
} // namespace
