//===- ChooseRuntimeLayout.cpp - Attach each weight's #dc.runtime ---------===//
//
// dc-choose-runtime-layout: the first half of convert-dc-to-sparse-tensor on
// its own, for reading (or editing) the choices: every dc.decompress without
// a dc.runtime attribute gets chooseRuntimeLayout's.
//
//===----------------------------------------------------------------------===//

#include "dc/Conversion/DCToSparseTensor.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCCHOOSERUNTIMELAYOUT
#include "dc/Conversion/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

struct ChooseRuntimeLayoutPass
    : public mlir::dc::impl::DCChooseRuntimeLayoutBase<
          ChooseRuntimeLayoutPass> {
  using Base::Base;

  void runOnOperation() override {
    RuntimeLayoutOptions choice{fcKernel, convKernel, kernelVectorBits};
    WalkResult walk = getOperation().walk([&](DecompressOp op) {
      return failed(getOrChooseRuntimeLayout(op, choice))
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
