//===- DCTypes.td - dc types -------------------------------*- tablegen -*-===//

#ifndef DC_DIALECT_DC_IR_DCTYPES_TD
#define DC_DIALECT_DC_IR_DCTYPES_TD

include "dc/Dialect/DC/IR/DCAttrs.td"
include "mlir/IR/AttrTypeBase.td"

class DC_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<DC_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def DC_CompressedTensor : DC_Type<"CompressedTensor", "tensor"> {
  let summary = "immutable compressed tensor";
  let description = [{
    A tensor of static shape whose values are stored as the encoding says:
    it can only be produced by `dc.constant` and read by `dc.decompress` (or
    by the lowerings, which compute on it directly). The element type is
    `f32`; the shape has rank >= 1, every dimension is positive and the
    number of elements is below 2^32.

    ```mlir
    !dc.tensor<300x784xf32, #dc.encoding<csr, weightBits = 6, indexBits = 5>>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "static shape">:$shape,
    "::mlir::Type":$elementType,
    "::mlir::dc::EncodingAttr":$encoding
  );
  let assemblyFormat =
      "`<` custom<StaticShape>($shape, $elementType) `,` qualified($encoding) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getRank() const { return getShape().size(); }
    /// Number of elements of the dense tensor it stands for.
    int64_t getNumElements() const;
    /// The matching dense tensor type.
    ::mlir::RankedTensorType getDenseType() const;
  }];
}

#endif // DC_DIALECT_DC_IR_DCTYPES_TD
