//===- LayerBuilders.cpp - Linalg layers in torch-mlir's shape ------------===//

#include "dc/Models/LayerBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::dc;

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

Value layers::fill(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   float value) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, b.getF32Type());
  Value scalar = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

DenseIntElementsAttr layers::i64Pair(Builder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()),
                                   values);
}

Value layers::broadcastInto(OpBuilder &b, Location loc, Value source,
                            ArrayRef<int64_t> shape, ArrayRef<int64_t> dims) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, b.getF32Type());
  return linalg::BroadcastOp::create(b, loc, source, empty, dims)
      .getResult()[0];
}

Value layers::conv2DNchwFchw(OpBuilder &b, Location loc, Value x, Value w,
                             Value init, ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> dilations) {
  return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{init.getType()},
                                          ValueRange{x, w}, ValueRange{init},
                                          i64Pair(b, strides),
                                          i64Pair(b, dilations))
      .getResult(0);
}

Value layers::pool2DNchw(OpBuilder &b, Location loc, Value x, Value acc,
                         ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                         ArrayRef<int64_t> dilations, bool max) {
  Value window = tensor::EmptyOp::create(b, loc, kernel, b.getF32Type());
  if (max)
    return linalg::PoolingNchwMaxOp::create(
               b, loc, TypeRange{acc.getType()}, ValueRange{x, window},
               ValueRange{acc}, i64Pair(b, strides), i64Pair(b, dilations))
        .getResult(0);
  return linalg::PoolingNchwSumOp::create(
             b, loc, TypeRange{acc.getType()}, ValueRange{x, window},
             ValueRange{acc}, i64Pair(b, strides), i64Pair(b, dilations))
      .getResult(0);
}

Value layers::batchNormInference(OpBuilder &b, Location loc, Value x,
                                 Value scale, Value bias, Value mean,
                                 Value var, float epsilon) {
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size();
  MLIRContext *ctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap channel = AffineMap::get(rank, 0, {b.getAffineDimExpr(1)}, ctx);
  Value init = tensor::EmptyOp::create(b, loc, shape, b.getF32Type());
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()},
             ValueRange{x, scale, bias, mean, var}, ValueRange{init},
             ArrayRef<AffineMap>{id, channel, channel, channel, channel, id},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value e =
                   arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(epsilon));
               Value centred = arith::SubFOp::create(nb, nl, a[0], a[3]);
               Value sd = math::SqrtOp::create(
                   nb, nl, arith::AddFOp::create(nb, nl, a[4], e));
               Value normed = arith::DivFOp::create(nb, nl, centred, sd);
               Value scaled = arith::MulFOp::create(nb, nl, normed, a[1]);
               Value y = arith::AddFOp::create(nb, nl, scaled, a[2]);
               linalg::YieldOp::create(nb, nl, y);
             })
      .getResult(0);
}

Value layers::transpose(OpBuilder &b, Location loc, Value x,
                        ArrayRef<int64_t> perm) {
  SmallVector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(shapeOf(x)[p]);
  Value init = tensor::EmptyOp::create(b, loc, out, b.getF32Type());
  return linalg::TransposeOp::create(b, loc, x, init, perm).getResult()[0];
}

Value layers::pad(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> low,
                  ArrayRef<int64_t> high, Value value) {
  SmallVector<int64_t> out(shapeOf(x));
  SmallVector<OpFoldResult> lo, hi;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] += low[i] + high[i];
    lo.push_back(b.getIndexAttr(low[i]));
    hi.push_back(b.getIndexAttr(high[i]));
  }
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(out, b.getF32Type()), x, lo, hi, value);
}
