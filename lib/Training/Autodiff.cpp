//===- Autodiff.cpp - Reverse-mode differentiation of linalg on tensors ---===//
//
// Tensor level: the forward ops are copied into the new function, then
// visited in reverse; each op adds the adjoints of its operands from the
// adjoints of its results. One rule serves every linalg.generic whose maps
// are projected permutations (matmul, matvec, batch_matmul, transposes,
// broadcasts, elementwise ops, sum reductions once generalized): the
// adjoint of operand k is a new generic over the same loops that recomputes
// the body, runs the body's scalar reverse mode, and accumulates into a
// zero tensor through operand k's map (loops absent from that map become
// reductions). Reductions must combine with addf; their init gets the
// result's adjoint once.
//
//===----------------------------------------------------------------------===//

#include "dc/Training/Autodiff.h"
#include "dc/Dialect/DC/Transforms/Parameters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::dc;

namespace {

bool isFloatTensor(Type t) {
  auto type = dyn_cast<RankedTensorType>(t);
  return type && isa<FloatType>(type.getElementType()) && type.hasStaticShape();
}

Value floatConstant(OpBuilder &b, Location loc, Type type, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
}

/// Scalar reverse mode over a generic's body, emitted at `b`: the adjoints
/// of `values` (seeds) flow back to the block arguments.
class ScalarReverse {
public:
  ScalarReverse(OpBuilder &b, IRMapping &map) : b(b), map(map) {}

  void seed(Value v, Value adjoint) { add(v, adjoint); }

  /// Runs over `ops` (the original body, in order) backwards.
  LogicalResult run(ArrayRef<Operation *> ops) {
    for (Operation *op : llvm::reverse(ops)) {
      if (op->getNumResults() != 1)
        continue;
      auto it = adj.find(op->getResult(0));
      if (it == adj.end())
        continue;
      if (failed(visit(op, it->second)))
        return failure();
    }
    return success();
  }

  Value adjointOf(Value v) const {
    auto it = adj.find(v);
    return it == adj.end() ? Value() : it->second;
  }

private:
  void add(Value v, Value a) {
    if (!isa<FloatType>(v.getType()))
      return;
    auto [it, inserted] = adj.insert({v, a});
    if (!inserted)
      it->second = arith::AddFOp::create(b, a.getLoc(), it->second, a);
  }
  Value m(Value v) { return map.lookupOrDefault(v); }

  LogicalResult visit(Operation *op, Value a) {
    Location loc = op->getLoc();
    Type t = a.getType();
    auto mul = [&](Value x, Value y) {
      return arith::MulFOp::create(b, loc, x, y).getResult();
    };
    auto div = [&](Value x, Value y) {
      return arith::DivFOp::create(b, loc, x, y).getResult();
    };
    auto neg = [&](Value x) {
      return arith::NegFOp::create(b, loc, x).getResult();
    };
    auto zero = [&] { return floatConstant(b, loc, t, 0.0); };
    auto sel = [&](Value c, Value x, Value y) {
      return arith::SelectOp::create(b, loc, c, x, y).getResult();
    };
    // Leaves: constants, and elements of captured tensors (their adjoints
    // are gathered by the caller, see adjointOfCaptured).
    if (isa<arith::ConstantOp, tensor::ExtractOp>(op))
      return success();
    if (auto o = dyn_cast<arith::AddFOp>(op)) {
      add(o.getLhs(), a);
      add(o.getRhs(), a);
    } else if (auto o = dyn_cast<arith::SubFOp>(op)) {
      add(o.getLhs(), a);
      add(o.getRhs(), neg(a));
    } else if (auto o = dyn_cast<arith::MulFOp>(op)) {
      add(o.getLhs(), mul(a, m(o.getRhs())));
      add(o.getRhs(), mul(a, m(o.getLhs())));
    } else if (auto o = dyn_cast<arith::DivFOp>(op)) {
      Value y = m(o.getRhs());
      add(o.getLhs(), div(a, y));
      add(o.getRhs(), neg(div(mul(a, m(o.getResult())), y)));
    } else if (auto o = dyn_cast<arith::NegFOp>(op)) {
      add(o.getOperand(), neg(a));
    } else if (isa<arith::MaximumFOp, arith::MinimumFOp>(op)) {
      // Ties as PyTorch: against a constant (relu, clamp) the gradient
      // goes to the variable only when it is strictly past the constant;
      // between two variables it is split in half (torch.maximum).
      bool isMax = isa<arith::MaximumFOp>(op);
      Value x = op->getOperand(0), y = op->getOperand(1);
      bool yConst = matchPattern(y, m_Constant());
      bool xConst = matchPattern(x, m_Constant());
      auto pred = isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT;
      Value xWins = arith::CmpFOp::create(b, loc, pred, m(x), m(y));
      Value yWins = arith::CmpFOp::create(b, loc, pred, m(y), m(x));
      if (xConst || yConst) {
        if (!xConst)
          add(x, sel(xWins, a, zero()));
        if (!yConst)
          add(y, sel(yWins, a, zero()));
      } else {
        Value tie = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                          m(x), m(y));
        Value half = mul(a, floatConstant(b, loc, t, 0.5));
        add(x, sel(xWins, a, sel(tie, half, zero())));
        add(y, sel(yWins, a, sel(tie, half, zero())));
      }
    } else if (auto o = dyn_cast<arith::SelectOp>(op)) {
      Value c = m(o.getCondition());
      add(o.getTrueValue(), sel(c, a, zero()));
      add(o.getFalseValue(), sel(c, zero(), a));
    } else if (auto o = dyn_cast<math::ExpOp>(op)) {
      add(o.getOperand(), mul(a, m(o.getResult())));
    } else if (auto o = dyn_cast<math::LogOp>(op)) {
      add(o.getOperand(), div(a, m(o.getOperand())));
    } else if (auto o = dyn_cast<math::TanhOp>(op)) {
      Value y = m(o.getResult());
      Value one = floatConstant(b, loc, t, 1.0);
      add(o.getOperand(),
          mul(a, arith::SubFOp::create(b, loc, one, mul(y, y)).getResult()));
    } else if (auto o = dyn_cast<math::SqrtOp>(op)) {
      add(o.getOperand(),
          div(a, mul(floatConstant(b, loc, t, 2.0), m(o.getResult()))));
    } else if (auto o = dyn_cast<math::RsqrtOp>(op)) {
      Value r = m(o.getResult());
      add(o.getOperand(),
          mul(a, mul(floatConstant(b, loc, t, -0.5), mul(r, mul(r, r)))));
    } else {
      return op->emitError() << "dc-differentiate: '" << op->getName()
                             << "' in a linalg body is not differentiable";
    }
    return success();
  }

