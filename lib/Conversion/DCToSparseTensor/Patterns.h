//===- Patterns.h - What the lowering patterns share ------------*- C++ -*-===//
//
// Helpers of the convert-dc-to-sparse-tensor patterns (SparseKernelPatterns,
// DenseFallbackPatterns): a weight's reads, its codebook, and rewriting a
// reader to look the codebook up where it read the weight.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_CONVERSION_DCTOSPARSETENSOR_PATTERNS_H
#define DC_LIB_CONVERSION_DCTOSPARSETENSOR_PATTERNS_H

#include "dc/Conversion/DCToSparseTensor.h"
#include "dc/Dialect/DC/Analysis/WeightViews.h"

namespace mlir::dc {

/// The dc.constant, layout and reads of a dc.decompress that a pattern
/// lowers; fails (the pattern does not apply) without a dc.constant
/// operand, a #dc.runtime of one of `kernels`, or reads only by linalg.
struct LoweringTarget {
  ConstantOp constant;
  RuntimeLayoutAttr layout;
  SmallVector<ViewedRead> reads;
};
FailureOr<LoweringTarget> matchTarget(DecompressOp op,
                                      ArrayRef<RuntimeKernel> kernels,
                                      RuntimeForm form);

/// The weight's index map in `read`'s op, composed over its views.
AffineMap weightMap(const ViewedRead &read);

/// The layer's codebook as a read-only memref<kxf32> (`zeroEntry`: with an
/// extra 0.0 entry at index k, for a grid's pruned positions).
Value codebookBuffer(OpBuilder &b, Location loc, ConstantOp constant,
                     bool zeroEntry = false);

/// Every read of `op`'s result rewritten to read `weight` (the run-time
/// form: a sparse tensor of indices with `sparse`, else a grid, `transposed`
/// for one stored [in, out]) with the codebook lookup in its body; then the
/// views nothing reads any more, and `op`, go.
void rewriteReads(RewriterBase &rewriter, DecompressOp op,
                  ArrayRef<ViewedRead> reads, Value weight, Value codebook,
                  bool sparse, bool transposed);

/// Erases the views of `reads` nothing reads any more (nearest the readers
/// first), then `op`.
void eraseViewsAndOp(RewriterBase &rewriter, DecompressOp op,
                     ArrayRef<ViewedRead> reads);

} // namespace mlir::dc

#endif // DC_LIB_CONVERSION_DCTOSPARSETENSOR_PATTERNS_H
