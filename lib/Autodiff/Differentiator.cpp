//===- Differentiator.cpp - The reverse sweep ===//
//
// The sweep over a function's ops and the adjoint bookkeeping; each op's rule
// is in the file of its family (Differentiator.h).
//
//===----------------------------------------------------------------------===//

#include "Differentiator.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::autodiff;

LogicalResult Differentiator::sweep(ArrayRef<Operation *> forward, Value seed,
                                    Value seedAdjoint, Operation *at) {
  Block &body = grad.getBody().front();
  // Which values depend on an argument (only they get adjoints).
  for (BlockArgument arg : body.getArguments())
    active.insert(arg);
  for (Operation *op : forward) {
    bool uses = llvm::any_of(op->getOperands(),
                             [&](Value v) { return active.contains(v); });
    // Values a body captures count too (a codebook read by extract).
    op->walk([&](Operation *inner) {
      for (Value v : inner->getOperands())
        uses |= active.contains(v);
    });
    if (uses)
      for (Value r : op->getResults())
        active.insert(r);
  }
  OpBuilder b(at);
  adj[seed] = seedAdjoint;
  for (Operation *op : llvm::reverse(forward))
    if (failed(visit(b, op)))
      return failure();
  return success();
}

Value Differentiator::gradientOf(BlockArgument arg, Operation *at) {
  auto it = adj.find(arg);
  if (it != adj.end())
    return it->second;
  OpBuilder b(at);
  return filled(b, at->getLoc(), cast<RankedTensorType>(arg.getType()), 0.0);
}

Value Differentiator::filled(OpBuilder &b, Location loc, RankedTensorType type,
                             double v) {
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::FillOp::create(
             b, loc, floatConstant(b, loc, type.getElementType(), v), init)
      .getResult(0);
}

Value Differentiator::addTensors(OpBuilder &b, Location loc, Value x, Value y) {
  auto type = cast<RankedTensorType>(x.getType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x, y}, ValueRange{init},
             SmallVector<AffineMap>(3, id),
             SmallVector<utils::IteratorType>(type.getRank(),
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nl,
                   arith::AddFOp::create(nb, nl, args[0], args[1]).getResult());
             })
      .getResult(0);
}

void Differentiator::addAdjoint(OpBuilder &b, Location loc, Value v, Value a) {
  if (!active.contains(v) || !isFloatTensor(v.getType()))
    return;
  auto [it, inserted] = adj.insert({v, a});
  if (!inserted)
    it->second = addTensors(b, loc, it->second, a);
}

LogicalResult Differentiator::visit(OpBuilder &b, Operation *op) {
  bool hasAdjoint =
      llvm::any_of(op->getResults(), [&](Value r) { return adj.count(r); });
  if (!hasAdjoint)
    return success();
  FailureOr<bool> shape = visitShapeOp(b, op);
  if (failed(shape) || *shape)
    return shape;
  if (auto g = dyn_cast<linalg::GenericOp>(op))
    return visitGeneric(b, g);
  bool anyActive = llvm::any_of(op->getOperands(), [&](Value v) {
    return active.contains(v) && isFloatTensor(v.getType());
  });
  if (!anyActive)
    return success();
  return op->emitError() << passName << ": '" << op->getName()
                         << "' is not differentiable";
}

Value Differentiator::elementwise(
    OpBuilder &b, Location loc, RankedTensorType type, ValueRange ins,
    function_ref<Value(OpBuilder &, Location, ValueRange)> f) {
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ins, ValueRange{init},
             SmallVector<AffineMap>(ins.size() + 1, id),
             SmallVector<utils::IteratorType>(type.getRank(),
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, f(nb, nl, args.drop_back()));
             })
      .getResult(0);
}

SmallVector<Operation *> Differentiator::cloneBody(OpBuilder &nb,
                                                   linalg::GenericOp op,
                                                   ValueRange args,
                                                   IRMapping &map) {
  Block &body = op.getRegion().front();
  for (unsigned i = 0; i < op->getNumOperands(); ++i)
    map.map(body.getArgument(i), args[i]);
  SmallVector<Operation *> ops;
  for (Operation &bop : body.without_terminator()) {
    nb.clone(bop, map);
    ops.push_back(&bop);
  }
  return ops;
}

bool Differentiator::dependsOn(Value v, Value on) {
  SmallVector<Value> work = {v};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value x = work.pop_back_val();
    if (x == on)
      return true;
    if (!seen.insert(x).second)
      continue;
    if (Operation *def = x.getDefiningOp())
      llvm::append_range(work, def->getOperands());
  }
  return false;
}
