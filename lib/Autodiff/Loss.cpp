//===- Loss.cpp - The training step: a fused softmax cross-entropy -------===//
//
// buildTrainStep (include/dc/Autodiff/Autodiff.h): the loss (cross-entropy,
// optionally mixed with distillation) and its gradient with respect to the
// logits as generics, then the reverse sweep from the logits.
//
//===----------------------------------------------------------------------===//

#include "Differentiator.h"
#include "dc/Autodiff/Autodiff.h"
#include "dc/Autodiff/Parameters.h"
#include "dc/Autodiff/Passes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::autodiff;

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

  using IT = utils::IteratorType;
  AffineMap bc() { return map({0, 1}, 2); }
  AffineMap bOf2() { return map({0}, 2); }
  AffineMap b1() { return map({0}, 1); }
  AffineMap none(unsigned loops) {
    return AffineMap::get(loops, 0, {}, b.getContext());
  }

  /// logsumexp over classes of scale * x, stably (row maxima first).
  Value logSumExp(Value x, double scale) {
    IT par = IT::parallel, red = IT::reduction;
    auto scaled = [&](OpBuilder &nb, Location nl, Value v) -> Value {
      if (scale == 1.0)
        return v;
      return arith::MulFOp::create(nb, nl, v, floatConstant(nb, nl, t, scale));
    };
    Value m = generic(
        {rows}, {x}, {bc(), bOf2()}, {par, red}, filled({rows}, -INFINITY),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return arith::MaximumFOp::create(nb, nl, scaled(nb, nl, a[0]), a[1]);
        });
    Value sum = generic(
        {rows}, {x, m}, {bc(), bOf2(), bOf2()}, {par, red}, filled({rows}, 0.0),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value d = arith::SubFOp::create(nb, nl, scaled(nb, nl, a[0]), a[1]);
          return arith::AddFOp::create(nb, nl, a[2],
                                       math::ExpOp::create(nb, nl, d));
        });
    return generic({rows}, {m, sum}, {b1(), b1(), b1()}, {par}, Value(),
                   [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                     return arith::AddFOp::create(
                         nb, nl, a[0], math::LogOp::create(nb, nl, a[1]));
                   });
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

/// The arguments and values the loss is built from.
struct LossInputs {
  Value logits, labels, weights, teacher; ///< teacher: distillation only
  double temperature, alpha;              ///< alpha 0 without distillation
};

/// The per-row values the loss and its gradient share: lse = logsumexp of
/// the logits, and with distillation those of logits / T and teacher / T.
struct RowTerms {
  Value lse, lseS, lseT;
};

