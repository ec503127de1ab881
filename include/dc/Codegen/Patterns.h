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

} // namespace mlir::dc

#endif // DC_CODEGEN_PATTERNS_H
