//===- Builders.cpp - Linalg building blocks of the ONNX importer ---------===//
//
// What several operator families build: broadcasting elementwise
// generics, reshapes through collapse/expand, pads and crops, reductions
// along one axis or over trailing dimensions. The pieces dc-model-gen
// builds too are in dc/Models/LayerBuilders.h.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "dc/Models/LayerBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;
using namespace mlir::dc::onnx_import;
namespace layers = mlir::dc::layers;

Value Importer::fill(ArrayRef<int64_t> shape, float value) {
  return layers::fill(b, loc, shape, value);
}

Value Importer::elementwise(ArrayRef<Value> inputs, ArrayRef<int64_t> outShape,
                            const Body &body) {
  int64_t rank = outShape.size();
  SmallVector<AffineMap> maps;
  for (Value in : inputs) {
    ArrayRef<int64_t> s = shape(in);
    int64_t r = s.size();
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0; j < r; ++j) {
      int64_t d = rank - r + j;
      if (s[j] == 1 && outShape[d] != 1)
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(d));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, &ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, &ctx));
  Value init = tensor::EmptyOp::create(b, loc, outShape, f32);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value v = body(nb, nl, args.drop_back());
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

LogicalResult Importer::checkBroadcast(ArrayRef<Value> inputs,
                                       ArrayRef<int64_t> out) {
  for (Value in : inputs) {
    ArrayRef<int64_t> s = shape(in);
    if (s.size() > out.size())
      return fail("an input does not broadcast to the output's shape");
    for (size_t j = 0; j < s.size(); ++j) {
      int64_t o = out[out.size() - s.size() + j];
      if (s[j] != o && s[j] != 1)
        return fail("an input does not broadcast to the output's shape");
    }
  }
  return success();
}

Value Importer::reshapeTo(Value x, ArrayRef<int64_t> target) {
  ArrayRef<int64_t> src = shape(x);
  if (src == target)
    return x;
  auto dstType = tensorType(target);
  if (src.size() > target.size())
    if (auto groups = getReassociationIndicesForCollapse(src, target))
      return tensor::CollapseShapeOp::create(b, loc, dstType, x, *groups);
  if (src.size() < target.size())
    if (auto groups = getReassociationIndicesForCollapse(target, src))
      return tensor::ExpandShapeOp::create(b, loc, dstType, x, *groups);
  // Through one dimension (or none, for one element).
  int64_t n = 1;
  for (int64_t d : src)
    n *= d;
  auto all = [](size_t rank) {
    SmallVector<ReassociationIndices> g;
    if (rank) {
      g.emplace_back();
      for (size_t i = 0; i < rank; ++i)
        g.back().push_back(i);
    }
    return g;
  };
  Value flat = x;
  if (src.size() != 1)
    flat = tensor::CollapseShapeOp::create(b, loc, tensorType({n}), x,
                                           all(src.size()));
  if (target.size() == 1)
    return flat;
  if (target.empty())
    return tensor::CollapseShapeOp::create(b, loc, dstType, flat,
                                           SmallVector<ReassociationIndices>{});
  return tensor::ExpandShapeOp::create(b, loc, dstType, flat,
                                       all(target.size()));
}

Value Importer::transpose(Value x, ArrayRef<int64_t> perm) {
  return layers::transpose(b, loc, x, perm);
}

Value Importer::pad(Value x, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                    float value, Value runtimeValue) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return x;
  Value v = runtimeValue ? runtimeValue
                         : arith::ConstantOp::create(b, loc,
                                                     b.getF32FloatAttr(value))
                               .getResult();
  return layers::pad(b, loc, x, low, high, v);
}

FailureOr<Value> Importer::crop(Value x, ArrayRef<int64_t> cropLow,
                                ArrayRef<int64_t> cropHigh, bool allowEmpty,
                                StringRef message) {
  if (!llvm::any_of(cropLow, [](int64_t v) { return v; }) &&
      !llvm::any_of(cropHigh, [](int64_t v) { return v; }))
    return x;
  int64_t rank = shape(x).size();
  SmallVector<OpFoldResult> offsets, sizes, steps(rank, b.getIndexAttr(1));
  SmallVector<int64_t> cropped;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = shape(x)[d] - cropLow[d] - cropHigh[d];
    if (allowEmpty ? size < 0 : size <= 0)
      return fail(message.str());
    offsets.push_back(b.getIndexAttr(cropLow[d]));
    sizes.push_back(b.getIndexAttr(size));
    cropped.push_back(size);
  }
  return tensor::ExtractSliceOp::create(b, loc, tensorType(cropped), x,
                                        offsets, sizes, steps)
      .getResult();
}

/// max or sum over `axis`, the axis kept with size 1.
Value Importer::reduce(Value x, int64_t axis, float init, bool max) {
  ArrayRef<int64_t> s = shape(x);
  int64_t rank = s.size();
  SmallVector<int64_t> outShape(s);
  outShape[axis] = 1;
  Value acc = fill(outShape, init);
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    outExprs.push_back(d == axis ? b.getAffineConstantExpr(0)
                                 : b.getAffineDimExpr(d));
    iters.push_back(d == axis ? utils::IteratorType::reduction
                              : utils::IteratorType::parallel);
  }
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, &ctx);
  return linalg::GenericOp::create(
             b, loc, TypeRange{acc.getType()}, ValueRange{x}, ValueRange{acc},
             ArrayRef<AffineMap>{id, outMap}, iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value v = max ? arith::MaximumFOp::create(nb, nl, a[0], a[1])
                                   .getResult()
                             : arith::AddFOp::create(nb, nl, a[0], a[1])
                                   .getResult();
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

/// The mean of x over dimensions [from, rank), those kept with size 1.
Value Importer::meanOver(Value x, int64_t from) {
  ArrayRef<int64_t> s = shape(x);
  int64_t rank = s.size(), count = 1;
  SmallVector<int64_t> kept(s);
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = d >= from;
    if (reduced) {
      count *= s[d];
      kept[d] = 1;
    }
    outExprs.push_back(reduced ? b.getAffineConstantExpr(0)
                               : b.getAffineDimExpr(d));
    iters.push_back(reduced ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  }
  Value acc = fill(kept, 0.0f);
  Value sum = linalg::GenericOp::create(
                  b, loc, TypeRange{acc.getType()}, ValueRange{x},
                  ValueRange{acc},
                  ArrayRef<AffineMap>{
                      AffineMap::getMultiDimIdentityMap(rank, &ctx),
                      AffineMap::get(rank, 0, outExprs, &ctx)},
                  iters,
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    linalg::YieldOp::create(
                        nb, nl, arith::AddFOp::create(nb, nl, a[0], a[1])
                                    .getResult());
                  })
                  .getResult(0);
  return divideBy(sum, float(count));
}

Value Importer::subtract(Value x, Value y) {
  return elementwise({x, y}, shape(x),
                     [](OpBuilder &nb, Location nl, ValueRange a) {
                       return arith::SubFOp::create(nb, nl, a[0], a[1])
                           .getResult();
                     });
}

Value Importer::square(Value x) {
  return unary(x, [](OpBuilder &nb, Location nl, ValueRange a) {
    return arith::MulFOp::create(nb, nl, a[0], a[0]).getResult();
  });
}

Value Importer::divideBy(Value x, float divisor) {
  return unary(x, [divisor](OpBuilder &nb, Location nl, ValueRange a) {
    Value d = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(divisor));
    return arith::DivFOp::create(nb, nl, a[0], d).getResult();
  });
}
