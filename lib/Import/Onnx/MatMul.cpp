//===- MatMul.cpp - Gemm and MatMul ---------------------------------------===//
//
// Gemm as torch-mlir's nn.Linear (the [out, in] weight transposed, the
// bias broadcast into the accumulator); MatMul with numpy's batch
// broadcasting as one linalg.generic.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "dc/Models/LayerBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::dc::onnx_import;
namespace layers = mlir::dc::layers;

LogicalResult Importer::importGemm(const OnnxOperator &) {
  FailureOr<Value> a = get(0), bm = get(1);
  if (failed(a) || failed(bm))
    return failure();
  float alpha = floatAttr("alpha", 1.0f), beta = floatAttr("beta", 1.0f);
  Value x = *a, w = *bm;
  if (shape(x).size() != 2 || shape(w).size() != 2)
    return fail("Gemm's A and B must be matrices");
  if (intAttr("transA", 0))
    x = transpose(x, {1, 0});
  // nn.Linear's [out, in] weight: transposed to [in, out] as torch-mlir
  // does, which dc-compress recognises.
  if (intAttr("transB", 0))
    w = transpose(w, {1, 0});
  int64_t m = shape(x)[0], n = shape(w)[1];
  Value c;
  if (has(2)) {
    FailureOr<Value> cv = get(2);
    if (failed(cv))
      return failure();
    c = *cv;
  }
  Value init;
  bool biasInInit = c && alpha == 1.0f && beta == 1.0f;
  if (biasInInit && shape(c).size() == 1 && shape(c)[0] == n) {
    init = layers::broadcastInto(b, loc, c, {m, n}, {0});
  } else if (biasInInit) {
    init = elementwise({c}, {m, n}, [](OpBuilder &, Location, ValueRange a) {
      return a[0];
    });
  } else {
    init = fill({m, n}, 0.0f);
  }
  Value y = linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                     ValueRange{x, w}, ValueRange{init})
                .getResult(0);
  if (alpha != 1.0f || (c && !biasInInit)) {
    SmallVector<Value> ins = {y};
    if (c && beta != 0.0f)
      ins.push_back(c);
    y = elementwise(ins, {m, n},
                    [alpha, beta](OpBuilder &nb, Location nl, ValueRange a) {
                      Value v = a[0];
                      if (alpha != 1.0f)
                        v = arith::MulFOp::create(
                            nb, nl, v,
                            arith::ConstantOp::create(
                                nb, nl, nb.getF32FloatAttr(alpha)));
                      if (a.size() > 1) {
                        Value cv = a[1];
                        if (beta != 1.0f)
                          cv = arith::MulFOp::create(
                              nb, nl, cv,
                              arith::ConstantOp::create(
                                  nb, nl, nb.getF32FloatAttr(beta)));
                        v = arith::AddFOp::create(nb, nl, v, cv);
                      }
                      return v;
                    });
  }
  return setResult(0, y);
}

LogicalResult Importer::importMatMul(const OnnxOperator &) {
  FailureOr<Value> av = get(0), bv = get(1);
  if (failed(av) || failed(bv))
    return failure();
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  Value a = *av, bm = *bv;
  if (shape(a).size() == 2 && shape(bm).size() == 2) {
    Value init = fill({shape(a)[0], shape(bm)[1]}, 0.0f);
    return setResult(0, linalg::MatmulOp::create(b, loc,
                                                 TypeRange{init.getType()},
                                                 ValueRange{a, bm},
                                                 ValueRange{init})
                            .getResult(0));
  }
  // Vectors become matrices; batch dimensions broadcast.
  if (shape(a).size() == 1)
    a = reshapeTo(a, {1, shape(a)[0]});
  if (shape(bm).size() == 1)
    bm = reshapeTo(bm, {shape(bm)[0], 1});
  ArrayRef<int64_t> as = shape(a), bs = shape(bm);
  int64_t ra = as.size(), rb = bs.size();
  int64_t batchRank = std::max(ra, rb) - 2;
  SmallVector<int64_t> outShape;
  for (int64_t i = 0; i < batchRank; ++i) {
    int64_t da = i - (batchRank - (ra - 2)) >= 0
                     ? as[i - (batchRank - (ra - 2))]
                     : 1;
    int64_t db = i - (batchRank - (rb - 2)) >= 0
                     ? bs[i - (batchRank - (rb - 2))]
                     : 1;
    outShape.push_back(std::max(da, db));
  }
  outShape.push_back(as[ra - 2]);
  outShape.push_back(bs[rb - 1]);
  int64_t p = outShape.size();
  auto operandMap = [&](ArrayRef<int64_t> s, bool isA) {
    int64_t r = s.size();
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0; j < r - 2; ++j) {
      int64_t d = batchRank - (r - 2) + j;
      exprs.push_back(s[j] == 1 && outShape[d] != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(d));
    }
    if (isA) {
      exprs.push_back(b.getAffineDimExpr(p - 2));
      exprs.push_back(b.getAffineDimExpr(p));
    } else {
      exprs.push_back(b.getAffineDimExpr(p));
      exprs.push_back(b.getAffineDimExpr(p - 1));
    }
    return AffineMap::get(p + 1, 0, exprs, &ctx);
  };
  SmallVector<AffineExpr> outExprs;
  for (int64_t d = 0; d < p; ++d)
    outExprs.push_back(b.getAffineDimExpr(d));
  SmallVector<AffineMap> maps = {operandMap(as, true), operandMap(bs, false),
                                 AffineMap::get(p + 1, 0, outExprs, &ctx)};
  SmallVector<utils::IteratorType> iters(p, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  Value init = fill(outShape, 0.0f);
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{a, bm},
                ValueRange{init}, maps, iters,
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  Value prod = arith::MulFOp::create(nb, nl, args[0], args[1]);
                  Value sum = arith::AddFOp::create(nb, nl, args[2], prod);
                  linalg::YieldOp::create(nb, nl, sum);
                })
                .getResult(0);
  return setResult(0, reshapeTo(y, *out));
}
