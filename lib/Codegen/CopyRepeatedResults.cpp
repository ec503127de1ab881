//===- CopyRepeatedResults.cpp - A buffer of its own for each result ------===//
//
// Upstream buffer-results-to-out-params (MLIR 22) crashes on a function
// that returns one buffer twice; this pass, run before it, copies every
// repeated result into a buffer of its own.
//
//===----------------------------------------------------------------------===//

#include "dc/Codegen/Passes.h"
#include "dc/Codegen/Patterns.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCCOPYREPEATEDRESULTS
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;

namespace {

/// A func.return whose repeated memref operands get copies of their own.
struct CopyRepeatedReturnOperands : public OpRewritePattern<func::ReturnOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(func::ReturnOp ret,
                                PatternRewriter &rewriter) const override {
    llvm::DenseSet<Value> seen;
    bool changed = false;
    rewriter.setInsertionPoint(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      Value v = operand.get();
      auto type = dyn_cast<MemRefType>(v.getType());
      if (!type || seen.insert(v).second)
        continue;
      // An identity-layout buffer of the same shape (the result type the
      // function declares stays as it is: a subtype would not).
      if (!type.getLayout().isIdentity())
        continue;
      SmallVector<Value> sizes;
      for (int64_t d = 0, e = type.getRank(); d < e; ++d)
        if (type.isDynamicDim(d))
          sizes.push_back(memref::DimOp::create(rewriter, ret.getLoc(), v, d));
      Value copy = memref::AllocOp::create(rewriter, ret.getLoc(), type, sizes);
      linalg::CopyOp::create(rewriter, ret.getLoc(), v, copy);
      rewriter.modifyOpInPlace(ret, [&] { operand.set(copy); });
      changed = true;
    }
    return success(changed);
  }
};

struct CopyRepeatedResults
    : dc::impl::DCCopyRepeatedResultsBase<CopyRepeatedResults> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    dc::populateCopyRepeatedResultsPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::dc::populateCopyRepeatedResultsPatterns(
    RewritePatternSet &patterns) {
  patterns.add<CopyRepeatedReturnOperands>(patterns.getContext());
}
