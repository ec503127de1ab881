//===- ConvToIm2col.cpp - dc-conv-to-im2col -------------------------------===//
//
// conv(x, w) -> contraction(patches(x), w), where patches(x) copies every
// window of x into its own row (im2col), for any layout: the patch tensor
// has one dimension per loop the window map uses.
//
//===----------------------------------------------------------------------===//

#include "dc/Codegen/Passes.h"
#include "dc/Codegen/Patterns.h"
#include "dc/Dialect/DC/Analysis/WeightViews.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCCONVTOIM2COL
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

/// Whether `e` is a sum of loops times constants (at least two terms or a
/// coefficient other than 1: a window, not a plain loop).
bool isWindowExpr(AffineExpr e) {
  if (isa<AffineDimExpr>(e))
    return true;
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return false;
  if (bin.getKind() == AffineExprKind::Add)
    return isWindowExpr(bin.getLHS()) && isWindowExpr(bin.getRHS());
  return bin.getKind() == AffineExprKind::Mul &&
         isa<AffineDimExpr>(bin.getLHS()) &&
         isa<AffineConstantExpr>(bin.getRHS());
}

bool isWindowMap(AffineMap m) {
  return !m.isProjectedPermutation() && m.getNumSymbols() == 0 &&
         llvm::all_of(m.getResults(), isWindowExpr);
}

struct WindowContractionToIm2col : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || !isMulAccBody(op.getRegion().front()))
      return failure();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    int window = isWindowMap(maps[0]) ? 0 : isWindowMap(maps[1]) ? 1 : -1;
    if (window < 0 || !maps[1 - window].isProjectedPermutation() ||
        !maps[2].isProjectedPermutation())
      return failure();
    Value x = op.getDpsInputs()[window];
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (!xType || llvm::any_of(ranges, ShapedType::isDynamic))
      return failure();
    MLIRContext *ctx = rewriter.getContext();
    unsigned loops = op.getNumLoops();
    // The patch tensor: one dimension per loop the window map uses.
    SmallVector<unsigned> used;
    for (unsigned l = 0; l < loops; ++l)
      if (maps[window].isFunctionOfDim(l))
        used.push_back(l);
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> toLoops(loops, getAffineConstantExpr(0, ctx));
    SmallVector<AffineExpr> projected;
    for (auto [i, l] : llvm::enumerate(used)) {
      shape.push_back(ranges[l]);
      toLoops[l] = getAffineDimExpr(i, ctx);
      projected.push_back(getAffineDimExpr(l, ctx));
    }
    AffineMap patchLoopsToOpLoops =
        AffineMap::get(used.size(), 0, toLoops, ctx);
    AffineMap read = maps[window].compose(patchLoopsToOpLoops);
    Location loc = op.getLoc();
    auto patchType = RankedTensorType::get(shape, xType.getElementType());
    Value init = tensor::EmptyOp::create(rewriter, loc, shape,
                                         xType.getElementType());
    auto patches = linalg::GenericOp::create(
        rewriter, loc, TypeRange{patchType}, ValueRange{x}, ValueRange{init},
        SmallVector<AffineMap>{read, AffineMap::getMultiDimIdentityMap(
                                         used.size(), ctx)},
        SmallVector<utils::IteratorType>(used.size(),
                                         utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    maps[window] = AffineMap::get(loops, 0, projected, ctx);
    rewriter.modifyOpInPlace(op, [&] {
      op->setOperand(window, patches.getResult(0));
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return success();
  }
};

struct DCConvToIm2colPass
    : public mlir::dc::impl::DCConvToIm2colBase<DCConvToIm2colPass> {
  using Base::Base;
  void runOnOperation() override {
    // Named convolutions become generics first.
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> convs;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::GenericOp>(op) && linalg::isaConvolutionOpInterface(op))
        convs.push_back(op);
    });
    for (linalg::LinalgOp op : convs) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op)))
        return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateConvToIm2colPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::dc::populateConvToIm2colPatterns(RewritePatternSet &patterns) {
  patterns.add<WindowContractionToIm2col>(patterns.getContext());
}
