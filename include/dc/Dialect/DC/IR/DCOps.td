//===- DCOps.td - dc operations ----------------------------*- tablegen -*-===//

#ifndef DC_DIALECT_DC_IR_DCOPS_TD
#define DC_DIALECT_DC_IR_DCOPS_TD

include "dc/Dialect/DC/IR/DCTypes.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// One stream of the payload: an i8 dense_resource blob (docs/Format.md 4).
def DC_StreamAttr : Attr<
    CPred<"::llvm::isa<::mlir::DenseResourceElementsAttr>($_self)">,
    "dense_resource blob"> {
  let storageType = "::mlir::DenseResourceElementsAttr";
  let returnType = "::mlir::DenseResourceElementsAttr";
  let convertFromStorage = "$_self";
}

def DC_ConstantOp : DC_Op<"constant", [Pure]> {
  let summary = "A compressed constant weight";
  let description = [{
    The stored form of one compressed weight tensor, field for field the
    format of docs/Format.md:

    - `codebook`: the shared weight values (at most `2^weightBits`);
    - `num_weights`: the number of weight indices (kept weights; every
      element for the `dense` layout);
    - `num_gaps`: the number of gap symbols including escapes (`csr`/`csc`);
    - `weight_code_lengths`, `gap_code_lengths`: the canonical Huffman code
      length tables (`entropy = huffman` only; one entry per codebook entry
      and per gap symbol);
    - `row_ptr`, `gaps`, `weights`: the streams, each a `dense_resource`
      blob of type `tensor<Nxi8>` (`row_ptr` and `gaps` for `csr`/`csc` only);
    - `layer` (optional): the layer's name, for reports; not part of the
      payload.

    The verifier checks the header against the type and the encoding and the
    size of every raw stream; it tolerates elided resources (a blob printed as
    `__elided__` that is not loaded). The stream contents are checked when
    they are decoded (`dc-materialize`).

    ```mlir
    %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                      num_gaps = 3 : i64,
                      row_ptr = dense_resource<w_ptr> : tensor<1xi8>,
                      gaps = dense_resource<w_gaps> : tensor<1xi8>,
                      weights = dense_resource<w_idx> : tensor<1xi8>}
        : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
    ```
  }];
  let arguments = (ins
    DenseF32ArrayAttr:$codebook,
    ConfinedAttr<I64Attr, [IntNonNegative]>:$num_weights,
    DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "0">:$num_gaps,
    OptionalAttr<DenseI8ArrayAttr>:$weight_code_lengths,
    OptionalAttr<DenseI8ArrayAttr>:$gap_code_lengths,
    OptionalAttr<DC_StreamAttr>:$row_ptr,
    OptionalAttr<DC_StreamAttr>:$gaps,
    DC_StreamAttr:$weights,
    OptionalAttr<StrAttr>:$layer
  );
  let results = (outs DC_CompressedTensor:$result);
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::dc::CompressedTensorType getType() {
      return ::llvm::cast<::mlir::dc::CompressedTensorType>(getResult().getType());
    }
    /// The payload as the codec sees it. Fails (with a diagnostic at the op)
    /// when a blob is elided or the header is inconsistent.
    ::mlir::FailureOr<::dc::codec::LayerView> getLayerView();
    /// Bytes the payload stores (docs/Format.md section 7); computed from the
    /// header and the stream types, so it works with elided blobs too.
    uint64_t getStoredBytes();
    /// The dense tensor the payload stands for, as a dense<> literal or (when
    /// `asResource`) a dense_resource blob named after the layer. Fails with
    /// a diagnostic at the op when the payload does not decode.
    ::mlir::FailureOr<::mlir::ElementsAttr> decodeToElements(bool asResource);
  }];
}

def DC_DecompressOp : DC_Op<"decompress", [Pure]> {
  let summary = "The dense tensor a compressed tensor stands for";
  let description = [{
    Produces the ordinary tensor of a compressed one: pruned positions are
    zero, kept ones take their codebook value. It is not folded when its
    operand is a `dc.constant` (that would materialise every dense weight at
    compile time); `dc-materialize` does it on request, and the lowerings fuse
    it into the computation that consumes it.

    ```mlir
    %d = dc.decompress %w : !dc.tensor<2x4xf32, #enc> -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins DC_CompressedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` qualified(type($input)) `->` type($result)";
  let hasVerifier = 1;
}

#endif // DC_DIALECT_DC_IR_DCOPS_TD
