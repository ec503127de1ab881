//===- Elementwise.cpp - Elementwise ONNX operators -----------------------===//
//
// Unary and binary elementwise operators (one broadcasting linalg.generic
// around the table's scalar body), the variadic Max/Min/Sum/Mean and Clip.
//
//===----------------------------------------------------------------------===//

#include "Elementwise.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace mlir::dc::onnx_import;

LogicalResult Importer::importElementwise(const OnnxOperator &op) {
  FailureOr<SmallVector<Value>> ins = inputs(op.arity);
  if (failed(ins))
    return failure();
  FailureOr<SmallVector<int64_t>> out = outputShape();
  if (failed(out))
    return failure();
  if (failed(checkBroadcast(*ins, *out)))
    return failure();
  ScalarBody scalarBody = op.body;
  Body body = [this, scalarBody](OpBuilder &nb, Location nl,
                                 ValueRange a) -> Value {
    return scalarBody(*this, nb, nl, a);
  };
  return setResult(0, elementwise(*ins, *out, body));
}

LogicalResult Importer::importClip(const OnnxOperator &) {
  FailureOr<Value> x = get(0);
  if (failed(x))
    return failure();
  // Bounds: constants when they are, else run-time scalars.
  SmallVector<Value> ins = {*x};
  float bounds[2] = {-std::numeric_limits<float>::infinity(),
                     std::numeric_limits<float>::infinity()};
  bool runtime[2] = {false, false};
  for (int i = 1; i <= 2; ++i) {
    if (!has(i))
      continue;
    if (constantInput(i)) {
      FailureOr<float> v = constantScalar(i, i == 1 ? "min" : "max");
      if (failed(v))
        return failure();
      bounds[i - 1] = *v;
      continue;
    }
    FailureOr<Value> v = get(i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
    runtime[i - 1] = true;
  }
  Body body = [=](OpBuilder &nb, Location nl, ValueRange a) -> Value {
    Value v = a[0];
    int next = 1;
    for (int i = 0; i < 2; ++i) {
      Value bound =
          runtime[i] ? a[next++]
                     : arith::ConstantOp::create(nb, nl,
                                                 nb.getF32FloatAttr(bounds[i]))
                           .getResult();
      v = i == 0 ? arith::MaximumFOp::create(nb, nl, v, bound).getResult()
                 : arith::MinimumFOp::create(nb, nl, v, bound).getResult();
    }
    return v;
  };
  return setResult(0, elementwise(ins, shape(*x), body));
}

/// Max, Min, Sum, Mean of any number of broadcast inputs.
LogicalResult Importer::importVariadic(const OnnxOperator &op) {
  FailureOr<SmallVector<Value>> ins = inputs(node->input_size());
  if (failed(ins))
    return failure();
  if (ins->empty())
    return fail("no inputs");
  FailureOr<SmallVector<int64_t>> out = outputShape();
  if (failed(out) || failed(checkBroadcast(*ins, *out)))
    return failure();
  std::string name = op.name.str();
  Body body = [name](OpBuilder &nb, Location nl, ValueRange a) -> Value {
    Value v = a[0];
    for (Value x : a.drop_front()) {
      if (name == "Max")
        v = arith::MaximumFOp::create(nb, nl, v, x);
      else if (name == "Min")
        v = arith::MinimumFOp::create(nb, nl, v, x);
      else
        v = arith::AddFOp::create(nb, nl, v, x);
    }
    if (name == "Mean")
      v = arith::DivFOp::create(
          nb, nl, v,
          arith::ConstantOp::create(nb, nl,
                                    nb.getF32FloatAttr(float(a.size()))));
    return v;
  };
  return setResult(0, elementwise(*ins, *out, body));
}

//===----------------------------------------------------------------------===//
// Scalar bodies
//===----------------------------------------------------------------------===//

namespace {
Value cst(OpBuilder &nb, Location nl, float v) {
  return arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(v));
}
} // namespace

