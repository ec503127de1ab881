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

// The numeric values are the DCRT_FORM_* codes of include/dc/Runtime/Decode.h.
def DC_RuntimeForm : I32EnumAttr<"RuntimeForm",
    "what a compressed weight is at run time", [
    I32EnumAttrCase<"Dense", 0, "dense">,
    I32EnumAttrCase<"CSR", 1, "csr">,
    I32EnumAttrCase<"Grid", 2, "grid">
  ]> {
  let cppNamespace = "::mlir::dc";
  let genSpecializedAttr = 0;
}

def DC_RuntimeKernel : I32EnumAttr<"RuntimeKernel",
    "the code that computes on a run-time form", [
    I32EnumAttrCase<"Sparsifier", 0, "sparsifier">,
    I32EnumAttrCase<"FcRows", 1, "fc_rows">,
    I32EnumAttrCase<"FcGather", 2, "fc_gather">,
    I32EnumAttrCase<"ConvRows", 3, "conv_rows">,
    I32EnumAttrCase<"DenseLoops", 4, "dense_loops">,
    I32EnumAttrCase<"DecodePerCall", 5, "decode_per_call">
  ]> {
  let cppNamespace = "::mlir::dc";
  let genSpecializedAttr = 0;
}

class DC_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<DC_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

// A small non-negative count (bits, bytes): a negative or huge value is a
// parse error naming it, not a wrapped-around unsigned.
class DC_CountParameter<string default = ""> : AttrParameter<"unsigned", ""> {
  let parser = "::mlir::dc::parseCountParameter($_parser)";
  let defaultValue = default;
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
    DC_CountParameter<>:$weightBits,
    DC_CountParameter<"0">:$indexBits,
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

def DC_RuntimeLayoutAttr : DC_Attr<"RuntimeLayout", "runtime"> {
  let summary = "The run-time layout of a compressed weight";
  let description = [{
    What a `dc.decompress` becomes at run time (docs/Lowering.md), chosen
    per weight by `dc-choose-runtime-layout` (or set by hand) and read by
    everything after it: the lowering patterns of
    `convert-dc-to-sparse-tensor`, the sizing of the run-time arrays and
    workspace slots, the arguments of the generated `@dc_init`'s decoder
    calls (include/dc/Runtime/Decode.h), and dc's kernels.

    - `form`: `dense` (f32 values, the fallback), `csr` (i32 positions over
      `lines` lines, each line's coordinates and codebook indices of the kept
      weights), or `grid` (one codebook index per position).
    - `kernel`: `sparsifier` (a sparse_tensor generic for the upstream
      sparsifier), `fc_rows` / `fc_gather` (dc's fully connected kernels),
      `conv_rows` (dc's pruned-convolution kernel), `dense_loops` (the dense
      vector loops read the form where they read the weight), or
      `decode_per_call` (a grid looked up into f32 scratch at each call).
    - `lines`, `lineLength` (`csr`): the number of run-time lines and the
      positions a line spans (0: the stored rows or columns as they are; a
      convolution filter's stored rows split into lines of KW).
    - `coordinateBytes` (`csr`: 2 or 4), `indexBytes` (`csr`, `grid`: 1 or
      2): element sizes of the arrays.
    - `transposed` (`grid`): stored `[in, out]` (a fully connected layer, in
      the order the vector loops read it).
    - `prunedEntry` (`grid` of a pruned weight): pruned positions hold index
      `k` (the codebook size), an extra 0.0 entry.

    Example:

    ```mlir
    dc.decompress %w {dc.runtime = #dc.runtime<form = csr, kernel = fc_rows,
        lines = 300, coordinateBytes = 2, indexBytes = 1>} : ...
    ```
  }];
  let parameters = (ins
    EnumParameter<DC_RuntimeForm>:$form,
    EnumParameter<DC_RuntimeKernel>:$kernel,
    DefaultValuedParameter<"int64_t", "0">:$lines,
    DefaultValuedParameter<"int64_t", "0">:$lineLength,
    DC_CountParameter<"0">:$coordinateBytes,
    DC_CountParameter<"0">:$indexBytes,
    DefaultValuedParameter<"bool", "false">:$transposed,
    DefaultValuedParameter<"bool", "false">:$prunedEntry
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // DC_DIALECT_DC_IR_DCATTRS_TD
