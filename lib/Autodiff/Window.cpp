//===- Window.cpp - Convolutions and pooling windows ===//
//
// Inputs read through window maps (oh * s + kh * d): the transposed operation
// in gather form.
//
//===----------------------------------------------------------------------===//

#include "Differentiator.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::autodiff;

bool Differentiator::isWindowMap(AffineMap m) {
  llvm::SmallBitVector used(m.getNumDims());
  for (AffineExpr e : m.getResults()) {
    SmallVector<std::pair<unsigned, int64_t>> terms;
    if (!linearTerms(e, terms))
      return false;
    for (auto [d, c] : terms) {
      if (used.test(d) || c <= 0)
        return false;
      used.set(d);
    }
  }
  return m.getNumSymbols() == 0;
}

bool Differentiator::linearTerms(
    AffineExpr e, SmallVectorImpl<std::pair<unsigned, int64_t>> &out) {
  if (auto d = dyn_cast<AffineDimExpr>(e)) {
    out.push_back({d.getPosition(), 1});
    return true;
  }
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return false;
  if (bin.getKind() == AffineExprKind::Add)
    return linearTerms(bin.getLHS(), out) && linearTerms(bin.getRHS(), out);
  if (bin.getKind() == AffineExprKind::Mul) {
    auto d = dyn_cast<AffineDimExpr>(bin.getLHS());
    auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
    if (!d || !c)
      return false;
    out.push_back({d.getPosition(), c.getValue()});
    return true;
  }
  return false;
}

Value Differentiator::evaluate(OpBuilder &b, Location loc, AffineExpr e,
                               ArrayRef<Value> loops) {
  SmallVector<std::pair<unsigned, int64_t>> terms;
  bool ok = linearTerms(e, terms);
  assert(ok && "not a window map");
  (void)ok;
  Value sum;
  for (auto [d, c] : terms) {
    Value v = loops[d];
    if (c != 1)
      v = arith::MulIOp::create(b, loc, v,
                                arith::ConstantIndexOp::create(b, loc, c));
    sum = sum ? arith::AddIOp::create(b, loc, sum, v).getResult() : v;
  }
  return sum;
}

/// How the loops of `op` are found from the element of its operand `k`
/// (read through a window map) that an adjoint iteration computes: each loop
/// is the operand's dimension r (direct), solved from dimension r, or a
/// loop of the new generic (free).
Differentiator::WindowLoops Differentiator::solveWindow(linalg::GenericOp op,
                                                        unsigned k) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned numInputs = op.getNumDpsInputs(), numInits = op.getNumDpsInits();
  unsigned loops = op.getNumLoops();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  AffineMap mk = maps[k];
  unsigned rank = mk.getNumResults();
  WindowLoops w;
  w.kind.assign(loops, WindowLoops::Free);
  w.dimOf.assign(loops, 0);
  w.termsOf.resize(rank);
  // Which loops the outputs index.
  llvm::SmallBitVector outer(loops);
  for (unsigned j = 0; j < numInits; ++j)
    for (unsigned l = 0; l < loops; ++l)
      if (maps[numInputs + j].isFunctionOfDim(l))
        outer.set(l);
  for (unsigned r = 0; r < rank; ++r) {
    auto &terms = w.termsOf[r];
    linearTerms(mk.getResult(r), terms);
    if (terms.size() == 1 && terms[0].second == 1) {
      w.kind[terms[0].first] = WindowLoops::Direct;
      w.dimOf[terms[0].first] = r;
      continue;
    }
    // Solve for the loop with the largest range (an output loop on a
    // tie): the others are iterated, so fewer iterations are wasted.
    int solved = -1;
    for (auto [d, c] : terms) {
      if (solved < 0 || ranges[d] > ranges[solved] ||
          (ranges[d] == ranges[solved] && outer.test(d) && !outer.test(solved)))
        solved = int(d);
    }
    w.kind[solved] = WindowLoops::Solved;
    w.dimOf[solved] = r;
  }
  for (unsigned l = 0; l < loops; ++l)
    if (w.kind[l] == WindowLoops::Free)
      w.free.push_back(l);
  return w;
}

