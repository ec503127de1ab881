//===- FoldTransposes.cpp - dc-fold-transposes ----------------------------===//
//
// matmul(x, transpose(W)) -> a contraction reading W through a permuted map.
//
//===----------------------------------------------------------------------===//

#include "dc/Codegen/Passes.h"
#include "dc/Codegen/Patterns.h"
#include "dc/Dialect/DC/Analysis/WeightViews.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCFOLDTRANSPOSES
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

/// The source of a transpose on tensors, named or generic (the permutation
/// on either map), and its map from the result's index to the source's
/// (WeightViews.h).
std::optional<std::pair<Value, AffineMap>> asTranspose(Value v) {
  std::optional<View> view = asView(v.getDefiningOp());
  if (!view || !view->indexMap || !view->indexMap.isPermutation() ||
      view->indexMap.isIdentity())
    return std::nullopt;
  return std::make_pair(view->source, view->indexMap);
}

struct FoldTransposeIntoContraction
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || !linalg::isaContractionOpInterface(op))
      return failure();
    bool any = llvm::any_of(op.getDpsInputOperands(), [](OpOperand *operand) {
      return asTranspose(operand->get()).has_value();
    });
    if (!any)
      return failure();
    linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(*op);
    if (!generic) {
      FailureOr<linalg::GenericOp> g =
          linalg::generalizeNamedOp(rewriter, op);
      if (failed(g))
        return failure();
      generic = *g;
    }
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    SmallVector<Value> inputs = generic.getDpsInputs();
    for (auto [i, input] : llvm::enumerate(inputs)) {
      std::optional<std::pair<Value, AffineMap>> t = asTranspose(input);
      if (!t)
        continue;
      // The transpose's result is indexed by its loops (identity map):
      // result[maps[i](l)] = source[t.map(maps[i](l))].
      maps[i] = t->second.compose(maps[i]);
      input = t->first;
    }
    rewriter.modifyOpInPlace(generic, [&] {
      generic.getInputsMutable().assign(inputs);
      generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return success();
  }
};

struct DCFoldTransposesPass
    : public mlir::dc::impl::DCFoldTransposesBase<DCFoldTransposesPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldTransposesPatterns(patterns);
    // Adjoint generics (dc-differentiate) carry every operand of the op they
    // differentiate; only without the unread ones are they contractions.
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::dc::populateFoldTransposesPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldTransposeIntoContraction>(patterns.getContext());
}
