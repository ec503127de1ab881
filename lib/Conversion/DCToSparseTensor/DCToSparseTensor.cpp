//===- DCToSparseTensor.cpp - dc weights at run time ----------------------===//
//
// convert-dc-to-sparse-tensor: every dc.decompress(dc.constant) gets its
// #dc.runtime layout (a hand-set one is kept; else chooseRuntimeLayout),
// then the patterns of populateDCSparseKernelPatterns and
// populateDCDenseFallbackPatterns lower it, in program order, sharing one
// RuntimeArrayBuilder (the arrays, their workspace slots, @dc_init).
//
//===----------------------------------------------------------------------===//

#include "dc/Conversion/DCToSparseTensor.h"

#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Rewrite/PatternApplicator.h"

namespace mlir::dc {
#define GEN_PASS_DEF_CONVERTDCTOSPARSETENSOR
#include "dc/Conversion/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

struct ConvertDCToSparseTensorPass
    : public mlir::dc::impl::ConvertDCToSparseTensorBase<
          ConvertDCToSparseTensorPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    RuntimeArrayBuilder arrays(module, decodeAt);
    RuntimeLayoutOptions choice{fcKernel, convKernel, kernelVectorBits};
    SmallVector<DecompressOp> worklist;
    WalkResult walk = module.walk([&](DecompressOp op) {
      if (failed(getOrChooseRuntimeLayout(op, choice)))
        return WalkResult::interrupt();
      // Slot names in program order, whatever the patterns' order.
      arrays.slotName(op.getInput().getDefiningOp<ConstantOp>());
      worklist.push_back(op);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateDCSparseKernelPatterns(patterns, arrays,
                                   {kernelVectorBits, avx512Permute});
    populateDCDenseFallbackPatterns(patterns, arrays);
    FrozenRewritePatternSet frozen(std::move(patterns));
    PatternApplicator applicator(frozen);
    applicator.applyDefaultCostModel();
    PatternRewriter rewriter(&getContext());
    for (DecompressOp op : worklist) {
      Attribute layout = op->getAttr(DCDialect::kRuntimeLayoutAttrName);
      rewriter.setInsertionPoint(op);
      if (succeeded(applicator.matchAndRewrite(op, rewriter)))
        continue;
      if (!arrays.failed())
        op.emitOpError() << "has no lowering for its run-time layout "
                         << layout << " (the way its result is read does "
                                      "not fit it)";
      return signalPassFailure();
    }
    arrays.finish();
    module.walk([](ConstantOp op) {
      if (op->use_empty())
        op.erase();
    });
  }
};

} // namespace
