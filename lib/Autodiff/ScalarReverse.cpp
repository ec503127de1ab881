//===- ScalarReverse.cpp - Reverse mode of a generic's body ===//
//
// Elementwise: the scalar arith and math ops a linalg.generic's body may hold.
//
//===----------------------------------------------------------------------===//

#include "Differentiator.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::autodiff;

LogicalResult ScalarReverse::visit(Operation *op, Value a) {
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
      Value tie =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m(x), m(y));
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
    return op->emitError() << passName << ": '" << op->getName()
                           << "' in a linalg body is not differentiable";
  }
  return success();
}
