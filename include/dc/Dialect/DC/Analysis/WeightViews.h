//===- WeightViews.h - How a weight reaches the op that reads it -*- C++ -*-===//
//
// One analysis of the value-preserving layout ops ("views") front ends put
// between a weight and the contraction or convolution reading it, shared by
// the compression passes (findWeights, backward from a reader to its
// constant) and the lowering (convert-dc-to-sparse-tensor, forward from a
// dc.decompress to its readers), so both accept the same shapes:
//
//   linalg.transpose;
//   a linalg.generic copy (one input, one init, all loops parallel, the
//     body yields the input) whose output map is a permutation and whose
//     input map a projected permutation — a transpose with the permutation
//     on either side (TorchScript-era torch-mlir puts it on the output) or
//     a broadcast;
//   linalg.broadcast, linalg.copy, tensor.cast;
//   tensor.collapse_shape, tensor.expand_shape (an index map when they only
//     add or remove unit dimensions, as TOSA's [K, N] -> [1, K, N]),
//     tensor.reshape (no index map).
//
//===----------------------------------------------------------------------===//

#ifndef DC_DIALECT_DC_ANALYSIS_WEIGHTVIEWS_H
#define DC_DIALECT_DC_ANALYSIS_WEIGHTVIEWS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"

#include <optional>

namespace mlir::dc {

/// One view op.
struct View {
  Operation *op = nullptr;
  Value source;
  /// Result index -> source index (a projected permutation; a collapse of
  /// unit dimensions has constant 0 results), or null for a reshape whose
  /// elements move between dimensions.
  AffineMap indexMap;
};

/// `op` as a view (on tensors), or none.
std::optional<View> asView(Operation *op);

/// Follows views backward from `value`; returns the value they start from.
/// `views` (if given) gets them in order from that value to `value`.
Value traceViews(Value value, SmallVectorImpl<View> *views = nullptr);

/// A linalg op reading a weight as DPS input `operand`, through `views`
/// (from the weight to the operand; none when read directly).
struct ViewedRead {
  linalg::LinalgOp op;
  unsigned operand = 0;
  SmallVector<View> views;
  /// The operand's index -> the weight's index, composed over the views;
  /// null when a reshape is on the way.
  AffineMap indexMap;
};

/// Every linalg op that reads `weight` as a DPS input, directly or through
/// views. Fails if anything else uses it or one of its views; `blocker`
/// (if given) is then that user.
LogicalResult collectViewedReads(Value weight,
                                 SmallVectorImpl<ViewedRead> &reads,
                                 Operation **blocker = nullptr);

/// Whether a linalg body is `out + a * b` (either order) over floats of
/// `type` (any float type when null): the body of a contraction or
/// convolution that reads a weight as a factor.
bool isMulAccBody(Block &body, Type type = Type());

} // namespace mlir::dc

#endif // DC_DIALECT_DC_ANALYSIS_WEIGHTVIEWS_H