namespace mlir::dc::onnx_import::scalar {

// A body that does not read attributes leaves `imp` unused.
#define BODY(NAME)                                                             \
  Value NAME([[maybe_unused]] const Importer &imp, OpBuilder &nb, Location nl, \
             ValueRange a)

BODY(add) {
  return arith::AddFOp::create(nb, nl, a[0], a[1]);
}
BODY(sub) {
  return arith::SubFOp::create(nb, nl, a[0], a[1]);
}
BODY(mul) {
  return arith::MulFOp::create(nb, nl, a[0], a[1]);
}
BODY(div) {
  return arith::DivFOp::create(nb, nl, a[0], a[1]);
}
BODY(relu) {
  return arith::MaximumFOp::create(nb, nl, a[0], cst(nb, nl, 0.0f));
}
BODY(leakyRelu) {
  float alpha = imp.floatAttr("alpha", 0.01f);
  Value zero = cst(nb, nl, 0.0f);
  Value gt =
      arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0], zero);
  Value scaled = arith::MulFOp::create(nb, nl, a[0], cst(nb, nl, alpha));
  return arith::SelectOp::create(nb, nl, gt, a[0], scaled);
}
BODY(sigmoid) {
  Value neg = arith::NegFOp::create(nb, nl, a[0]);
  Value e = math::ExpOp::create(nb, nl, neg);
  Value den = arith::AddFOp::create(nb, nl, cst(nb, nl, 1.0f), e);
  return arith::DivFOp::create(nb, nl, cst(nb, nl, 1.0f), den);
}
BODY(tanh) {
  return math::TanhOp::create(nb, nl, a[0]);
}
BODY(prelu) {
  Value gt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0],
                                   cst(nb, nl, 0.0f));
  Value scaled = arith::MulFOp::create(nb, nl, a[0], a[1]);
  return arith::SelectOp::create(nb, nl, gt, a[0], scaled);
}

