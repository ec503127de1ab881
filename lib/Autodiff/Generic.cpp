//===- Generic.cpp - Adjoints of linalg.generic ===//
//
// Generics with projected-permutation maps: contractions, broadcasts,
// transposes, elementwise ops and the seeds of reductions; tensors a body reads
// with tensor.extract (codebook gathers).
//
//===----------------------------------------------------------------------===//

#include "Differentiator.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::autodiff;

LogicalResult Differentiator::visitGeneric(OpBuilder &b, linalg::GenericOp op) {
  Location loc = op.getLoc();
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // Outputs are indexed by loops; an input may be read through sums of
  // loops (a convolution's or pooling window's oh * s + kh * d).
  bool window = false;
  for (auto [i, m] : llvm::enumerate(maps)) {
    if (m.isProjectedPermutation())
      continue;
    if (int64_t(i) >= op.getNumDpsInputs() || !isWindowMap(m))
      return op.emitError()
             << passName
             << ": a linalg.generic whose maps are not "
                "projected permutations or sums of loops times constants";
    window = true;
  }
  for (Type t : op->getResultTypes())
    if (!isFloatTensor(t))
      return op.emitError() << passName
                            << ": results must be static "
                               "floating-point tensors";
  unsigned numInputs = op.getNumDpsInputs(), numInits = op.getNumDpsInits();
  bool reduction = op.getNumReductionLoops() > 0;
  // With reductions, each yield must be `out + e` (a sum: the init gets
  // the result's adjoint once, e the adjoint in every iteration) or
  // `max(out, e)` / `min(out, e)` (the adjoint goes to the iterations
  // where e equals the result, split evenly among ties as PyTorch's amax
  // does, or to the init when none does), with e free of `out`.
  SmallVector<Value> seeded(numInits);
  SmallVector<Seed> seeds;
  for (unsigned j = 0; j < numInits; ++j) {
    Value y = yield.getOperand(j);
    BlockArgument out = body.getArgument(numInputs + j);
    Value a = adj.lookup(op.getResult(j));
    if (!reduction) {
      seeded[j] = y;
      if (a)
        seeds.push_back({j, a, Value()});
      continue;
    }
    Operation *combiner = y.getDefiningOp();
    bool sum = isa_and_nonnull<arith::AddFOp>(combiner);
    bool extremum =
        isa_and_nonnull<arith::MaximumFOp, arith::MinimumFOp>(combiner);
    Value e = !(sum || extremum)               ? Value()
              : combiner->getOperand(0) == out ? combiner->getOperand(1)
              : combiner->getOperand(1) == out ? combiner->getOperand(0)
                                               : Value();
    if (!e || dependsOn(e, out))
      return op.emitError() << passName
                            << ": a reduction must "
                               "combine with addf, maximumf or minimumf "
                               "(out with f(inputs))";
    seeded[j] = e;
    if (!a)
      continue;
    if (sum) {
      addAdjoint(b, loc, op.getDpsInits()[j], a);
      seeds.push_back({j, a, Value()});
      continue;
    }
    Value result = op.getResult(j);
    auto type = cast<RankedTensorType>(result.getType());
    if (window) {
      // Pooling: all of it to the first arg-max of each window, as
      // PyTorch's max_pool2d; to the init when no iteration reaches it.
      Value first = firstMatch(b, op, j, e);
      Value toInit = elementwise(
          b, loc, type, {a, first},
          [](OpBuilder &nb, Location nl, ValueRange v) -> Value {
            Value none = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::OEQ, v[1],
                floatConstant(nb, nl, v[1].getType(), kNoMatch));
            return arith::SelectOp::create(
                nb, nl, none, v[0], floatConstant(nb, nl, v[0].getType(), 0));
          });
      addAdjoint(b, loc, op.getDpsInits()[j], toInit);
      seeds.push_back({j, a, first, /*firstOnly=*/true});
      continue;
    }
    Value count = countMatches(b, op, j, e);
    Value scale = elementwise(
        b, loc, type, {a, count}, [](OpBuilder &nb, Location nl, ValueRange v) {
          return arith::DivFOp::create(nb, nl, v[0], v[1]).getResult();
        });
    Value toInit =
        elementwise(b, loc, type, {a, count},
                    [](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                      Value zero = floatConstant(nb, nl, v[0].getType(), 0.0);
                      Value none = arith::CmpFOp::create(
                          nb, nl, arith::CmpFPredicate::OEQ, v[1], zero);
                      return arith::SelectOp::create(nb, nl, none, v[0], zero);
                    });
    addAdjoint(b, loc, op.getDpsInits()[j], toInit);
    seeds.push_back({j, scale, result});
  }
  // Operands that can get a gradient: the inputs, and the inits when
  // they are read element by element (no reductions).
  unsigned candidates = reduction ? numInputs : numInputs + numInits;
  for (unsigned k = 0; k < candidates; ++k) {
    Value operand = op->getOperand(k);
    if (!active.contains(operand) || !isFloatTensor(operand.getType()))
      continue;
    if (failed(adjointOfOperand(b, op, k, seeded, seeds)))
      return failure();
  }
  // Tensors the body reads with tensor.extract (a codebook gather).
  llvm::SetVector<Value> captured;
  body.walk([&](tensor::ExtractOp e) {
    if (e.getTensor().getParentRegion() != &op.getRegion() &&
        active.contains(e.getTensor()) &&
        isFloatTensor(e.getTensor().getType()))
      captured.insert(e.getTensor());
  });
  for (Value t : captured)
    if (failed(adjointOfCaptured(b, op, t, seeded, seeds)))
      return failure();
  return success();
}

