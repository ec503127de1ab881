//===- FcKernel.h - dc's own fused decode-and-multiply fc kernels -*- C++ -*-===//
//
// A fully connected layer y[b, n] = init[b, n] + sum_k x[b, k] W[n, k] whose
// weight is a 2-D CSR run-time form (i32 row positions, u16/i32 columns,
// u8/u16 codebook indices) becomes scf + vector loops over the stored
// entries, built here instead of the sparsifier's (docs/Lowering.md).
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_CONVERSION_DCTOSPARSETENSOR_FCKERNEL_H
#define DC_LIB_CONVERSION_DCTOSPARSETENSOR_FCKERNEL_H

#include "dc/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::dc {

/// The shape of a matched fully connected layer.
struct FcShape {
  int64_t batch = 1, rows = 0, cols = 0;
  /// The input x (the other operand) and whether it and the output carry a
  /// batch dimension (rank 2) or not (rank 1).
  unsigned xOperand = 0;
  bool batched = false;
};

/// Whether `op` reads its input `weightOperand` as W[n, k] through
/// `weightMap` (the op's map for it composed with the weight's views) in
/// y[b, n] (+)= x[b, k] * W[n, k] (or without b), over f32.
std::optional<FcShape> matchFc(linalg::LinalgOp op, unsigned weightOperand,
                               AffineMap weightMap);

/// The run-time CSR of the weight as memrefs, and its codebook.
struct FcWeight {
  Value positions, coordinates, indices, codebook;
  /// The codebook's values (for the permute lookup).
  ArrayRef<float> codebookValues;
};

/// Replaces `op` with the kernel `kind` (FcKernel::Rows or Gather) for
/// vectors of `vectorBits`. With `avx512Permute`, the 16-lane gather kernel
/// looks a codebook of at most 32 entries up in registers (vpermps /
/// vpermi2ps through llvm.call_intrinsic) instead of gathering it.
void buildFcKernel(RewriterBase &rewriter, linalg::LinalgOp op,
                   const FcShape &shape, const FcWeight &weight, FcKernel kind,
                   unsigned vectorBits, bool avx512Permute);

/// The shape of a matched stride-1 NCHW convolution
/// y[n, f, oh, ow] (+)= x[n, c, oh + kh, ow + kw] * W[f, c, kh, kw].
struct ConvShape {
  int64_t n = 0, c = 0, h = 0, w = 0, f = 0, kh = 0, kw = 0, oh = 0, ow = 0;
  unsigned xOperand = 0;
};

/// Whether `op` reads its input `weightOperand` as W[f, c, kh, kw] through
/// `weightMap` in a stride-1, undilated NCHW convolution over f32.
std::optional<ConvShape> matchConv(linalg::LinalgOp op, unsigned weightOperand,
                                   AffineMap weightMap);

/// Replaces `op` with dc's pruned-convolution kernel on the run-time CSR of
/// the filter as the matrix [F, C KH KW]: for each output channel, a loop
/// over its kept weights only, each broadcast and multiplied into a tile of
/// up to 14 output rows (8 below 512-bit vectors; the rows spread evenly
/// over the passes) x one vector along ow, masked where the row is
/// narrower (x read at the weight's offset).
void buildConvKernel(RewriterBase &rewriter, linalg::LinalgOp op,
                     const ConvShape &shape, const FcWeight &weight,
                     unsigned vectorBits);

} // namespace mlir::dc

#endif // DC_LIB_CONVERSION_DCTOSPARSETENSOR_FCKERNEL_H
