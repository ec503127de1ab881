//===- Normalization.cpp - Normalisation and softmax ----------------------===//
//
// BatchNormalization (inference: the frozen form dc-model-gen builds too),
// LayerNormalization, InstanceNormalization, Softmax and LogSoftmax.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "dc/Models/LayerBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::dc::onnx_import;
namespace layers = mlir::dc::layers;

LogicalResult Importer::importBatchNorm(const OnnxOperator &) {
  if (intAttr("training_mode", 0) != 0)
    return fail("training_mode 1 is not supported (inference only)");
  for (int i = 1; i < node->output_size(); ++i)
    if (!node->output(i).empty())
      return fail("the running statistics outputs are not supported "
                  "(inference only)");
  FailureOr<SmallVector<Value>> ins = inputs(5);
  if (failed(ins))
    return failure();
  ArrayRef<int64_t> s = shape((*ins)[0]);
  int64_t rank = s.size();
  if (rank < 2)
    return fail("the input needs a channel dimension");
  for (int i = 1; i < 5; ++i)
    if (shape((*ins)[i]).size() != 1 || shape((*ins)[i])[0] != s[1])
      return fail("scale, bias, mean and variance must be [C]");
  float eps = floatAttr("epsilon", 1e-5f);
  return setResult(0, layers::batchNormInference(b, loc, (*ins)[0], (*ins)[1],
                                                 (*ins)[2], (*ins)[3],
                                                 (*ins)[4], eps));
}

/// LayerNormalization (opset 17): over dimensions [axis, rank),
/// (x - mean) / sqrt(var + eps) * scale + bias; Mean and InvStdDev
/// outputs when asked for.
LogicalResult Importer::importLayerNorm(const OnnxOperator &) {
  if (intAttr("stash_type", 1) != 1)
    return fail("only stash_type 1 (float) is supported");
  FailureOr<Value> xv = get(0), scale = get(1);
  if (failed(xv) || failed(scale))
    return failure();
  Value x = *xv;
  int64_t rank = shape(x).size();
  std::optional<int64_t> axis = normAxis(intAttr("axis", -1), rank);
  if (!axis)
    return fail("'axis' is out of range");
  SmallVector<Value> affine = {*scale};
  if (has(2)) {
    FailureOr<Value> bias = get(2);
    if (failed(bias))
      return failure();
    affine.push_back(*bias);
  }
  if (failed(checkBroadcast(affine, shape(x))))
    return failure();
  float eps = floatAttr("epsilon", 1e-5f);
  Value mean = meanOver(x, *axis);
  Value centred = subtract(x, mean);
  Value var = meanOver(square(centred), *axis);
  Value inv = unary(var, [eps](OpBuilder &nb, Location nl, ValueRange a) {
    Value e = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(eps));
    Value sd = math::SqrtOp::create(nb, nl,
                                    arith::AddFOp::create(nb, nl, a[0], e));
    Value one = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(1.0f));
    return arith::DivFOp::create(nb, nl, one, sd).getResult();
  });
  SmallVector<Value> ins = {centred, inv};
  ins.append(affine.begin(), affine.end());
  Value y = elementwise(ins, shape(x),
                        [](OpBuilder &nb, Location nl, ValueRange a) {
                          Value v = arith::MulFOp::create(nb, nl, a[0], a[1]);
                          v = arith::MulFOp::create(nb, nl, v, a[2]);
                          if (a.size() > 3)
                            v = arith::AddFOp::create(nb, nl, v, a[3]);
                          return v;
                        });
  if (failed(setResult(0, y)))
    return failure();
  Value extra[2] = {mean, inv};
  for (int i = 1; i < 3 && i < node->output_size(); ++i) {
    if (node->output(i).empty())
      continue;
    FailureOr<SmallVector<int64_t>> out = outputShape(i);
    if (failed(out) || failed(setResult(i, reshapeTo(extra[i - 1], *out))))
      return failure();
  }
  return success();
}

/// InstanceNormalization: per (n, c) over the spatial dimensions,
/// (x - mean) / sqrt(var + eps) * scale[c] + bias[c].
LogicalResult Importer::importInstanceNorm(const OnnxOperator &) {
  FailureOr<SmallVector<Value>> ins = inputs(3);
  if (failed(ins))
    return failure();
  Value x = (*ins)[0];
  int64_t rank = shape(x).size();
  if (rank < 3)
    return fail("the input needs spatial dimensions");
  for (int i = 1; i < 3; ++i)
    if (shape((*ins)[i]).size() != 1 || shape((*ins)[i])[0] != shape(x)[1])
      return fail("scale and bias must be [C]");
  float eps = floatAttr("epsilon", 1e-5f);
  Value mean = meanOver(x, 2);
  Value centred = subtract(x, mean);
  Value var = meanOver(square(centred), 2);
  // scale and bias read along dimension 1.
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap channel = AffineMap::get(rank, 0, {b.getAffineDimExpr(1)}, &ctx);
  SmallVector<AffineExpr> kept;
  for (int64_t d = 0; d < rank; ++d)
    kept.push_back(d < 2 ? b.getAffineDimExpr(d) : b.getAffineConstantExpr(0));
  AffineMap stat = AffineMap::get(rank, 0, kept, &ctx);
  Value init = tensor::EmptyOp::create(b, loc, shape(x), f32);
  Value y =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()},
          ValueRange{centred, var, (*ins)[1], (*ins)[2]}, ValueRange{init},
          ArrayRef<AffineMap>{id, stat, channel, channel, id},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value e = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(eps));
            Value sd = math::SqrtOp::create(
                nb, nl, arith::AddFOp::create(nb, nl, a[1], e));
            Value v = arith::DivFOp::create(nb, nl, a[0], sd);
            v = arith::MulFOp::create(nb, nl, v, a[2]);
            v = arith::AddFOp::create(nb, nl, v, a[3]);
            linalg::YieldOp::create(nb, nl, v);
          })
          .getResult(0);
  return setResult(0, y);
}

FailureOr<Value> Importer::softmax(Value x, int64_t axis, bool log) {
  Value m = reduce(x, axis, -std::numeric_limits<float>::infinity(), true);
  Value shifted = subtract(x, m);
  Value e = unary(shifted, [](OpBuilder &nb, Location nl, ValueRange a) {
    return math::ExpOp::create(nb, nl, a[0]).getResult();
  });
  Value sum = reduce(e, axis, 0.0f, false);
  if (log)
    return elementwise({shifted, sum}, shape(x),
                       [](OpBuilder &nb, Location nl, ValueRange a) {
                         Value l = math::LogOp::create(nb, nl, a[1]);
                         return arith::SubFOp::create(nb, nl, a[0], l)
                             .getResult();
                       });
  return elementwise({e, sum}, shape(x),
                     [](OpBuilder &nb, Location nl, ValueRange a) {
                       return arith::DivFOp::create(nb, nl, a[0], a[1])
                           .getResult();
                     });
}

LogicalResult Importer::importSoftmax(const OnnxOperator &op) {
  FailureOr<Value> x = get(0);
  if (failed(x))
    return failure();
  std::optional<int64_t> axis = normAxis(intAttr("axis", -1), shape(*x).size());
  if (!axis)
    return fail("'axis' is out of range");
  FailureOr<Value> y = softmax(*x, *axis, op.name == "LogSoftmax");
  if (failed(y))
    return failure();
  return setResult(0, *y);
}