  OpBuilder &b;
  IRMapping &map;
  llvm::DenseMap<Value, Value> adj;
};

class Differentiator {
  /// The adjoint flowing into result `result` of a generic: `adjoint`
  /// (same map as the result) and, for a max/min reduction, the final
  /// `gate` values: then only iterations whose value equals the gate
  /// receive it.
  struct Seed {
    unsigned result;
    Value adjoint, gate;
    /// The gate is the first matching iteration (a pooling window's
    /// arg-max, as PyTorch's max_pool2d), as the linear index over the
    /// reduction loops, not the result value.
    bool firstOnly = false;
  };

public:
  explicit Differentiator(func::FuncOp grad) : grad(grad) {}

  /// The reverse sweep over `forward` (ops of the function, in order) from
  /// `seed`, whose adjoint is `seedAdjoint`; new ops go before `at`.
  LogicalResult sweep(ArrayRef<Operation *> forward, Value seed,
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

  /// The gradient of `arg` (zeros when nothing reached it), built before `at`.
  Value gradientOf(BlockArgument arg, Operation *at) {
    auto it = adj.find(arg);
    if (it != adj.end())
      return it->second;
    OpBuilder b(at);
    return filled(b, at->getLoc(), cast<RankedTensorType>(arg.getType()), 0.0);
  }

  Value filled(OpBuilder &b, Location loc, RankedTensorType type, double v) {
    Value init =
        tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
    return linalg::FillOp::create(
               b, loc, floatConstant(b, loc, type.getElementType(), v), init)
        .getResult(0);
  }

private:
  /// Elementwise x + y as a linalg.generic.
  Value addTensors(OpBuilder &b, Location loc, Value x, Value y) {
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
                     arith::AddFOp::create(nb, nl, args[0], args[1])
                         .getResult());
               })
        .getResult(0);
  }

  void addAdjoint(OpBuilder &b, Location loc, Value v, Value a) {
    if (!active.contains(v) || !isFloatTensor(v.getType()))
      return;
    auto [it, inserted] = adj.insert({v, a});
    if (!inserted)
      it->second = addTensors(b, loc, it->second, a);
  }

  LogicalResult visit(OpBuilder &b, Operation *op) {
    bool hasAdjoint =
        llvm::any_of(op->getResults(), [&](Value r) { return adj.count(r); });
    if (!hasAdjoint)
      return success();
    Location loc = op->getLoc();
    if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
      Value a = tensor::ExpandShapeOp::create(b, loc, c.getSrcType(),
                                              adj[c.getResult()],
                                              c.getReassociationIndices());
      addAdjoint(b, loc, c.getSrc(), a);
      return success();
    }
    if (auto e = dyn_cast<tensor::ExpandShapeOp>(op)) {
      Value a = tensor::CollapseShapeOp::create(b, loc, e.getSrcType(),
                                                adj[e.getResult()],
                                                e.getReassociationIndices());
      addAdjoint(b, loc, e.getSrc(), a);
      return success();
    }
    if (auto pad = dyn_cast<tensor::PadOp>(op)) {
      // The source's part of the padded adjoint (the padding value is a
      // constant: it gets nothing).
      if (!pad.getConstantPaddingValue() || !pad.getSourceType().hasStaticShape() ||
          llvm::any_of(pad.getStaticLow(), ShapedType::isDynamic))
        return op->emitError() << "dc-differentiate: only a tensor.pad with "
                                  "static sizes and a constant value is "
                                  "differentiable";
      SmallVector<int64_t> ones(pad.getSourceType().getRank(), 1);
      Value a = tensor::ExtractSliceOp::create(
          b, loc, pad.getSourceType(), adj[pad.getResult()], ValueRange{},
          ValueRange{}, ValueRange{}, pad.getStaticLow(),
          pad.getSourceType().getShape(), ones);
      addAdjoint(b, loc, pad.getSource(), a);
      return success();
    }
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
      if (!slice.hasUnitStride() && !slice.getSourceType().hasStaticShape())
        return op->emitError() << "dc-differentiate: a dynamic slice";
      if (!slice.getSourceType().hasStaticShape() ||
          slice.getResultType().getRank() != slice.getSourceType().getRank() ||
          !slice.getOffsets().empty() || !slice.getSizes().empty() ||
          !slice.getStrides().empty())
        return op->emitError() << "dc-differentiate: only static, "
                                  "rank-preserving tensor.extract_slice is "
                                  "differentiable";
      // Zeros with the slice's adjoint where the slice was.
      Value a = tensor::InsertSliceOp::create(
          b, loc, adj[slice.getResult()],
          filled(b, loc, slice.getSourceType(), 0.0), ValueRange{},
          ValueRange{}, ValueRange{}, slice.getStaticOffsets(),
          slice.getStaticSizes(), slice.getStaticStrides());
      addAdjoint(b, loc, slice.getSource(), a);
      return success();
    }
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
      auto destType = cast<RankedTensorType>(insert.getDest().getType());
      auto srcType = cast<RankedTensorType>(insert.getSource().getType());
      if (!destType.hasStaticShape() || srcType.getRank() != destType.getRank() ||
          !insert.getOffsets().empty() || !insert.getSizes().empty() ||
          !insert.getStrides().empty())
        return op->emitError() << "dc-differentiate: only static, "
                                  "rank-preserving tensor.insert_slice is "
                                  "differentiable";
      Value a = adj[insert.getResult()];
      // The source gets its window of the adjoint, the destination the
      // rest (the window overwritten with zeros).
      addAdjoint(b, loc, insert.getSource(),
                 tensor::ExtractSliceOp::create(
                     b, loc, srcType, a, ValueRange{}, ValueRange{},
                     ValueRange{}, insert.getStaticOffsets(),
                     insert.getStaticSizes(), insert.getStaticStrides()));
      addAdjoint(b, loc, insert.getDest(),
                 tensor::InsertSliceOp::create(
                     b, loc, filled(b, loc, srcType, 0.0), a, ValueRange{},
                     ValueRange{}, ValueRange{}, insert.getStaticOffsets(),
                     insert.getStaticSizes(), insert.getStaticStrides()));
      return success();
    }
    if (auto g = dyn_cast<linalg::GenericOp>(op))
      return visitGeneric(b, g);
    bool anyActive = llvm::any_of(op->getOperands(), [&](Value v) {
      return active.contains(v) && isFloatTensor(v.getType());
    });
    if (!anyActive)
      return success();
    return op->emitError() << "dc-differentiate: '" << op->getName()
                           << "' is not differentiable";
  }

  LogicalResult visitGeneric(OpBuilder &b, linalg::GenericOp op) {
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
               << "dc-differentiate: a linalg.generic whose maps are not "
                  "projected permutations or sums of loops times constants";
      window = true;
    }
    for (Type t : op->getResultTypes())
      if (!isFloatTensor(t))
        return op.emitError() << "dc-differentiate: results must be static "
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
        return op.emitError() << "dc-differentiate: a reduction must "
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
          b, loc, type, {a, count},
          [](OpBuilder &nb, Location nl, ValueRange v) {
            return arith::DivFOp::create(nb, nl, v[0], v[1]).getResult();
          });
      Value toInit = elementwise(
          b, loc, type, {a, count},
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

  /// The adjoint of a tensor `t` the body reads with tensor.extract: a
  /// segment sum over the op's loops (all reductions) and t's dimensions
  /// (parallel): each element of t collects the adjoints of the extracts
  /// whose indices equal its own. (MLIR 22's tensor.scatter does not
  /// bufferize, and this needs no atomics.)
  LogicalResult adjointOfCaptured(OpBuilder &b, linalg::GenericOp op, Value t,
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
          ScalarReverse reverse(nb, map);
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

  /// Elementwise `f` over tensors of `type`.
  Value elementwise(OpBuilder &b, Location loc, RankedTensorType type,
                    ValueRange ins,
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

  /// No iteration matched (firstMatch): larger than any linear index.
  static constexpr double kNoMatch = 1e30;

  /// Whether every result of `m` is a loop or a sum of loops times
  /// positive constants, each loop in one result at most.
  static bool isWindowMap(AffineMap m) {
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

  /// `e` as sum of (loop, coefficient), if it is one.
  static bool linearTerms(AffineExpr e,
                          SmallVectorImpl<std::pair<unsigned, int64_t>> &out) {
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

  /// The value of a window map's result `e` at loop values `loops`.
  static Value evaluate(OpBuilder &b, Location loc, AffineExpr e,
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

  /// The linear index of the reduction loops of `op` (row-major in loop
  /// order) at loop values `loops`, as a float of `type`.
  static Value reductionIndex(OpBuilder &b, Location loc, linalg::GenericOp op,
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

  /// The loop values applySeeds needs: none unless a seed is gated by its
  /// iteration (firstOnly), which is rare (pooling), and the body runs for
  /// every iteration.
  static SmallVector<Value> seedLoops(OpBuilder &b, Location loc,
                                      ArrayRef<Seed> seeds, unsigned loops) {
    if (llvm::none_of(seeds, [](const Seed &s) { return s.firstOnly; }))
      return {};
    return loopIndices(b, loc, loops);
  }

  /// The loop values of a generic's body, as linalg.index.
  static SmallVector<Value> loopIndices(OpBuilder &b, Location loc,
                                        unsigned loops) {
    SmallVector<Value> v;
    for (unsigned l = 0; l < loops; ++l)
      v.push_back(linalg::IndexOp::create(b, loc, l));
    return v;
  }

  /// A reduction over `op`'s loops into the shape of result `j`, from
  /// `init`: `combine(acc, matches)` in every iteration, where `matches`
  /// says whether the iteration's value `e` equals the result.
  Value overMatches(
      OpBuilder &b, linalg::GenericOp op, unsigned j, Value e, double init,
      function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
    Location loc = op.getLoc();
    unsigned numOperands = op->getNumOperands();
    Value result = op.getResult(j);
    auto type = cast<RankedTensorType>(result.getType());
    AffineMap resultMap =
        op.getIndexingMapMatchingResult(cast<OpResult>(result));
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

  /// For each element of result `j` of a max/min reduction, the linear
  /// index of the first iteration whose value `e` equals it (kNoMatch if
  /// none).
  Value firstMatch(OpBuilder &b, linalg::GenericOp op, unsigned j, Value e) {
    return overMatches(
        b, op, j, e, kNoMatch,
        [&](OpBuilder &nb, Location nl, Value acc, Value eq) -> Value {
          Value here = reductionIndex(nb, nl, op,
                                      loopIndices(nb, nl, op.getNumLoops()),
                                      acc.getType());
          Value lower = arith::MinimumFOp::create(nb, nl, acc, here);
          return arith::SelectOp::create(nb, nl, eq, lower, acc);
        });
  }

  /// For each element of result `j` of a max/min reduction, how many
  /// iterations produce a value `e` equal to it.
  Value countMatches(OpBuilder &b, linalg::GenericOp op, unsigned j, Value e) {
    return overMatches(
        b, op, j, e, 0.0,
        [](OpBuilder &nb, Location nl, Value acc, Value eq) -> Value {
          Value one = floatConstant(nb, nl, acc.getType(), 1.0);
          Value zero = floatConstant(nb, nl, acc.getType(), 0.0);
          Value add = arith::SelectOp::create(nb, nl, eq, one, zero);
          return arith::AddFOp::create(nb, nl, acc, add);
        });
  }

  /// Clones `op`'s body (without its yield) at `nb`, its block arguments
  /// mapped to the first arguments in `args`; returns the original ops.
  static SmallVector<Operation *> cloneBody(OpBuilder &nb, linalg::GenericOp op,
                                            ValueRange args, IRMapping &map) {
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

  /// Adds the seeds' tensors as inputs of an adjoint generic whose loops
  /// start with `op`'s (`extend` widens the result maps to its loops).
  void addSeedInputs(linalg::GenericOp op, ArrayRef<Seed> seeds,
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

  /// In an adjoint body whose seed arguments start at `args[base]`, seeds
  /// the scalar reverse mode (gated ones only where the value equals the
  /// gate).
  void applySeeds(OpBuilder &nb, Location nl, linalg::GenericOp op,
                  ArrayRef<Seed> seeds, ArrayRef<Value> seeded,
                  ValueRange seedValues, ArrayRef<Value> loops,
                  IRMapping &map, ScalarReverse &reverse) {
    unsigned base = 0;
    for (const Seed &s : seeds) {
      Value a = seedValues[base++];
      if (s.gate) {
        Value g = seedValues[base++];
        Value here = s.firstOnly ? reductionIndex(nb, nl, op, loops,
                                                  g.getType())
                                 : map.lookup(seeded[s.result]);
        Value eq =
            arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, here, g);
        a = arith::SelectOp::create(nb, nl, eq, a,
                                    floatConstant(nb, nl, a.getType(), 0.0));
      }
      reverse.seed(seeded[s.result], a);
    }
  }

  static bool dependsOn(Value v, Value on) {
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

  /// The adjoint of an input `k` read through a window map (a
  /// convolution's or pooling's input): the transposed operation in gather
  /// form. Its loops are the operand's dimensions (parallel) and the op's
  /// loops that a window map result adds to another (kh, kw, and the loops
  /// the operand does not use: reductions); each result oh * s + kh * d =
  /// ih is solved for the loop the op's outputs use (oh = (ih - kh * d) /
  /// s, an iteration only where that divides and is in range), and the
  /// other operands and the seeds are read with tensor.extract there.
  LogicalResult adjointOfWindowOperand(OpBuilder &b, linalg::GenericOp op,
                                       unsigned k, ArrayRef<Value> seeded,
                                       ArrayRef<Seed> seeds) {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Block &body = op.getRegion().front();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    unsigned numInputs = op.getNumDpsInputs(), numInits = op.getNumDpsInits();
    unsigned loops = op.getNumLoops();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    AffineMap mk = maps[k];
    unsigned rank = mk.getNumResults();
    // Which loops the outputs index.
    llvm::SmallBitVector outer(loops);
    for (unsigned j = 0; j < numInits; ++j)
      for (unsigned l = 0; l < loops; ++l)
        if (maps[numInputs + j].isFunctionOfDim(l))
          outer.set(l);
    // Each loop is the operand's dimension r (direct), solved from
    // dimension r, or a loop of the new generic.
    enum Kind { Free, Direct, Solved };
    SmallVector<Kind> kind(loops, Free);
    SmallVector<unsigned> dimOf(loops, 0);
    SmallVector<SmallVector<std::pair<unsigned, int64_t>>> termsOf(rank);
    for (unsigned r = 0; r < rank; ++r) {
      auto &terms = termsOf[r];
      linearTerms(mk.getResult(r), terms);
      if (terms.size() == 1 && terms[0].second == 1) {
        kind[terms[0].first] = Direct;
        dimOf[terms[0].first] = r;
        continue;
      }
      // Solve for the loop with the largest range (an output loop on a
      // tie): the others are iterated, so fewer iterations are wasted.
      int solved = -1;
      for (auto [d, c] : terms) {
        if (solved < 0 || ranges[d] > ranges[solved] ||
            (ranges[d] == ranges[solved] && outer.test(d) &&
             !outer.test(solved)))
          solved = int(d);
      }
      kind[solved] = Solved;
      dimOf[solved] = r;
    }
    SmallVector<unsigned> free;
    for (unsigned l = 0; l < loops; ++l)
      if (kind[l] == Free)
        free.push_back(l);
    unsigned newLoops = rank + free.size();
    auto operandType = cast<RankedTensorType>(op->getOperand(k).getType());
    AffineMap identity = AffineMap::getMultiDimIdentityMap(newLoops, ctx)
                             .getMajorSubMap(rank);
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
      ins.push_back(tensor::EmptyOp::create(b, loc, shape,
                                            operandType.getElementType()));
      newMaps.push_back(AffineMap::get(newLoops, 0, dims, ctx));
    }
    newMaps.push_back(identity);
    std::string error;
    auto gen = linalg::GenericOp::create(
        b, loc, TypeRange{operandType}, ins, ValueRange{zero}, newMaps,
        iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
          auto index = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(nb, nl, v);
          };
          // The op's loop values here, and whether this is an iteration.
          SmallVector<Value> at(loops);
          for (unsigned l = 0; l < loops; ++l)
            if (kind[l] == Free)
              at[l] = linalg::IndexOp::create(
                  nb, nl, rank + unsigned(llvm::find(free, l) - free.begin()));
            else if (kind[l] == Direct)
              at[l] = linalg::IndexOp::create(nb, nl, dimOf[l]);
          Value valid = arith::ConstantIntOp::create(nb, nl, 1, 1);
          auto both = [&](Value c) {
            valid = arith::AndIOp::create(nb, nl, valid, c);
          };
          for (unsigned l = 0; l < loops; ++l) {
            if (kind[l] != Solved)
              continue;
            Value rest = linalg::IndexOp::create(nb, nl, dimOf[l]);
            int64_t coefficient = 1;
            for (auto [d, c] : termsOf[dimOf[l]]) {
              if (d == l) {
                coefficient = c;
                continue;
              }
              rest = arith::SubIOp::create(
                  nb, nl, rest,
                  arith::MulIOp::create(nb, nl, at[d], index(c)));
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
          ScalarReverse reverse(nb, map);
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

  /// The generic computing the adjoint of operand `k` of `op`.
  LogicalResult adjointOfOperand(OpBuilder &b, linalg::GenericOp op, unsigned k,
                                 ArrayRef<Value> seeded, ArrayRef<Seed> seeds) {
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
          ScalarReverse reverse(nb, map);
          applySeeds(nb, nl, op, seeds, seeded,
                     args.drop_front(numInputs + numInits),
                     seedLoops(nb, nl, seeds, op.getNumLoops()),
                     map, reverse);
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

  func::FuncOp grad;
  llvm::DenseSet<Value> active;
  llvm::DenseMap<Value, Value> adj;
};

} // namespace

/// Named linalg ops become generics (one rule then covers them all).
static LogicalResult generalizeAll(func::FuncOp func) {
  IRRewriter rewriter(func.getContext());
  SmallVector<linalg::LinalgOp> named;
  func.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp>(op))
      named.push_back(op);
  });
  for (linalg::LinalgOp op : named) {
    rewriter.setInsertionPoint(op);
    if (failed(linalg::generalizeNamedOp(rewriter, op)))
      return op->emitError()
             << "dc-differentiate: cannot generalize '" << op->getName() << "'";
  }
  return success();
}

FailureOr<func::FuncOp> mlir::dc::buildGradientFunction(func::FuncOp func,
                                                        StringRef name) {
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError() << "dc-differentiate: @" << func.getSymName()
                            << " needs a body of one block";
  auto resultType = func.getNumResults() == 1
                        ? dyn_cast<RankedTensorType>(func.getResultTypes()[0])
                        : RankedTensorType();
  if (!resultType || resultType.getRank() != 0 ||
      !(resultType.getElementType().isF32() ||
        resultType.getElementType().isF64()))
    return func.emitError() << "dc-differentiate: @" << func.getSymName()
                            << " must return one 0-d f32 or f64 tensor (a "
                               "loss)";
  OpBuilder b(func);
  b.setInsertionPointAfter(func);
  auto grad = cast<func::FuncOp>(b.clone(*func));
  grad.setSymName(name);
  grad.setPublic();
  if (failed(generalizeAll(grad))) {
    grad.erase();
    return failure();
  }
  Block &body = grad.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Operation *> forward;
  for (Operation &op : body.without_terminator())
    forward.push_back(&op);
  Differentiator d(grad);
  Value loss = ret.getOperand(0);
  OpBuilder at(ret);
  Value one =
      d.filled(at, ret.getLoc(), cast<RankedTensorType>(loss.getType()), 1.0);
  if (failed(d.sweep(forward, loss, one, ret))) {
    grad.erase();
    return failure();
  }
  SmallVector<Value> results = {loss};
  for (BlockArgument arg : body.getArguments())
    if (isFloatTensor(arg.getType()))
      results.push_back(d.gradientOf(arg, ret));
  ret->setOperands(results);
  grad.setType(FunctionType::get(grad.getContext(), body.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  return grad;
}

//===----------------------------------------------------------------------===//
// The training step: a fused softmax cross-entropy
//===----------------------------------------------------------------------===//

namespace {

/// Builds linalg.generic ops at `b` over rank-1 [B] and rank-2 [B, C]
/// tensors of element type `t`.
struct LossBuilder {
  OpBuilder &b;
  Location loc;
  Type t;
  int64_t rows, classes;

  AffineMap map(std::initializer_list<unsigned> dims, unsigned loops) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : dims)
      exprs.push_back(b.getAffineDimExpr(d));
    return AffineMap::get(loops, 0, exprs, b.getContext());
  }
  Value filled(ArrayRef<int64_t> shape, double v) {
    Value init = tensor::EmptyOp::create(b, loc, shape, t);
    return linalg::FillOp::create(b, loc, floatConstant(b, loc, t, v), init)
        .getResult(0);
  }
  Value generic(ArrayRef<int64_t> shape, ValueRange ins,
                ArrayRef<AffineMap> maps,
                ArrayRef<utils::IteratorType> iterators, Value init,
                function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    if (!init)
      init = tensor::EmptyOp::create(b, loc, shape, t);
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps,
               iterators,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 linalg::YieldOp::create(nb, nl, body(nb, nl, args));
               })
        .getResult(0);
  }
  /// The label of row `row` as an index clamped to [0, C).
  Value label(OpBuilder &nb, Location nl, Value raw) {
    Value i = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), raw);
    Value lo = arith::ConstantIndexOp::create(nb, nl, 0);
    Value hi = arith::ConstantIndexOp::create(nb, nl, classes - 1);
    return arith::MinSIOp::create(nb, nl, arith::MaxSIOp::create(nb, nl, i, lo),
                                  hi);
  }
};

/// Whether `v` is computed as a softmax (exp divided by a sum).
bool isSoftmax(Value v) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g)
    return false;
  bool div = false, exp = false;
  auto scan = [&](linalg::GenericOp op) {
    op.getRegion().walk([&](Operation *o) {
      div |= isa<arith::DivFOp>(o);
      exp |= isa<math::ExpOp>(o);
    });
  };
  scan(g);
  for (Value in : g.getDpsInputs())
    if (auto p = in.getDefiningOp<linalg::GenericOp>())
      scan(p);
  return div && exp;
}

} // namespace

LogicalResult mlir::dc::buildTrainStep(func::FuncOp forward, StringRef stepName,
                                       StringRef lossName,
                                       const TrainLoss &trainLoss) {
  if (forward.isExternal() || !forward.getBody().hasOneBlock())
    return forward.emitError() << "dc-differentiate: @" << forward.getSymName()
                               << " needs a body of one block";
  auto logitsType =
      forward.getNumResults() == 1
          ? dyn_cast<RankedTensorType>(forward.getResultTypes()[0])
          : RankedTensorType();
  if (!logitsType || logitsType.getRank() != 2 ||
      !logitsType.hasStaticShape() ||
      !(logitsType.getElementType().isF32() ||
        logitsType.getElementType().isF64()))
    return forward.emitError()
           << "dc-differentiate: loss=cross-entropy needs @"
           << forward.getSymName()
           << " to return logits, one static f32 or f64 tensor [B, C]";
  bool anyParam = false;
  for (unsigned i = 0; i < forward.getNumArguments(); ++i)
    anyParam |= bool(forward.getArgAttr(i, kParamAttrName));
  if (!anyParam)
    return forward.emitError() << "dc-differentiate: @" << forward.getSymName()
                               << " has no dc.param arguments to train (run "
                                  "dc-parametrize first)";
  auto ret = cast<func::ReturnOp>(forward.getBody().front().getTerminator());
  if (isSoftmax(ret.getOperand(0)))
    return ret.getOperand(0).getDefiningOp()->emitError()
           << "dc-differentiate: @" << forward.getSymName()
           << " ends in a softmax; cross-entropy needs the logits (remove the "
              "softmax)";

  Type t = logitsType.getElementType();
  int64_t rows = logitsType.getDimSize(0), classes = logitsType.getDimSize(1);
  OpBuilder mb(forward);
  mb.setInsertionPointAfter(forward);
  auto step = cast<func::FuncOp>(mb.clone(*forward));
  step.setSymName(stepName);
  step.setPublic();
  auto fail = [&] {
    step.erase();
    return failure();
  };
  if (failed(generalizeAll(step)))
    return fail();
  Block &body = step.getBody().front();
  Location loc = step.getLoc();
  auto labelsType = RankedTensorType::get({rows}, mb.getI64Type());
  auto weightsType = RankedTensorType::get({rows}, t);
  unsigned n = step.getNumArguments();
  bool distill = trainLoss.distillation;
  if (failed(step.insertArgument(n, labelsType, {}, loc)) ||
      failed(step.insertArgument(n + 1, weightsType, {}, loc)) ||
      (distill && failed(step.insertArgument(n + 2, logitsType, {}, loc))))
    return fail();
  Value labels = body.getArgument(n), weights = body.getArgument(n + 1);
  Value teacher = distill ? body.getArgument(n + 2) : Value();
  auto stepRet = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Operation *> forwardOps;
  for (Operation &op : body.without_terminator())
    forwardOps.push_back(&op);
  Value logits = stepRet.getOperand(0);

  OpBuilder b(stepRet);
  LossBuilder l{b, loc, t, rows, classes};
  using IT = utils::IteratorType;
  IT par = IT::parallel, red = IT::reduction;
  AffineMap bc = l.map({0, 1}, 2), bOf2 = l.map({0}, 2), b1 = l.map({0}, 1);
  AffineMap none1 = AffineMap::get(1, 0, {}, b.getContext());
  AffineMap none2 = AffineMap::get(2, 0, {}, b.getContext());
  AffineMap scalar = AffineMap::get(0, 0, {}, b.getContext());
  // logsumexp over classes of scale * x, stably (row maxima first).
  auto logSumExp = [&](Value x, double scale) {
    auto scaled = [&](OpBuilder &nb, Location nl, Value v) -> Value {
      if (scale == 1.0)
        return v;
      return arith::MulFOp::create(nb, nl, v, floatConstant(nb, nl, t, scale));
    };
    Value m = l.generic(
        {rows}, {x}, {bc, bOf2}, {par, red}, l.filled({rows}, -INFINITY),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return arith::MaximumFOp::create(nb, nl, scaled(nb, nl, a[0]), a[1]);
        });
    Value sum = l.generic(
        {rows}, {x, m}, {bc, bOf2, bOf2}, {par, red}, l.filled({rows}, 0.0),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value d = arith::SubFOp::create(nb, nl, scaled(nb, nl, a[0]), a[1]);
          return arith::AddFOp::create(nb, nl, a[2],
                                       math::ExpOp::create(nb, nl, d));
        });
    return l.generic({rows}, {m, sum}, {b1, b1, b1}, {par}, Value(),
                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       return arith::AddFOp::create(
                           nb, nl, a[0], math::LogOp::create(nb, nl, a[1]));
                     });
  };
  Value lse = logSumExp(logits, 1.0);
  double T = trainLoss.temperature, alpha = distill ? trainLoss.alpha : 0.0;
  // Distillation: KL(softmax(teacher / T) || softmax(logits / T)) per row,
  // from the two log-softmaxes (p_t log p_t is 0 where p_t underflows).
  Value lseS, lseT, kl;
  if (distill) {
    lseS = logSumExp(logits, 1.0 / T);
    lseT = logSumExp(teacher, 1.0 / T);
    kl = l.generic(
        {rows}, {logits, teacher, lseS, lseT}, {bc, bc, bOf2, bOf2, bOf2},
        {par, red}, l.filled({rows}, 0.0),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value invT = floatConstant(nb, nl, t, 1.0 / T);
          Value ls = arith::SubFOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, a[0], invT), a[2]);
          Value lt = arith::SubFOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, a[1], invT), a[3]);
          Value pt = math::ExpOp::create(nb, nl, lt);
          Value term = arith::MulFOp::create(
              nb, nl, pt, arith::SubFOp::create(nb, nl, lt, ls));
          return arith::AddFOp::create(nb, nl, a[4], term);
        });
  }
  // The logit of each row's label.
  Value picked =
      l.generic({rows}, {labels}, {b1, b1}, {par}, Value(),
                [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  Value row = linalg::IndexOp::create(nb, nl, 0);
                  return tensor::ExtractOp::create(
                      nb, nl, logits, ValueRange{row, l.label(nb, nl, a[0])});
                });
  // W = sum w, and the weighted mean of lse - picked.
  Value total =
      l.generic({}, {weights}, {b1, none1}, {red}, l.filled({}, 0.0),
                [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  return arith::AddFOp::create(nb, nl, a[0], a[1]);
                });
  SmallVector<Value> rowTerms = {weights, lse, picked};
  if (distill)
    rowTerms.push_back(kl);
  SmallVector<AffineMap> rowMaps(rowTerms.size(), b1);
  rowMaps.push_back(none1);
  Value weighted = l.generic(
      {}, rowTerms, rowMaps, {red}, l.filled({}, 0.0),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        // (1 - alpha) * ce + alpha * T^2 * kl, weighted by the row.
        Value row = arith::SubFOp::create(nb, nl, a[1], a[2]);
        if (distill) {
          Value ce = arith::MulFOp::create(
              nb, nl, row, floatConstant(nb, nl, t, 1.0 - alpha));
          Value kd = arith::MulFOp::create(
              nb, nl, a[3], floatConstant(nb, nl, t, alpha * T * T));
          row = arith::AddFOp::create(nb, nl, ce, kd);
        }
        return arith::AddFOp::create(nb, nl, a.back(),
                                     arith::MulFOp::create(nb, nl, a[0], row));
      });
  Value loss =
      l.generic({}, {weighted, total}, {scalar, scalar, scalar}, {}, Value(),
                [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  return arith::DivFOp::create(nb, nl, a[0], a[1]);
                });
  // d loss / d logits = w_b / W ((1 - alpha) (softmax - onehot)
  //                               + alpha T (softmax(l/T) - softmax(t/T))).
  SmallVector<Value> gradIns = {logits, lse, labels, weights, total};
  SmallVector<AffineMap> gradMaps = {bc, bOf2, bOf2, bOf2, none2};
  if (distill) {
    gradIns.append({teacher, lseS, lseT});
    gradMaps.append({bc, bOf2, bOf2});
  }
  gradMaps.push_back(bc);
  Value dlogits = l.generic(
      {rows, classes}, gradIns, gradMaps, {par, par}, Value(),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value p = math::ExpOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]));
        Value c = linalg::IndexOp::create(nb, nl, 1);
        Value hit = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, c,
                                          l.label(nb, nl, a[2]));
        Value one = floatConstant(nb, nl, t, 1.0);
        Value zero = floatConstant(nb, nl, t, 0.0);
        Value onehot = arith::SelectOp::create(nb, nl, hit, one, zero);
        Value scale = arith::DivFOp::create(nb, nl, a[3], a[4]);
        Value g = arith::SubFOp::create(nb, nl, p, onehot);
        if (distill) {
          Value invT = floatConstant(nb, nl, t, 1.0 / T);
          Value ps = math::ExpOp::create(
              nb, nl,
              arith::SubFOp::create(
                  nb, nl, arith::MulFOp::create(nb, nl, a[0], invT), a[6]));
          Value pt = math::ExpOp::create(
              nb, nl,
              arith::SubFOp::create(
                  nb, nl, arith::MulFOp::create(nb, nl, a[5], invT), a[7]));
          Value ce = arith::MulFOp::create(
              nb, nl, g, floatConstant(nb, nl, t, 1.0 - alpha));
          Value kd = arith::MulFOp::create(
              nb, nl, arith::SubFOp::create(nb, nl, ps, pt),
              floatConstant(nb, nl, t, alpha * T));
          g = arith::AddFOp::create(nb, nl, ce, kd);
        }
        return arith::MulFOp::create(nb, nl, scale, g);
      });

  // The loss alone, for evaluation and for checking the step.
  mb.setInsertionPointAfter(step);
  auto lossFn = cast<func::FuncOp>(mb.clone(*step));
  lossFn.setSymName(lossName);
  {
    auto r = cast<func::ReturnOp>(lossFn.getBody().front().getTerminator());
    // The clone's loss is the value built from the same ops: find it by
    // position (the loss generic precedes the gradient one).
    Operation *lossOp = nullptr;
    for (auto [a, bOp] :
         llvm::zip(body.without_terminator(),
                   lossFn.getBody().front().without_terminator()))
      if (&a == loss.getDefiningOp())
        lossOp = &bOp;
    r->setOperands(lossOp->getResult(0));
    lossFn.setType(FunctionType::get(
        lossFn.getContext(), lossFn.getBody().front().getArgumentTypes(),
        {loss.getType()}));
  }

  Differentiator d(step);
  if (failed(d.sweep(forwardOps, logits, dlogits, stepRet))) {
    lossFn.erase();
    return fail();
  }
  SmallVector<Value> results = {loss};
  for (BlockArgument arg : body.getArguments())
    if (step.getArgAttr(arg.getArgNumber(), kParamAttrName))
      results.push_back(d.gradientOf(arg, stepRet));
  stepRet->setOperands(results);
  step.setType(FunctionType::get(step.getContext(), body.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  return success();
}