/// The loss: sum_b w_b ((1 - alpha) ce_b + alpha T^2 KL_b) / sum_b w_b.
/// Returns it and sets `total` (W = sum w).
Value buildLossValue(LossBuilder &l, const LossInputs &in, const RowTerms &r,
                     Value &total) {
  using IT = utils::IteratorType;
  IT par = IT::parallel, red = IT::reduction;
  Type t = l.t;
  bool distill = bool(in.teacher);
  double T = in.temperature, alpha = in.alpha;
  AffineMap bc = l.bc(), bOf2 = l.bOf2(), b1 = l.b1(), none1 = l.none(1);
  AffineMap scalar = l.none(0);
  int64_t rows = l.rows;
  Value logits = in.logits;
  // Distillation: KL(softmax(teacher / T) || softmax(logits / T)) per row,
  // from the two log-softmaxes (p_t log p_t is 0 where p_t underflows).
  Value kl;
  if (distill) {
    kl = l.generic(
        {rows}, {logits, in.teacher, r.lseS, r.lseT},
        {bc, bc, bOf2, bOf2, bOf2}, {par, red}, l.filled({rows}, 0.0),
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
      l.generic({rows}, {in.labels}, {b1, b1}, {par}, Value(),
                [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  Value row = linalg::IndexOp::create(nb, nl, 0);
                  return tensor::ExtractOp::create(
                      nb, nl, logits, ValueRange{row, l.label(nb, nl, a[0])});
                });
  // W = sum w, and the weighted mean of lse - picked.
  total = l.generic({}, {in.weights}, {b1, none1}, {red}, l.filled({}, 0.0),
                    [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                      return arith::AddFOp::create(nb, nl, a[0], a[1]);
                    });
  SmallVector<Value> rowTerms = {in.weights, r.lse, picked};
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
  return loss;
}

/// d loss / d logits = w_b / W ((1 - alpha) (softmax - onehot)
///                               + alpha T (softmax(l/T) - softmax(t/T))).
Value buildLossGradient(LossBuilder &l, const LossInputs &in, const RowTerms &r,
                        Value total) {
  using IT = utils::IteratorType;
  IT par = IT::parallel;
  Type t = l.t;
  bool distill = bool(in.teacher);
  double T = in.temperature, alpha = in.alpha;
  AffineMap bc = l.bc(), bOf2 = l.bOf2(), none2 = l.none(2);
  int64_t rows = l.rows, classes = l.classes;
  SmallVector<Value> gradIns = {in.logits, r.lse, in.labels, in.weights, total};
  SmallVector<AffineMap> gradMaps = {bc, bOf2, bOf2, bOf2, none2};
  if (distill) {
    gradIns.append({in.teacher, r.lseS, r.lseT});
    gradMaps.append({bc, bOf2, bOf2});
  }
  gradMaps.push_back(bc);
  return l.generic(
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
}

/// The loss alone, for evaluation and for checking the step: a copy of
/// `step` returning the copy of `loss`.
func::FuncOp buildLossFunction(OpBuilder &mb, func::FuncOp step, Value loss,
                               StringRef lossName) {
  Block &body = step.getBody().front();
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
  return lossFn;
}

/// The checks of buildTrainStep's input: logits [B, C], dc.param
/// arguments, no softmax at the end.
FailureOr<RankedTensorType> checkForward(func::FuncOp forward,
                                         StringRef passName) {
  if (forward.isExternal() || !forward.getBody().hasOneBlock())
    return forward.emitError() << passName << ": @" << forward.getSymName()
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
           << passName << ": loss=cross-entropy needs @" << forward.getSymName()
           << " to return logits, one static f32 or f64 tensor [B, C]";
  bool anyParam = false;
  for (unsigned i = 0; i < forward.getNumArguments(); ++i)
    anyParam |= bool(forward.getArgAttr(i, kParamAttrName));
  if (!anyParam)
    return forward.emitError() << passName << ": @" << forward.getSymName()
                               << " has no dc.param arguments to train (run "
                               << parametrizePassName() << " first)";
  auto ret = cast<func::ReturnOp>(forward.getBody().front().getTerminator());
  if (isSoftmax(ret.getOperand(0)))
    return ret.getOperand(0).getDefiningOp()->emitError()
           << passName << ": @" << forward.getSymName()
           << " ends in a softmax; cross-entropy needs the logits (remove the "
              "softmax)";
  return logitsType;
}

} // namespace

LogicalResult mlir::dc::buildTrainStep(func::FuncOp forward, StringRef stepName,
                                       StringRef lossName,
                                       const TrainLoss &trainLoss,
                                       StringRef passName) {
  FailureOr<RankedTensorType> checked = checkForward(forward, passName);
  if (failed(checked))
    return failure();
  RankedTensorType logitsType = *checked;
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
  if (failed(generalizeAll(step, passName)))
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
  LossInputs in{logits,
                labels,
                weights,
                teacher,
                trainLoss.temperature,
                distill ? trainLoss.alpha : 0.0};
  RowTerms r;
  r.lse = l.logSumExp(logits, 1.0);
  if (distill) {
    r.lseS = l.logSumExp(logits, 1.0 / in.temperature);
    r.lseT = l.logSumExp(teacher, 1.0 / in.temperature);
  }
  Value total;
  Value loss = buildLossValue(l, in, r, total);
  Value dlogits = buildLossGradient(l, in, r, total);
  func::FuncOp lossFn = buildLossFunction(mb, step, loss, lossName);

  Differentiator d(step, passName);
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
