//===- Patterns.h - Rewrite patterns of dc's code generation --*- C++ -*-===//
//
// The mechanisms behind passes, for pipelines and other compilers that want
// them inside their own pattern sets.
//
//===----------------------------------------------------------------------===//

#ifndef DC_CODEGEN_PATTERNS_H
#define DC_CODEGEN_PATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::dc {

/// dc-fold-transposes: contractions read transposed inputs (on tensors)
/// through their indexing maps instead of from a transposed copy.
void populateFoldTransposesPatterns(RewritePatternSet &patterns);

/// dc-conv-to-im2col: a window contraction (a generalized convolution)
/// becomes a patch copy and a contraction over projected permutations.
void populateConvToIm2colPatterns(RewritePatternSet &patterns);

/// dc-relayout-constants: a constant input of a linalg op on tensors that
/// the vector loops would read across its innermost dimension is permuted
/// at compile time (the op generalized, its map permuted alike). Apply
/// with walkAndApplyPatterns: each op once, in order.
void populateRelayoutConstantsPatterns(RewritePatternSet &patterns);

/// convert-linalg-to-blas: an f32 contraction on buffers becomes calls of
/// the host BLAS (dcrt_host_sgemm, declared in the module on first use);
/// with `reportUnmatched`, a remark at each contraction left to the loops.
/// Apply with walkAndApplyPatterns: each op once, in order.
void populateLinalgToBlasPatterns(RewritePatternSet &patterns,
                                  bool reportUnmatched = false);

/// dc-copy-repeated-results: a memref a func.return returns more than once
/// gets a copy of its own for each repeat (upstream's
/// buffer-results-to-out-params crashes on a repeated result).
void populateCopyRepeatedResultsPatterns(RewritePatternSet &patterns);

/// dc-vectorize's options (include/dc/Codegen/Passes.td).
struct VectorizeOptions {
  unsigned vectorBits = 256;
  unsigned registers = 16;
  int64_t reductionBlock = 256;
  int64_t columnBlock = 512;
  bool avx512Permute = false;
};

/// dc-vectorize: a dense linalg op on buffers of static shape becomes
/// register-tiled vector loops (none when `options.vectorBits` is 0). Apply
/// with walkAndApplyPatterns: each op once, in order.
void populateVectorizePatterns(RewritePatternSet &patterns,
                               const VectorizeOptions &options);

} // namespace mlir::dc

#endif // DC_CODEGEN_PATTERNS_H
