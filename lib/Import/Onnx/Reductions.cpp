//===- Reductions.cpp - The Reduce* operators -----------------------------===//
//
// ReduceMax/Min/Sum/Mean/Prod/L1/L2/SumSquare/LogSumExp as one
// linalg.generic over constant axes, then the finishing division, square
// root or logarithm.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace mlir::dc::onnx_import;

/// ReduceMax/Min/Sum/Mean/Prod/L1/L2/SumSquare/LogSumExp over constant
/// axes (an attribute, or ReduceSum's input).
LogicalResult Importer::importReduce(const OnnxOperator &op) {
  // ReduceSum takes its axes as an input since opset 13, the others as an
  // attribute until opset 18.
  bool sumForm = op.name == "ReduceSum";
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  Value x = *xv;
  FailureOr<SmallVector<int64_t>> out = outputShape();
  if (failed(out))
    return failure();
  ArrayRef<int64_t> s = shape(x);
  int64_t rank = s.size();
  std::vector<int64_t> axes;
  if (sumForm) {
    if (has(1) && failed(constantInts(1, axes, "the axes")))
      return failure();
  } else {
    axes = intsAttr("axes");
  }
  if (axes.empty()) {
    if (sumForm && intAttr("noop_with_empty_axes", 0))
      return setResult(0, x);
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  SmallVector<bool> reduced(rank, false);
  for (int64_t a : axes) {
    std::optional<int64_t> axis = normAxis(a, rank);
    if (!axis)
      return fail("an axis is out of range");
    reduced[*axis] = true;
  }
  int64_t count = 1;
  SmallVector<int64_t> kept;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    if (reduced[d]) {
      count *= s[d];
      iters.push_back(utils::IteratorType::reduction);
    } else {
      kept.push_back(s[d]);
      outExprs.push_back(b.getAffineDimExpr(d));
      iters.push_back(utils::IteratorType::parallel);
    }
  }
  std::string name = op.name.str();
  float inf = std::numeric_limits<float>::infinity();
  float init = name == "ReduceMax"    ? -inf
               : name == "ReduceMin"  ? inf
               : name == "ReduceProd" ? 1.0f
                                      : 0.0f;
  Value acc = fill(kept, init);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, &ctx);
  Value r = linalg::GenericOp::create(
                b, loc, TypeRange{acc.getType()}, ValueRange{x},
                ValueRange{acc}, ArrayRef<AffineMap>{id, outMap}, iters,
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value v = a[0];
                  Value result;
                  if (name == "ReduceMax")
                    result = arith::MaximumFOp::create(nb, nl, v, a[1]);
                  else if (name == "ReduceMin")
                    result = arith::MinimumFOp::create(nb, nl, v, a[1]);
                  else if (name == "ReduceProd")
                    result = arith::MulFOp::create(nb, nl, v, a[1]);
                  else {
                    if (name == "ReduceL1")
                      v = math::AbsFOp::create(nb, nl, v);
                    else if (name == "ReduceL2" || name == "ReduceSumSquare")
                      v = arith::MulFOp::create(nb, nl, v, v);
                    else if (name == "ReduceLogSumExp")
                      v = math::ExpOp::create(nb, nl, v);
                    result = arith::AddFOp::create(nb, nl, v, a[1]);
                  }
                  linalg::YieldOp::create(nb, nl, result);
                })
                .getResult(0);
  if (name == "ReduceMean" || name == "ReduceL2" ||
      name == "ReduceLogSumExp")
    r = unary(r, [name, count](OpBuilder &nb, Location nl, ValueRange a) {
      if (name == "ReduceMean")
        return arith::DivFOp::create(
                   nb, nl, a[0],
                   arith::ConstantOp::create(nb, nl,
                                             nb.getF32FloatAttr(float(count))))
            .getResult();
      if (name == "ReduceL2")
        return math::SqrtOp::create(nb, nl, a[0]).getResult();
      return math::LogOp::create(nb, nl, a[0]).getResult();
    });
  return setResult(0, reshapeTo(r, *out));
}
