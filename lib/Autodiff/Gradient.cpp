//===- Gradient.cpp - The gradient function of a scalar function ---------===//
//
// buildGradientFunction (include/dc/Autodiff/Autodiff.h): the function
// copied, generalized and swept in reverse from its 0-d result.
//
//===----------------------------------------------------------------------===//

#include "Differentiator.h"
#include "dc/Autodiff/Autodiff.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::autodiff;

/// Named linalg ops become generics (one rule then covers them all).
LogicalResult mlir::dc::autodiff::generalizeAll(func::FuncOp func,
                                                StringRef passName) {
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
             << passName << ": cannot generalize '" << op->getName() << "'";
  }
  return success();
}

FailureOr<func::FuncOp> mlir::dc::buildGradientFunction(func::FuncOp func,
                                                        StringRef name,
                                                        StringRef passName) {
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError() << passName << ": @" << func.getSymName()
                            << " needs a body of one block";
  auto resultType = func.getNumResults() == 1
                        ? dyn_cast<RankedTensorType>(func.getResultTypes()[0])
                        : RankedTensorType();
  if (!resultType || resultType.getRank() != 0 ||
      !(resultType.getElementType().isF32() ||
        resultType.getElementType().isF64()))
    return func.emitError() << passName << ": @" << func.getSymName()
                            << " must return one 0-d f32 or f64 tensor (a "
                               "loss)";
  OpBuilder b(func);
  b.setInsertionPointAfter(func);
  auto grad = cast<func::FuncOp>(b.clone(*func));
  grad.setSymName(name);
  grad.setPublic();
  if (failed(generalizeAll(grad, passName))) {
    grad.erase();
    return failure();
  }
  Block &body = grad.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Operation *> forward;
  for (Operation &op : body.without_terminator())
    forward.push_back(&op);
  Differentiator d(grad, passName);
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
