//===- DCAttrs.td - dc attributes and enums ----------------*- tablegen -*-===//

#ifndef DC_DIALECT_DC_IR_DCATTRS_TD
#define DC_DIALECT_DC_IR_DCATTRS_TD

include "dc/Dialect/DC/IR/DCDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

// The numeric values are the codes of docs/Format.md and equal
// dc::codec::Layout / dc::codec::Entropy.
def DC_Layout : I32EnumAttr<"Layout", "storage layout of a compressed tensor", [
    I32EnumAttrCase<"Dense", 0, "dense">,
    I32EnumAttrCase<"CSR", 1, "csr">,
    I32EnumAttrCase<"CSC", 2, "csc">
  ]> {
  let cppNamespace = "::mlir::dc";
  let genSpecializedAttr = 0;
}

def DC_Entropy : I32EnumAttr<"Entropy", "entropy coding of the streams", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Huffman", 1, "huffman">
  ]> {
  let cppNamespace = "::mlir::dc";
  let genSpecializedAttr = 0;
}

class DC_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<DC_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def DC_EncodingAttr : DC_Attr<"Encoding", "encoding"> {
  let summary = "How a compressed tensor is stored";
  let description = [{
    The storage parameters of a compressed weight (docs/Format.md):

    - `layout`: `dense` (every position carries a codebook index), `csr`
      (kept weights row by row) or `csc` (column by column) of the tensor's
      matrix view (dimension 0 by the product of the others);
    - `weightBits` (1..8): bits of a codebook index; the codebook has at most
      `2^weightBits` entries (the paper: 8 for conv, 5 for fc layers);
    - `indexBits` (1..8 for `csr`/`csc`, absent or 0 for `dense`): bits of the
      relative index, the gap to the previous kept weight; the largest gap
      symbol is an escape that advances without an entry;
    - `entropy`: `none` (raw fixed-width streams) or `huffman` (canonical,
      length-limited Huffman codes over the index and gap streams).

    Example:

    ```mlir
    #fc = #dc.encoding<csr, weightBits = 5, indexBits = 5, entropy = huffman>
    #conv = #dc.encoding<dense, weightBits = 8>
    ```
  }];
  let parameters = (ins
    EnumParameter<DC_Layout>:$layout,
    "unsigned":$weightBits,
    DefaultValuedParameter<"unsigned", "0">:$indexBits,
    DefaultValuedParameter<"::mlir::dc::Entropy", "::mlir::dc::Entropy::None",
                           "entropy coding">:$entropy
  );
  let assemblyFormat = "`<` $layout `,` struct($weightBits, $indexBits, $entropy) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isSparse() const { return getLayout() != ::mlir::dc::Layout::Dense; }
    /// The codec's view of these parameters.
    ::dc::codec::Params toCodecParams() const;
  }];
}

#endif // DC_DIALECT_DC_IR_DCATTRS_TD
