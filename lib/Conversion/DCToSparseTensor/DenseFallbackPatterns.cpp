//===- DenseFallbackPatterns.cpp - The grid and dense f32 forms -----------===//
//
// populateDCDenseFallbackPatterns: a dc.decompress whose #dc.runtime is
//   - grid + dense_loops: one codebook index per weight (a pruned weight's
//     pruned positions an extra 0.0 entry), each reader a linalg.generic
//     that looks the codebook up where it read the weight (dense-quantized;
//     dc-vectorize keeps the lookup in registers);
//   - grid + decode_per_call: the grid looked up once per call into an f32
//     tensor (one flat elementwise generic) read as the dense weight was;
//   - dense: the weight decoded once into f32 (a constant, or a workspace
//     slot @dc_init fills), with the chooser's warning.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::dc;

namespace {

struct LowerToGrid : OpRewritePattern<DecompressOp> {
  LowerToGrid(MLIRContext *ctx, RuntimeArrayBuilder &arrays)
      : OpRewritePattern(ctx), arrays(arrays) {}

  LogicalResult matchAndRewrite(DecompressOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<LoweringTarget> target = matchTarget(
        op, {RuntimeKernel::DenseLoops, RuntimeKernel::DecodePerCall},
        RuntimeForm::Grid);
    if (failed(target))
      return failure();
    RuntimeLayoutAttr layout = target->layout;
    ConstantOp constant = target->constant;
    CompressedTensorType type = constant.getType();
    // A transposed grid swaps the weight's two dimensions.
    if (layout.getTransposed() && type.getRank() != 2)
      return failure();
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    FailureOr<RuntimeArrays> built =
        arrays.buildInPattern(rewriter, constant, layout);
    if (failed(built))
      return failure();
    Value indices = built->tensors[0];
    Value codebook =
        codebookBuffer(rewriter, loc, constant, layout.getPrunedEntry());
    if (layout.getKernel() == RuntimeKernel::DecodePerCall &&
        !layout.getTransposed()) {
      int64_t n = type.getNumElements();
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        all[0].push_back(d);
      Type idxType = cast<ShapedType>(indices.getType()).getElementType();
      Value flat = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get({n}, idxType), indices, all);
      Value empty =
          tensor::EmptyOp::create(rewriter, loc, {n}, rewriter.getF32Type());
      AffineMap id = rewriter.getMultiDimIdentityMap(1);
      auto lookup = linalg::GenericOp::create(
          rewriter, loc, TypeRange{empty.getType()}, ValueRange{flat},
          ValueRange{empty}, SmallVector<AffineMap>{id, id},
          SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value i =
                arith::IndexCastUIOp::create(nb, l, nb.getIndexType(), args[0]);
            Value w = memref::LoadOp::create(nb, l, codebook, ValueRange{i});
            linalg::YieldOp::create(nb, l, w);
          });
      Value dense = tensor::ExpandShapeOp::create(
          rewriter, loc, type.getDenseType(), lookup.getResult(0), all);
      rewriter.replaceOp(op, dense);
      return success();
    }
    rewriteReads(rewriter, op, target->reads, indices, codebook,
                 /*sparse=*/false, layout.getTransposed());
    return success();
  }

  RuntimeArrayBuilder &arrays;
};

struct LowerToDense : OpRewritePattern<DecompressOp> {
  LowerToDense(MLIRContext *ctx, RuntimeArrayBuilder &arrays)
      : OpRewritePattern(ctx), arrays(arrays) {}

  LogicalResult matchAndRewrite(DecompressOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<LoweringTarget> target =
        matchTarget(op, {RuntimeKernel::DenseLoops}, RuntimeForm::Dense);
    if (failed(target))
      return failure();
    rewriter.setInsertionPoint(op);
    FailureOr<RuntimeArrays> built =
        arrays.buildInPattern(rewriter, target->constant, target->layout);
    if (failed(built))
      return failure();
    rewriter.replaceOp(op, built->tensors[0]);
    return success();
  }

  RuntimeArrayBuilder &arrays;
};

} // namespace

void mlir::dc::populateDCDenseFallbackPatterns(RewritePatternSet &patterns,
                                               RuntimeArrayBuilder &arrays) {
  patterns.add<LowerToGrid, LowerToDense>(patterns.getContext(), arrays);
}