LogicalResult Differentiator::adjointOfCaptured(OpBuilder &b,
                                                linalg::GenericOp op, Value t,
                                                ArrayRef<Value> seeded,
                                                ArrayRef<Seed> seeds) {
  Location loc = op.getLoc();
  auto tType = cast<RankedTensorType>(t.getType());
  unsigned loops = op.getNumLoops(), rank = tType.getRank();
  unsigned numInputs = op.getNumDpsInputs(), numInits = op.getNumDpsInits();
  MLIRContext *ctx = b.getContext();
  auto extend = [&](AffineMap m) {
    return AffineMap::get(loops + rank, 0, m.getResults(), ctx);
  };
  SmallVector<Value> inputs(op->getOperands());
  SmallVector<AffineMap> maps;
  for (AffineMap m : op.getIndexingMapsArray())
    maps.push_back(extend(m));
  addSeedInputs(op, seeds, extend, inputs, maps);
  SmallVector<AffineExpr> tDims;
  for (unsigned d = 0; d < rank; ++d)
    tDims.push_back(getAffineDimExpr(loops + d, ctx));
  maps.push_back(AffineMap::get(loops + rank, 0, tDims, ctx));
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::reduction);
  iterators.append(rank, utils::IteratorType::parallel);
  Value zero = filled(b, loc, tType, 0.0);
  bool failedBody = false;
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{tType}, inputs, ValueRange{zero}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        // linalg.index keeps its meaning: the first `loops` dimensions
        // are the op's.
        IRMapping map;
        SmallVector<Operation *> ops = cloneBody(nb, op, args, map);
        ScalarReverse reverse(nb, map, passName);
        applySeeds(nb, nl, op, seeds, seeded,
                   args.drop_front(numInputs + numInits),
                   seedLoops(nb, nl, seeds, loops), map, reverse);
        if (failed(reverse.run(ops))) {
          failedBody = true;
          linalg::YieldOp::create(nb, nl, args.back());
          return;
        }
        Value acc = args.back();
        for (Operation *bop : ops) {
          auto e = dyn_cast<tensor::ExtractOp>(bop);
          Value a = e && e.getTensor() == t ? reverse.adjointOf(e.getResult())
                                            : Value();
          if (!a)
            continue;
          Value here = arith::ConstantIntOp::create(nb, nl, 1, 1);
          for (unsigned d = 0; d < rank; ++d) {
            Value mine = linalg::IndexOp::create(nb, nl, loops + d);
            Value eq =
                arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                      map.lookup(e.getIndices()[d]), mine);
            here = arith::AndIOp::create(nb, nl, here, eq);
          }
          Value zeroT = floatConstant(nb, nl, a.getType(), 0.0);
          acc = arith::AddFOp::create(
              nb, nl, acc, arith::SelectOp::create(nb, nl, here, a, zeroT));
        }
        linalg::YieldOp::create(nb, nl, acc);
      });
  if (failedBody)
    return failure();
  addAdjoint(b, loc, t, gen.getResult(0));
  return success();
}