LogicalResult Differentiator::adjointOfWindowOperand(OpBuilder &b,
                                                     linalg::GenericOp op,
                                                     unsigned k,
                                                     ArrayRef<Value> seeded,
                                                     ArrayRef<Seed> seeds) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Block &body = op.getRegion().front();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned loops = op.getNumLoops();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  AffineMap mk = maps[k];
  unsigned rank = mk.getNumResults();
  WindowLoops w = solveWindow(op, k);
  SmallVector<WindowLoops::Kind> &kind = w.kind;
  SmallVector<unsigned> &dimOf = w.dimOf, &free = w.free;
  auto &termsOf = w.termsOf;
  unsigned newLoops = rank + free.size();
  auto operandType = cast<RankedTensorType>(op->getOperand(k).getType());
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(newLoops, ctx).getMajorSubMap(rank);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.append(free.size(), utils::IteratorType::reduction);
  Value zero = filled(b, loc, operandType, 0.0);
  // The free loops' ranges come from a shape-only operand (as a pooling
  // window's).
  SmallVector<Value> ins = {op->getOperand(k)};
  SmallVector<AffineMap> newMaps = {identity};
  if (!free.empty()) {
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> dims;
    for (auto [i, l] : llvm::enumerate(free)) {
      shape.push_back(ranges[l]);
      dims.push_back(getAffineDimExpr(rank + i, ctx));
    }
    ins.push_back(
        tensor::EmptyOp::create(b, loc, shape, operandType.getElementType()));
    newMaps.push_back(AffineMap::get(newLoops, 0, dims, ctx));
  }
  newMaps.push_back(identity);
  std::string error;
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{operandType}, ins, ValueRange{zero}, newMaps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto index = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(nb, nl, v);
        };
        // The op's loop values here, and whether this is an iteration.
        SmallVector<Value> at(loops);
        for (unsigned l = 0; l < loops; ++l)
          if (kind[l] == WindowLoops::Free)
            at[l] = linalg::IndexOp::create(
                nb, nl, rank + unsigned(llvm::find(free, l) - free.begin()));
          else if (kind[l] == WindowLoops::Direct)
            at[l] = linalg::IndexOp::create(nb, nl, dimOf[l]);
        Value valid = arith::ConstantIntOp::create(nb, nl, 1, 1);
        auto both = [&](Value c) {
          valid = arith::AndIOp::create(nb, nl, valid, c);
        };
        for (unsigned l = 0; l < loops; ++l) {
          if (kind[l] != WindowLoops::Solved)
            continue;
          Value rest = linalg::IndexOp::create(nb, nl, dimOf[l]);
          int64_t coefficient = 1;
          for (auto [d, c] : termsOf[dimOf[l]]) {
            if (d == l) {
              coefficient = c;
              continue;
            }
            rest = arith::SubIOp::create(
                nb, nl, rest, arith::MulIOp::create(nb, nl, at[d], index(c)));
          }
          Value q = arith::DivSIOp::create(nb, nl, rest, index(coefficient));
          Value r = arith::RemSIOp::create(nb, nl, rest, index(coefficient));
          both(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, rest,
                                     index(0)));
          both(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, r,
                                     index(0)));
          both(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, q,
                                     index(ranges[l])));
          at[l] = arith::SelectOp::create(nb, nl, valid, q, index(0));
        }
        // The body's arguments: operand k is this generic's input; the
        // others (and the seeds) are read where the op would read them.
        auto read = [&](Value tensor, AffineMap m) -> Value {
          SmallVector<Value> indices;
          for (AffineExpr e : m.getResults())
            indices.push_back(evaluate(nb, nl, e, at));
          return tensor::ExtractOp::create(nb, nl, tensor, indices);
        };
        IRMapping map;
        for (unsigned i = 0; i < op->getNumOperands(); ++i)
          map.map(body.getArgument(i),
                  i == k ? args[0] : read(op->getOperand(i), maps[i]));
        SmallVector<Value> seedValues;
        for (const Seed &sd : seeds) {
          AffineMap m = op.getIndexingMapMatchingResult(
              cast<OpResult>(op.getResult(sd.result)));
          seedValues.push_back(read(sd.adjoint, m));
          if (sd.gate)
            seedValues.push_back(read(sd.gate, m));
        }
        SmallVector<Operation *> ops;
        for (Operation &bop : body.without_terminator()) {
          nb.clone(bop, map);
          ops.push_back(&bop);
        }
        ScalarReverse reverse(nb, map, passName);
        applySeeds(nb, nl, op, seeds, seeded, seedValues, at, map, reverse);
        if (failed(reverse.run(ops))) {
          error = "failed";
          linalg::YieldOp::create(nb, nl, args.back());
          return;
        }
        Value g = reverse.adjointOf(body.getArgument(k));
        Value acc = args.back();
        if (g) {
          Value z = floatConstant(nb, nl, g.getType(), 0.0);
          acc = arith::AddFOp::create(
              nb, nl, acc, arith::SelectOp::create(nb, nl, valid, g, z));
        }
        linalg::YieldOp::create(nb, nl, acc);
      });
  if (!error.empty())
    return failure();
  addAdjoint(b, loc, op->getOperand(k), gen.getResult(0));
  return success();
}
