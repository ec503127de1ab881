//===- Passes.td - dc conversion passes --------------------*- tablegen -*-===//

#ifndef DC_CONVERSION_PASSES_TD
#define DC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertDCToSparseTensor : Pass<"convert-dc-to-sparse-tensor", "ModuleOp"> {
  let summary = "Compute on compressed weights through the sparse_tensor "
                "dialect";
  let description = [{
    Rewrites every `dc.decompress(dc.constant)` so that no dense weight
    exists at run time where the upstream sparsifier can compute on the
    compressed form:

    - A 2-D `csr` or `csc` weight consumed only by linalg contractions
      (directly or through a 2-D `linalg.transpose`) becomes a
      `sparse_tensor.assemble` of run-time arrays — positions (i32),
      coordinates (i16 when the minor dimension fits, else i32) and one
      codebook index per entry (i8, or i16 for larger codebooks) — and each
      contraction becomes a `linalg.generic` on that sparse tensor whose body
      looks the codebook up in a `sparse_tensor.unary` present region, so the
      sparsifier fuses decode and multiply-add into one loop over the stored
      entries.
    - Any other use (dense layout, convolutions, other consumers) is decoded
      once into a dense constant, as `dc-materialize` does.

    The run-time arrays are produced at compile time from the payload
    (Huffman and gap streams decoded by the codec); they are `dense_resource`
    blobs, not dense weights. A payload that does not decode is an error at
    its `dc.constant`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::sparse_tensor::SparseTensorDialect",
  ];
}

#endif // DC_CONVERSION_PASSES_TD
