//===- DCToSparseTensor.h - Lowering compressed weights ---------*- C++ -*-===//
//
// The pieces of convert-dc-to-sparse-tensor, for pipelines that want them
// one by one (docs/Lowering.md):
//
//   1. chooseRuntimeLayout: what a dc.decompress becomes at run time, a
//      #dc.runtime attribute (the dc-choose-runtime-layout pass attaches
//      it; a hand-written one is kept);
//   2. RuntimeArrayBuilder: a weight's run-time arrays as its layout says,
//      as compile-time constants or as workspace slots that the generated
//      @dc_init fills (decode-at=init);
//   3. the rewrite patterns that compute on those arrays: dc's kernels and
//      the upstream sparsifier's (populateDCSparseKernelPatterns), and the
//      dense-quantized grid and dense f32 forms
//      (populateDCDenseFallbackPatterns). Each matches a dc.decompress of
//      a dc.constant by its #dc.runtime layout.
//
//===----------------------------------------------------------------------===//

#ifndef DC_CONVERSION_DCTOSPARSETENSOR_H
#define DC_CONVERSION_DCTOSPARSETENSOR_H

#include "dc/Conversion/Passes.h"
#include "dc/Dialect/DC/IR/DCOps.h"

#include "mlir/IR/PatternMatch.h"

#include <memory>
#include <string>

namespace mlir::dc {

/// What the layout chooser may pick from.
struct RuntimeLayoutOptions {
  FcKernel fcKernel = FcKernel::Sparsifier;
  /// Auto is taken as Rows.
  ConvKernel convKernel = ConvKernel::Sparsifier;
  /// The kernels' vector width (the fc gather kernel needs 512).
  unsigned vectorBits = 512;
};

/// The run-time layout of `op` (a dc.decompress of a dc.constant) given how
/// its result is read (collectViewedReads): dc's kernels or the sparsifier
/// on the run-time CSR, the grid of codebook indices read by the dense
/// loops, or (where neither covers the reads) dense f32, with the reason in
/// `why`. Fully connected layers with fc-kernel=auto take the cost model
/// of docs/Lowering.md. Fails, with an error at `op`, when its operand is
/// not a dc.constant.
FailureOr<RuntimeLayoutAttr>
chooseRuntimeLayout(DecompressOp op, const RuntimeLayoutOptions &options,
                    std::string &why);

/// The layout of `op`: its dc.runtime attribute, or chooseRuntimeLayout's
/// choice (warning at `op` when that is dense f32), which it then carries.
FailureOr<RuntimeLayoutAttr>
getOrChooseRuntimeLayout(DecompressOp op, const RuntimeLayoutOptions &options);

/// One run-time array of a layout: its slot and blob name suffix, element
/// width and shape, and whether its elements are f32 (else integers).
struct RuntimeArrayType {
  std::string suffix;
  unsigned bits;
  SmallVector<int64_t> shape;
  bool isFloat = false;
  int64_t bytes() const;
};

/// The arrays `layout` needs for `constant`, in the order of the decoder's
/// parameters: csr: positions, coordinates, indices; grid: the indices
/// (transposed when the layout says); dense: the f32 values.
SmallVector<RuntimeArrayType> runtimeArrayTypes(RuntimeLayoutAttr layout,
                                                ConstantOp constant);

/// A weight's run-time arrays, as tensors and (on demand) read-only buffers.
struct RuntimeArrays {
  SmallVector<Value> tensors, buffers;
  /// Fills `buffers` (to_buffer of the constants) where still empty.
  void materializeBuffers(OpBuilder &b, Location loc);
  /// Erases the tensor forms nothing uses (init slots' to_tensor).
  void eraseUnusedTensors(RewriterBase &rewriter);
};

/// What the patterns share: where payloads are decoded, the @dc_init being
/// built and the weights' slot names.
class RuntimeArrayBuilder {
public:
  RuntimeArrayBuilder(ModuleOp module, DecodeAt decodeAt);
  ~RuntimeArrayBuilder();

  /// `constant`'s arrays for `layout` at `b`'s insertion point: constants
  /// decoded now (decode-at=compile), or views of named workspace slots
  /// and the @dc_init call that fills them (decode-at=init). Fails with an
  /// error at `constant` when its payload does not decode.
  FailureOr<RuntimeArrays> build(OpBuilder &b, ConstantOp constant,
                                 RuntimeLayoutAttr layout);

  /// build(), for a pattern: on failure the builder remembers it (failed()),
  /// so the pass fails instead of reporting a missing lowering.
  FailureOr<RuntimeArrays> buildInPattern(OpBuilder &b, ConstantOp constant,
                                          RuntimeLayoutAttr layout) {
    FailureOr<RuntimeArrays> arrays = build(b, constant, layout);
    if (::mlir::failed(arrays))
      hadError = true;
    return arrays;
  }

  /// `constant`'s slot and blob name: its layer name (or "layer"), made
  /// unique so two weights never share a workspace slot.
  StringRef slotName(ConstantOp constant);

  /// Gives @dc_init its return of the combined status.
  void finish();

  /// Whether a pattern reported an error.
  bool failed() const { return hadError; }

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
  bool hadError = false;
};

/// Kernel options of the patterns.
struct KernelOptions {
  unsigned vectorBits = 512;
  bool avx512Permute = false;
};

/// The csr form: kernels sparsifier, fc_rows, fc_gather and conv_rows.
void populateDCSparseKernelPatterns(RewritePatternSet &patterns,
                                    RuntimeArrayBuilder &arrays,
                                    const KernelOptions &options);

/// The grid form (dense_loops, decode_per_call) and dense f32.
void populateDCDenseFallbackPatterns(RewritePatternSet &patterns,
                                     RuntimeArrayBuilder &arrays);

} // namespace mlir::dc

#endif // DC_CONVERSION_DCTOSPARSETENSOR_H
