//===- WeightViews.cpp - How a weight reaches the op that reads it --------===//

#include "dc/Dialect/DC/Analysis/WeightViews.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::dc;

/// A linalg.generic that copies its one input into its one init through
/// maps: the output map a permutation, the input map a projected one.
static std::optional<View> asGenericView(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 1 || !op.hasPureTensorSemantics() ||
      op.getNumLoops() != op.getNumParallelLoops())
    return std::nullopt;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != body.getArgument(0))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!maps[1].isPermutation() || !maps[0].isProjectedPermutation())
    return std::nullopt;
  // result[out(l)] = source[in(l)]: source index = in(out^-1(result index)).
  return View{op, op.getDpsInputs()[0],
              maps[0].compose(inversePermutation(maps[1]))};
}

/// The index map of a reshape that only adds (expand) or removes (collapse)
/// unit dimensions: each group holds at most one dimension of size > 1. A
/// TOSA fc weight [K, N] reaches tosa.matmul as [1, K, N] that way. Null
/// for a reshape that moves elements between dimensions.
static AffineMap unitReshapeMap(RankedTensorType src, RankedTensorType result,
                                ArrayRef<ReassociationIndices> groups,
                                bool expand) {
  MLIRContext *ctx = src.getContext();
  // `wide` is the side with the groups' dimensions.
  RankedTensorType wide = expand ? result : src;
  SmallVector<AffineExpr> exprs(src.getRank(), getAffineConstantExpr(0, ctx));
  for (auto [g, group] : llvm::enumerate(groups)) {
    int64_t big = -1;
    for (int64_t d : group) {
      if (wide.getDimSize(d) == 1)
        continue;
      if (big >= 0 || ShapedType::isDynamic(wide.getDimSize(d)))
        return AffineMap();
      big = d;
    }
    if (expand) // result dims `group` -> source dim g
      exprs[g] = getAffineDimExpr(big >= 0 ? big : group.front(), ctx);
    else // result dim g -> source dims `group` (the unit ones at 0)
      for (int64_t d : group)
        exprs[d] = d == big || (big < 0 && d == group.front())
                       ? getAffineDimExpr(g, ctx)
                       : getAffineConstantExpr(0, ctx);
  }
  return AffineMap::get(result.getRank(), 0, exprs, ctx);
}

std::optional<View> mlir::dc::asView(Operation *op) {
  if (!op || op->getNumResults() != 1 ||
      !isa<RankedTensorType>(op->getResult(0).getType()))
    return std::nullopt;
  if (auto generic = dyn_cast<linalg::GenericOp>(op))
    return asGenericView(generic);
  if (isa<linalg::TransposeOp, linalg::BroadcastOp, linalg::CopyOp>(op)) {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    if (!linalgOp.hasPureTensorSemantics())
      return std::nullopt;
    // Identity output maps: the input's map is result index -> source.
    OpOperand *input = linalgOp.getDpsInputOperand(0);
    return View{op, input->get(), linalgOp.getMatchingIndexingMap(input)};
  }
  if (auto cast = dyn_cast<tensor::CastOp>(op)) {
    auto type = dyn_cast<RankedTensorType>(cast.getSource().getType());
    if (!type)
      return std::nullopt;
    return View{op, cast.getSource(),
                AffineMap::getMultiDimIdentityMap(type.getRank(),
                                                  op->getContext())};
  }
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(op))
    return View{op, c.getSrc(),
                unitReshapeMap(c.getSrcType(), c.getResultType(),
                               c.getReassociationIndices(),
                               /*expand=*/false)};
  if (auto e = dyn_cast<tensor::ExpandShapeOp>(op))
    return View{op, e.getSrc(),
                unitReshapeMap(e.getSrcType(), e.getResultType(),
                               e.getReassociationIndices(),
                               /*expand=*/true)};
  if (auto r = dyn_cast<tensor::ReshapeOp>(op))
    return View{op, r.getSource(), AffineMap()};
  return std::nullopt;
}

Value mlir::dc::traceViews(Value value, SmallVectorImpl<View> *views) {
  SmallVector<View> found;
  while (std::optional<View> view = asView(value.getDefiningOp())) {
    found.push_back(*view);
    value = view->source;
  }
  if (views)
    views->append(found.rbegin(), found.rend());
  return value;
}

/// Reads of `value` whose path from the weight is `path` so far.
static LogicalResult collect(Value value, SmallVector<View> &path,
                             SmallVectorImpl<ViewedRead> &reads,
                             Operation **blocker) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (std::optional<View> view = asView(user);
        view && view->source == value) {
      path.push_back(*view);
      LogicalResult r = collect(user->getResult(0), path, reads, blocker);
      path.pop_back();
      if (failed(r))
        return failure();
      continue;
    }
    auto op = dyn_cast<linalg::LinalgOp>(user);
    if (!op || !op.isDpsInput(&use)) {
      if (blocker)
        *blocker = user;
      return failure();
    }
    ViewedRead read;
    read.op = op;
    read.operand = use.getOperandNumber();
    read.views = path;
    // operand index -> weight index: v1 o v2 o ... o vn for the path
    // v1 (at the weight) .. vn (at the operand).
    auto rank = cast<RankedTensorType>(value.getType()).getRank();
    AffineMap map =
        AffineMap::getMultiDimIdentityMap(rank, value.getContext());
    for (const View &v : llvm::reverse(path)) {
      if (!v.indexMap) {
        map = AffineMap();
        break;
      }
      map = v.indexMap.compose(map);
    }
    read.indexMap = map;
    reads.push_back(std::move(read));
  }
  return success();
}

LogicalResult mlir::dc::collectViewedReads(Value weight,
                                           SmallVectorImpl<ViewedRead> &reads,
                                           Operation **blocker) {
  SmallVector<View> path;
  if (failed(collect(weight, path, reads, blocker)))
    return failure();
  return success(!reads.empty());
}

bool mlir::dc::isMulAccBody(Block &body, Type type) {
  if (body.getNumArguments() != 3 || body.getOperations().size() != 3)
    return false;
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield ? yield.getOperand(0).getDefiningOp<arith::AddFOp>()
                   : arith::AddFOp();
  if (!add || (type && add.getType() != type))
    return false;
  Value out = body.getArgument(2);
  Value p = add.getLhs() == out   ? add.getRhs()
            : add.getRhs() == out ? add.getLhs()
                                  : Value();
  auto mul = p ? p.getDefiningOp<arith::MulFOp>() : nullptr;
  return mul && ((mul.getLhs() == body.getArgument(0) &&
                  mul.getRhs() == body.getArgument(1)) ||
                 (mul.getLhs() == body.getArgument(1) &&
                  mul.getRhs() == body.getArgument(0)));
}
