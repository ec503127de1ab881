//===- Compression.h - The compression library's entry points ---*- C++ -*-===//
//
// Deep Compression over every weight of a module: what dc-prune,
// dc-quantize, dc-encode and dc-compress run, and what drivers (dc-train's
// recipes) call directly with typed options. The pieces: the weight finder
// (dc/Dialect/DC/Analysis/Weights.h), options and policy
// (CompressionOptions.h), the report (Report.h).
//
//===----------------------------------------------------------------------===//

#ifndef DC_DIALECT_DC_TRANSFORMS_COMPRESSION_H
#define DC_DIALECT_DC_TRANSFORMS_COMPRESSION_H

#include "dc/Dialect/DC/Analysis/Weights.h"
#include "dc/Dialect/DC/Transforms/CompressionOptions.h"
#include "dc/Dialect/DC/Transforms/Forms.h"
#include "dc/Dialect/DC/Transforms/Report.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

namespace mlir::dc {

/// dc-prune over every weight of `module`: dense weights are pruned into
/// `form`, pruned forms pruned further among their kept weights; quantized
/// forms and codebook gathers are left alone. Diagnostics are emitted at the
/// failing weight.
LogicalResult pruneWeights(ModuleOp module, const CompressionOptions &config,
                           FormOption form);

/// dc-quantize over every weight of `module`: k-means over the kept weights
/// of dense weights (non-zero) and pruned forms (the mask), written in
/// `form`; quantized forms and codebook gathers are left alone.
LogicalResult quantizeWeights(ModuleOp module, const CompressionOptions &config,
                              FormOption form);

/// Encodes every weight of `module` into dc.constant + dc.decompress, then
/// writes the report. With `pruneAndQuantize` (dc-compress) dense weights are
/// pruned and k-means quantized first, one layer at a time (a pruned form
/// only among its kept weights); without it (dc-encode) their distinct kept
/// values are the codebook. Codebook gathers and quantized forms are
/// encoded as they are.
/// Only the weights `select` accepts are encoded (all when null); `rows`,
/// when given, receives the report rows.
LogicalResult
encodeWeights(ModuleOp module, const CompressionOptions &config,
              bool pruneAndQuantize, const ReportTarget &report,
              function_ref<bool(const WeightUse &)> select = nullptr,
              SmallVectorImpl<LayerReport> *rows = nullptr);

} // namespace mlir::dc

#endif // DC_DIALECT_DC_TRANSFORMS_COMPRESSION_H
