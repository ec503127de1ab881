//===- MathApproximation.cpp - libm-free math functions -------------------===//
//
// dc-math-approximation (include/dc/Codegen/Passes.td): a self-contained
// library has no libm, so math.exp, math.tanh, ... become upstream's
// polynomial approximations.
//
//===----------------------------------------------------------------------===//

#include "dc/Codegen/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCMATHAPPROXIMATION
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;

namespace {
struct DCMathApproximationPass
    : public dc::impl::DCMathApproximationBase<DCMathApproximationPass> {
  using Base::Base;
  void runOnOperation() override {
    // powf as exp(y * log(|x|)) with its sign and special cases
    // (upstream's expansion), then every function approximated.
    RewritePatternSet pow(&getContext());
    math::populateExpansionPatterns(pow, {"powf"});
    if (failed(applyPatternsGreedily(getOperation(), std::move(pow))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // The approximations use math.fma, which becomes a call of fmaf on a
    // target without FMA instructions: multiply and add instead.
    RewritePatternSet fma(&getContext());
    math::populateExpansionPatterns(fma, {"fma"});
    if (failed(applyPatternsGreedily(getOperation(), std::move(fma))))
      signalPassFailure();
  }
};
} // namespace
