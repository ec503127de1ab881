//===- SparseKernelPatterns.cpp - Computing on the run-time CSR -----------===//
//
// The csr form's patterns (populateDCSparseKernelPatterns): a dc.decompress
// whose #dc.runtime is
//   - sparsifier: a sparse_tensor.assemble of the run-time arrays, each
//     reader a linalg.generic on it for the upstream sparsifier;
//   - fc_rows / fc_gather: dc's fully connected kernels (FcKernel.cpp);
//   - conv_rows: dc's pruned-convolution kernel.
//
//===----------------------------------------------------------------------===//

#include "FcKernel.h"
#include "Patterns.h"

#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"

using namespace mlir;
using namespace mlir::dc;

namespace {

/// The sparse tensor type of a csr layout over the weight's own dimensions:
/// dense up to the compressed level (the last of size > 1, at least 1),
/// then dense; #CSC's dimensions swapped.
RankedTensorType sparseType(ConstantOp constant, RuntimeLayoutAttr layout) {
  MLIRContext *ctx = constant.getContext();
  CompressedTensorType type = constant.getType();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = type.getRank();
  int64_t level = rank - 1;
  while (level > 1 && shape[level] == 1)
    --level;
  SmallVector<sparse_tensor::LevelType> levels;
  for (int64_t d = 0; d < rank; ++d)
    levels.push_back(sparse_tensor::LevelType(
        d == level ? sparse_tensor::LevelFormat::Compressed
                   : sparse_tensor::LevelFormat::Dense));
  AffineMap dimToLvl =
      type.getEncoding().getLayout() == Layout::CSC
          ? AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0}, ctx)
          : AffineMap::getMultiDimIdentityMap(rank, ctx);
  auto encoding = sparse_tensor::SparseTensorEncodingAttr::get(
      ctx, levels, dimToLvl, AffineMap(), /*posWidth=*/32,
      8 * layout.getCoordinateBytes());
  return RankedTensorType::get(
      shape, IntegerType::get(ctx, 8 * layout.getIndexBytes()), encoding);
}

/// A base for the patterns: the target and its arrays.
struct CsrPattern : OpRewritePattern<DecompressOp> {
  CsrPattern(MLIRContext *ctx, RuntimeArrayBuilder &arrays,
             const KernelOptions &options, ArrayRef<RuntimeKernel> kernels)
      : OpRewritePattern(ctx), arrays(arrays), options(options),
        kernels(kernels) {}

  LogicalResult matchAndRewrite(DecompressOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<LoweringTarget> target =
        matchTarget(op, kernels, RuntimeForm::CSR);
    if (failed(target) || !applies(*target))
      return failure();
    rewriter.setInsertionPoint(op);
    FailureOr<RuntimeArrays> built =
        arrays.buildInPattern(rewriter, target->constant, target->layout);
    if (failed(built))
      return failure();
    rewrite(op, *target, *built, rewriter);
    return success();
  }

  virtual bool applies(LoweringTarget &) const { return true; }
  virtual void rewrite(DecompressOp op, LoweringTarget &target,
                       RuntimeArrays &built,
                       PatternRewriter &rewriter) const = 0;

  /// dc's kernels read the arrays as buffers, with the codebook.
  static FcWeight kernelWeight(PatternRewriter &rewriter, Location loc,
                               LoweringTarget &target, RuntimeArrays &built) {
    built.materializeBuffers(rewriter, loc);
    return FcWeight{built.buffers[0], built.buffers[1], built.buffers[2],
                    codebookBuffer(rewriter, loc, target.constant),
                    target.constant.getCodebook()};
  }

  RuntimeArrayBuilder &arrays;
  KernelOptions options;
  SmallVector<RuntimeKernel> kernels;
};

/// sparsifier: the upstream sparsifier's loop over the stored entries.
struct LowerToSparsifier : CsrPattern {
  LowerToSparsifier(MLIRContext *ctx, RuntimeArrayBuilder &arrays,
                    const KernelOptions &options)
      : CsrPattern(ctx, arrays, options, {RuntimeKernel::Sparsifier}) {}

  void rewrite(DecompressOp op, LoweringTarget &target,
               RuntimeArrays &built,
               PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value weight = sparse_tensor::AssembleOp::create(
        rewriter, loc, sparseType(target.constant, target.layout),
        ValueRange{built.tensors[0], built.tensors[1]}, built.tensors[2]);
    Value codebook = codebookBuffer(rewriter, loc, target.constant);
    rewriteReads(rewriter, op, target.reads, weight, codebook, /*sparse=*/true,
                 /*transposed=*/false);
  }
};

/// fc_rows, fc_gather: dc's fully connected kernels, one per reader.
struct LowerToFcKernel : CsrPattern {
  LowerToFcKernel(MLIRContext *ctx, RuntimeArrayBuilder &arrays,
                  const KernelOptions &options)
      : CsrPattern(ctx, arrays, options,
                   {RuntimeKernel::FcRows, RuntimeKernel::FcGather}) {}

  bool applies(LoweringTarget &target) const override {
    return target.constant.getType().getRank() == 2 &&
           target.layout.getLineLength() == 0 &&
           target.constant.getType().getEncoding().getLayout() == Layout::CSR &&
           llvm::all_of(target.reads, [](const ViewedRead &read) {
             return matchFc(read.op, read.operand, weightMap(read)).has_value();
           });
  }

  void rewrite(DecompressOp op, LoweringTarget &target,
               RuntimeArrays &built,
               PatternRewriter &rewriter) const override {
    FcWeight fc = kernelWeight(rewriter, op.getLoc(), target, built);
    FcKernel kind = target.layout.getKernel() == RuntimeKernel::FcGather
                        ? FcKernel::Gather
                        : FcKernel::Rows;
    for (const ViewedRead &read : target.reads)
      buildFcKernel(rewriter, read.op,
                    *matchFc(read.op, read.operand, weightMap(read)), fc, kind,
                    options.vectorBits, options.avx512Permute);
    eraseViewsAndOp(rewriter, op, target.reads);
    built.eraseUnusedTensors(rewriter);
  }
};

/// conv_rows: dc's pruned-convolution kernel on the stored rows.
struct LowerToConvKernel : CsrPattern {
  LowerToConvKernel(MLIRContext *ctx, RuntimeArrayBuilder &arrays,
                    const KernelOptions &options)
      : CsrPattern(ctx, arrays, options, {RuntimeKernel::ConvRows}) {}

  bool applies(LoweringTarget &target) const override {
    return target.layout.getLineLength() == 0 &&
           target.constant.getType().getEncoding().getLayout() == Layout::CSR &&
           llvm::all_of(target.reads, [](const ViewedRead &read) {
             return matchConv(read.op, read.operand, weightMap(read))
                 .has_value();
           });
  }

  void rewrite(DecompressOp op, LoweringTarget &target,
               RuntimeArrays &built,
               PatternRewriter &rewriter) const override {
    FcWeight fc = kernelWeight(rewriter, op.getLoc(), target, built);
    for (const ViewedRead &read : target.reads)
      buildConvKernel(rewriter, read.op,
                      *matchConv(read.op, read.operand, weightMap(read)), fc,
                      options.vectorBits);
    eraseViewsAndOp(rewriter, op, target.reads);
    built.eraseUnusedTensors(rewriter);
  }
};

} // namespace

void mlir::dc::populateDCSparseKernelPatterns(RewritePatternSet &patterns,
                                              RuntimeArrayBuilder &arrays,
                                              const KernelOptions &options) {
  patterns.add<LowerToSparsifier, LowerToFcKernel, LowerToConvKernel>(
      patterns.getContext(), arrays, options);
}
