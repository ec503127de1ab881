//===- Reductions.cpp - Max/min reductions and pooling ===//
//
// Which iterations of a max/min reduction receive its adjoint: ties split
// evenly (PyTorch's amax), a pooling window's first arg-max (max_pool2d).
//
//===----------------------------------------------------------------------===//

#include "Differentiator.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::autodiff;

Value Differentiator::reductionIndex(OpBuilder &b, Location loc,
                                     linalg::GenericOp op,
                                     ArrayRef<Value> loops, Type type) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto iterators = op.getIteratorTypesArray();
  Value linear = arith::ConstantIndexOp::create(b, loc, 0);
  for (unsigned l = 0; l < loops.size(); ++l) {
    if (iterators[l] != utils::IteratorType::reduction)
      continue;
    Value scaled = arith::MulIOp::create(
        b, loc, linear, arith::ConstantIndexOp::create(b, loc, ranges[l]));
    linear = arith::AddIOp::create(b, loc, scaled, loops[l]);
  }
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), linear);
  return arith::SIToFPOp::create(b, loc, type, i64);
}

SmallVector<Value> Differentiator::seedLoops(OpBuilder &b, Location loc,
                                             ArrayRef<Seed> seeds,
                                             unsigned loops) {
  if (llvm::none_of(seeds, [](const Seed &s) { return s.firstOnly; }))
    return {};
  return loopIndices(b, loc, loops);
}

SmallVector<Value> Differentiator::loopIndices(OpBuilder &b, Location loc,
                                               unsigned loops) {
  SmallVector<Value> v;
  for (unsigned l = 0; l < loops; ++l)
    v.push_back(linalg::IndexOp::create(b, loc, l));
  return v;
}

Value Differentiator::overMatches(
    OpBuilder &b, linalg::GenericOp op, unsigned j, Value e, double init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  Location loc = op.getLoc();
  unsigned numOperands = op->getNumOperands();
  Value result = op.getResult(j);
  auto type = cast<RankedTensorType>(result.getType());
  AffineMap resultMap = op.getIndexingMapMatchingResult(cast<OpResult>(result));
  SmallVector<Value> inputs(op->getOperands());
  inputs.push_back(result);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  maps.push_back(resultMap);
  maps.push_back(resultMap);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, inputs,
             ValueRange{filled(b, loc, type, init)}, maps,
             op.getIteratorTypesArray(),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               IRMapping map;
               cloneBody(nb, op, args, map);
               Value eq =
                   arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                         map.lookup(e), args[numOperands]);
               linalg::YieldOp::create(nb, nl,
                                       combine(nb, nl, args.back(), eq));
             })
      .getResult(0);
}

Value Differentiator::firstMatch(OpBuilder &b, linalg::GenericOp op, unsigned j,
                                 Value e) {
  return overMatches(
      b, op, j, e, kNoMatch,
      [&](OpBuilder &nb, Location nl, Value acc, Value eq) -> Value {
        Value here = reductionIndex(
            nb, nl, op, loopIndices(nb, nl, op.getNumLoops()), acc.getType());
        Value lower = arith::MinimumFOp::create(nb, nl, acc, here);
        return arith::SelectOp::create(nb, nl, eq, lower, acc);
      });
}

Value Differentiator::countMatches(OpBuilder &b, linalg::GenericOp op,
                                   unsigned j, Value e) {
  return overMatches(
      b, op, j, e, 0.0,
      [](OpBuilder &nb, Location nl, Value acc, Value eq) -> Value {
        Value one = floatConstant(nb, nl, acc.getType(), 1.0);
        Value zero = floatConstant(nb, nl, acc.getType(), 0.0);
        Value add = arith::SelectOp::create(nb, nl, eq, one, zero);
        return arith::AddFOp::create(nb, nl, acc, add);
      });
}