void Differentiator::addSeedInputs(linalg::GenericOp op, ArrayRef<Seed> seeds,
                                   function_ref<AffineMap(AffineMap)> extend,
                                   SmallVectorImpl<Value> &inputs,
                                   SmallVectorImpl<AffineMap> &maps) {
  for (const Seed &s : seeds) {
    AffineMap m = extend(op.getIndexingMapMatchingResult(
        cast<OpResult>(op.getResult(s.result))));
    inputs.push_back(s.adjoint);
    maps.push_back(m);
    if (s.gate) {
      inputs.push_back(s.gate);
      maps.push_back(m);
    }
  }
}

void Differentiator::applySeeds(OpBuilder &nb, Location nl,
                                linalg::GenericOp op, ArrayRef<Seed> seeds,
                                ArrayRef<Value> seeded, ValueRange seedValues,
                                ArrayRef<Value> loops, IRMapping &map,
                                ScalarReverse &reverse) {
  unsigned base = 0;
  for (const Seed &s : seeds) {
    Value a = seedValues[base++];
    if (s.gate) {
      Value g = seedValues[base++];
      Value here = s.firstOnly ? reductionIndex(nb, nl, op, loops, g.getType())
                               : map.lookup(seeded[s.result]);
      Value eq =
          arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, here, g);
      a = arith::SelectOp::create(nb, nl, eq, a,
                                  floatConstant(nb, nl, a.getType(), 0.0));
    }
    reverse.seed(seeded[s.result], a);
  }
}

LogicalResult Differentiator::adjointOfOperand(OpBuilder &b,
                                               linalg::GenericOp op, unsigned k,
                                               ArrayRef<Value> seeded,
                                               ArrayRef<Seed> seeds) {
  if (!op.getIndexingMapsArray()[k].isProjectedPermutation())
    return adjointOfWindowOperand(b, op, k, seeded, seeds);
  Location loc = op.getLoc();
  Block &body = op.getRegion().front();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned numInputs = op.getNumDpsInputs(), numInits = op.getNumDpsInits();
  auto operandType = cast<RankedTensorType>(op->getOperand(k).getType());
  // Inputs of the new generic: the old operands (inputs and inits, so
  // that the body can be recomputed), then the results' adjoints.
  SmallVector<Value> inputs(op->getOperands());
  SmallVector<AffineMap> newMaps(maps);
  addSeedInputs(
      op, seeds, [](AffineMap m) { return m; }, inputs, newMaps);
  AffineMap outMap = maps[k];
  newMaps.push_back(outMap);
  SmallVector<utils::IteratorType> iterators;
  for (unsigned l = 0; l < op.getNumLoops(); ++l)
    iterators.push_back(outMap.isFunctionOfDim(l)
                            ? utils::IteratorType::parallel
                            : utils::IteratorType::reduction);
  Value zero = filled(b, loc, operandType, 0.0);
  std::string error;
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{operandType}, inputs, ValueRange{zero}, newMaps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        IRMapping map;
        SmallVector<Operation *> ops = cloneBody(nb, op, args, map);
        ScalarReverse reverse(nb, map, passName);
        applySeeds(nb, nl, op, seeds, seeded,
                   args.drop_front(numInputs + numInits),
                   seedLoops(nb, nl, seeds, op.getNumLoops()), map, reverse);
        if (failed(reverse.run(ops))) {
          error = "failed";
          linalg::YieldOp::create(nb, nl, args.back());
          return;
        }
        Value g = reverse.adjointOf(body.getArgument(k));
        Value acc = args.back();
        Value r = g ? arith::AddFOp::create(nb, nl, acc, g).getResult() : acc;
        linalg::YieldOp::create(nb, nl, r);
      });
  if (!error.empty())
    return failure();
  addAdjoint(b, loc, op->getOperand(k), gen.getResult(0));
  return success();
}