/// x > 0 ? x : alpha * (exp(x) - 1), times gamma for Selu.
static Value eluLike(OpBuilder &nb, Location nl, ValueRange a, float alpha,
                     std::optional<float> gamma) {
  Value gt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0],
                                   cst(nb, nl, 0.0f));
  Value e = math::ExpOp::create(nb, nl, a[0]);
  Value em1 = arith::SubFOp::create(nb, nl, e, cst(nb, nl, 1.0f));
  Value neg = arith::MulFOp::create(nb, nl, em1, cst(nb, nl, alpha));
  Value v = arith::SelectOp::create(nb, nl, gt, a[0], neg);
  if (gamma)
    v = arith::MulFOp::create(nb, nl, v, cst(nb, nl, *gamma));
  return v;
}
BODY(elu) { return eluLike(nb, nl, a, imp.floatAttr("alpha", 1.0f), {}); }
BODY(selu) {
  return eluLike(nb, nl, a, imp.floatAttr("alpha", 1.67326319217681884765625f),
                 imp.floatAttr("gamma", 1.05070102214813232421875f));
}
BODY(hardSigmoid) {
  float alpha = imp.floatAttr("alpha", 0.2f), beta = imp.floatAttr("beta", 0.5f);
  Value v = arith::AddFOp::create(
      nb, nl, arith::MulFOp::create(nb, nl, a[0], cst(nb, nl, alpha)),
      cst(nb, nl, beta));
  v = arith::MaximumFOp::create(nb, nl, v, cst(nb, nl, 0.0f));
  return arith::MinimumFOp::create(nb, nl, v, cst(nb, nl, 1.0f));
}
BODY(softplus) {
  // log(1 + exp(x)), as max(x, 0) + log(1 + exp(-|x|)) (no overflow).
  Value absx = math::AbsFOp::create(nb, nl, a[0]);
  Value e = math::ExpOp::create(nb, nl, arith::NegFOp::create(nb, nl, absx));
  Value l = math::Log1pOp::create(nb, nl, e);
  Value m = arith::MaximumFOp::create(nb, nl, a[0], cst(nb, nl, 0.0f));
  return arith::AddFOp::create(nb, nl, m, l);
}
BODY(softsign) {
  Value den = arith::AddFOp::create(nb, nl, cst(nb, nl, 1.0f),
                                    math::AbsFOp::create(nb, nl, a[0]));
  return arith::DivFOp::create(nb, nl, a[0], den);
}
BODY(log) {
  return math::LogOp::create(nb, nl, a[0]);
}
BODY(pow) {
  return math::PowFOp::create(nb, nl, a[0], a[1]);
}
BODY(erf) {
  return math::ErfOp::create(nb, nl, a[0]);
}
BODY(sin) {
  return math::SinOp::create(nb, nl, a[0]);
}
BODY(cos) {
  return math::CosOp::create(nb, nl, a[0]);
}
BODY(atan) {
  return math::AtanOp::create(nb, nl, a[0]);
}
BODY(floor) {
  return math::FloorOp::create(nb, nl, a[0]);
}
BODY(ceil) {
  return math::CeilOp::create(nb, nl, a[0]);
}
BODY(sign) {
  Value pos = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0],
                                    cst(nb, nl, 0.0f));
  Value neg = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT, a[0],
                                    cst(nb, nl, 0.0f));
  Value v = arith::SelectOp::create(nb, nl, neg, cst(nb, nl, -1.0f),
                                    cst(nb, nl, 0.0f));
  return arith::SelectOp::create(nb, nl, pos, cst(nb, nl, 1.0f), v);
}
BODY(thresholdedRelu) {
  float alpha = imp.floatAttr("alpha", 1.0f);
  Value gt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0],
                                   cst(nb, nl, alpha));
  return arith::SelectOp::create(nb, nl, gt, a[0], cst(nb, nl, 0.0f));
}
BODY(celu) {
  // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
  float alpha = imp.floatAttr("alpha", 1.0f);
  Value e = math::ExpOp::create(
      nb, nl, arith::DivFOp::create(nb, nl, a[0], cst(nb, nl, alpha)));
  Value neg = arith::MulFOp::create(
      nb, nl, cst(nb, nl, alpha),
      arith::SubFOp::create(nb, nl, e, cst(nb, nl, 1.0f)));
  Value lo = arith::MinimumFOp::create(nb, nl, neg, cst(nb, nl, 0.0f));
  Value hi = arith::MaximumFOp::create(nb, nl, a[0], cst(nb, nl, 0.0f));
  return arith::AddFOp::create(nb, nl, hi, lo);
}
BODY(hardSwish) {
  // x * max(0, min(1, x / 6 + 1 / 2))
  Value v = arith::AddFOp::create(
      nb, nl, arith::MulFOp::create(nb, nl, a[0], cst(nb, nl, 1.0f / 6.0f)),
      cst(nb, nl, 0.5f));
  v = arith::MaximumFOp::create(nb, nl, v, cst(nb, nl, 0.0f));
  v = arith::MinimumFOp::create(nb, nl, v, cst(nb, nl, 1.0f));
  return arith::MulFOp::create(nb, nl, a[0], v);
}
BODY(mish) {
  // x * tanh(softplus(x))
  Value absx = math::AbsFOp::create(nb, nl, a[0]);
  Value e = math::ExpOp::create(nb, nl, arith::NegFOp::create(nb, nl, absx));
  Value sp = arith::AddFOp::create(
      nb, nl, arith::MaximumFOp::create(nb, nl, a[0], cst(nb, nl, 0.0f)),
      math::Log1pOp::create(nb, nl, e));
  return arith::MulFOp::create(nb, nl, a[0], math::TanhOp::create(nb, nl, sp));
}
BODY(exp) {
  return math::ExpOp::create(nb, nl, a[0]);
}
BODY(neg) {
  return arith::NegFOp::create(nb, nl, a[0]);
}
BODY(abs) {
  return math::AbsFOp::create(nb, nl, a[0]);
}
BODY(sqrt) {
  return math::SqrtOp::create(nb, nl, a[0]);
}
BODY(reciprocal) {
  return arith::DivFOp::create(nb, nl, cst(nb, nl, 1.0f), a[0]);
}

#undef BODY

} // namespace mlir::dc::onnx_import::scalar
