//===- RewriteReads.cpp - Readers that look the codebook up ---------------===//
//
// What the lowering patterns share: finding a dc.decompress's dc.constant,
// layout and reads, and rewriting each reader (a linalg op) into a
// linalg.generic that reads the run-time form instead and looks the codebook
// up where it read the weight: in a sparse_tensor.unary present region for
// a sparse tensor (so the sparsifier fuses it into its loop over the stored
// entries), directly for a grid.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::dc;

FailureOr<LoweringTarget> mlir::dc::matchTarget(DecompressOp op,
                                                ArrayRef<RuntimeKernel> kernels,
                                                RuntimeForm form) {
  LoweringTarget target;
  target.constant = op.getInput().getDefiningOp<ConstantOp>();
  target.layout =
      op->getAttrOfType<RuntimeLayoutAttr>(DCDialect::kRuntimeLayoutAttrName);
  if (!target.constant || !target.layout ||
      target.layout.getForm() != form ||
      !llvm::is_contained(kernels, target.layout.getKernel()))
    return failure();
  if (form != RuntimeForm::Dense &&
      failed(collectViewedReads(op.getResult(), target.reads)))
    return failure();
  return target;
}

Value mlir::dc::codebookBuffer(OpBuilder &b, Location loc, ConstantOp constant,
                               bool zeroEntry) {
  SmallVector<float> values(constant.getCodebook());
  if (zeroEntry)
    values.push_back(0.0f);
  int64_t k = int64_t(values.size());
  auto codebookType = RankedTensorType::get({k}, b.getF32Type());
  Value codebookTensor = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(codebookType, ArrayRef<float>(values)));
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get({k}, b.getF32Type()), codebookTensor,
      /*read_only=*/true);
}

/// The contraction as a linalg.generic reading `weight`: the weight's
/// indexing map absorbs the views (transposes, broadcasts), and the body
/// looks the codebook up where the old body read the weight.
static void rewriteContraction(RewriterBase &rewriter, const ViewedRead &read,
                               Value weight, Value codebook, bool sparse,
                               bool transposed) {
  linalg::LinalgOp op = read.op;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Type idxType = cast<ShapedType>(weight.getType()).getElementType();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  maps[read.operand] = weightMap(read);
  if (transposed)
    maps[read.operand] = AffineMap::get(
        maps[read.operand].getNumDims(), 0,
        {maps[read.operand].getResult(1), maps[read.operand].getResult(0)},
        op.getContext());
  SmallVector<Value> inputs = op.getDpsInputs();
  inputs[read.operand] = weight;
  SmallVector<Value> inits = op.getDpsInits();
  auto generic =
      linalg::GenericOp::create(rewriter, loc, op->getResultTypes(), inputs,
                                inits, maps, op.getIteratorTypesArray());
  Block *oldBody = op.getBlock();
  Block *body = rewriter.createBlock(&generic.getRegion());
  IRMapping mapping;
  for (BlockArgument arg : oldBody->getArguments()) {
    Type argType = arg.getArgNumber() == read.operand ? idxType : arg.getType();
    mapping.map(arg, body->addArgument(argType, loc));
  }
  rewriter.setInsertionPointToStart(body);
  BlockArgument index = body->getArgument(read.operand);
  Value looked;
  if (!sparse) {
    // Every position is stored: the lookup itself.
    Value i =
        arith::IndexCastUIOp::create(rewriter, loc, rewriter.getIndexType(), index);
    looked = memref::LoadOp::create(rewriter, loc, codebook, ValueRange{i});
  } else {
    auto unary = sparse_tensor::UnaryOp::create(rewriter, loc,
                                                rewriter.getF32Type(), index);
    OpBuilder::InsertionGuard g(rewriter);
    Block *present =
        rewriter.createBlock(&unary.getPresentRegion(), {}, {idxType}, {loc});
    Value i = arith::IndexCastUIOp::create(rewriter, loc, rewriter.getIndexType(),
                                           present->getArgument(0));
    Value v = memref::LoadOp::create(rewriter, loc, codebook, ValueRange{i});
    sparse_tensor::YieldOp::create(rewriter, loc, v);
    // The absent region stays empty: pruned positions contribute nothing.
    looked = unary.getResult();
  }
  mapping.map(oldBody->getArgument(read.operand), looked);
  for (Operation &nested : *oldBody)
    rewriter.clone(nested, mapping);
  rewriter.replaceOp(op, generic->getResults());
}

void mlir::dc::eraseViewsAndOp(RewriterBase &rewriter, DecompressOp op,
                               ArrayRef<ViewedRead> reads) {
  llvm::SetVector<Operation *> views;
  for (const ViewedRead &read : reads)
    for (const View &v : llvm::reverse(read.views))
      views.insert(v.op);
  for (Operation *view : views)
    if (view->use_empty())
      rewriter.eraseOp(view);
  rewriter.eraseOp(op);
}

void mlir::dc::rewriteReads(RewriterBase &rewriter, DecompressOp op,
                            ArrayRef<ViewedRead> reads, Value weight,
                            Value codebook, bool sparse, bool transposed) {
  for (const ViewedRead &read : reads)
    rewriteContraction(rewriter, read, weight, codebook, sparse, transposed);
  eraseViewsAndOp(rewriter, op, reads);
}
