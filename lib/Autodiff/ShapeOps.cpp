//===- ShapeOps.cpp - Adjoints of reshapes, pads and slices ---------------===//
//
// tensor.collapse_shape / expand_shape (the inverse reshape), tensor.pad
// (the source's window of the adjoint), extract_slice and insert_slice.
//
//===----------------------------------------------------------------------===//

#include "Differentiator.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::autodiff;

FailureOr<bool> Differentiator::visitShapeOp(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
    Value a = tensor::ExpandShapeOp::create(b, loc, c.getSrcType(),
                                            adj[c.getResult()],
                                            c.getReassociationIndices());
    addAdjoint(b, loc, c.getSrc(), a);
    return true;
  }
  if (auto e = dyn_cast<tensor::ExpandShapeOp>(op)) {
    Value a = tensor::CollapseShapeOp::create(b, loc, e.getSrcType(),
                                              adj[e.getResult()],
                                              e.getReassociationIndices());
    addAdjoint(b, loc, e.getSrc(), a);
    return true;
  }
  if (auto pad = dyn_cast<tensor::PadOp>(op)) {
    // The source's part of the padded adjoint (the padding value is a
    // constant: it gets nothing).
    if (!pad.getConstantPaddingValue() ||
        !pad.getSourceType().hasStaticShape() ||
        llvm::any_of(pad.getStaticLow(), ShapedType::isDynamic))
      return LogicalResult(op->emitError()
                           << passName
                           << ": only a tensor.pad with "
                              "static sizes and a constant value is "
                              "differentiable");
    SmallVector<int64_t> ones(pad.getSourceType().getRank(), 1);
    Value a = tensor::ExtractSliceOp::create(
        b, loc, pad.getSourceType(), adj[pad.getResult()], ValueRange{},
        ValueRange{}, ValueRange{}, pad.getStaticLow(),
        pad.getSourceType().getShape(), ones);
    addAdjoint(b, loc, pad.getSource(), a);
    return true;
  }
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
    if (!slice.hasUnitStride() && !slice.getSourceType().hasStaticShape())
      return LogicalResult(op->emitError() << passName << ": a dynamic slice");
    if (!slice.getSourceType().hasStaticShape() ||
        slice.getResultType().getRank() != slice.getSourceType().getRank() ||
        !slice.getOffsets().empty() || !slice.getSizes().empty() ||
        !slice.getStrides().empty())
      return LogicalResult(op->emitError()
                           << passName
                           << ": only static, "
                              "rank-preserving tensor.extract_slice is "
                              "differentiable");
    // Zeros with the slice's adjoint where the slice was.
    Value a = tensor::InsertSliceOp::create(
        b, loc, adj[slice.getResult()],
        filled(b, loc, slice.getSourceType(), 0.0), ValueRange{}, ValueRange{},
        ValueRange{}, slice.getStaticOffsets(), slice.getStaticSizes(),
        slice.getStaticStrides());
    addAdjoint(b, loc, slice.getSource(), a);
    return true;
  }
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
    auto destType = cast<RankedTensorType>(insert.getDest().getType());
    auto srcType = cast<RankedTensorType>(insert.getSource().getType());
    if (!destType.hasStaticShape() || srcType.getRank() != destType.getRank() ||
        !insert.getOffsets().empty() || !insert.getSizes().empty() ||
        !insert.getStrides().empty())
      return LogicalResult(op->emitError()
                           << passName
                           << ": only static, "
                              "rank-preserving tensor.insert_slice is "
                              "differentiable");
    Value a = adj[insert.getResult()];
    // The source gets its window of the adjoint, the destination the
    // rest (the window overwritten with zeros).
    addAdjoint(b, loc, insert.getSource(),
               tensor::ExtractSliceOp::create(
                   b, loc, srcType, a, ValueRange{}, ValueRange{}, ValueRange{},
                   insert.getStaticOffsets(), insert.getStaticSizes(),
                   insert.getStaticStrides()));
    addAdjoint(b, loc, insert.getDest(),
               tensor::InsertSliceOp::create(
                   b, loc, filled(b, loc, srcType, 0.0), a, ValueRange{},
                   ValueRange{}, ValueRange{}, insert.getStaticOffsets(),
                   insert.getStaticSizes(), insert.getStaticStrides()));
    return true;
  }
  return false;
}
