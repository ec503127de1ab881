//===- DCDialect.td - The dc dialect -----------------------*- tablegen -*-===//
//
// Deep Compression (Han, Mao, Dally, ICLR 2016) as an MLIR dialect.
//
//===----------------------------------------------------------------------===//

#ifndef DC_DIALECT_DC_IR_DCDIALECT_TD
#define DC_DIALECT_DC_IR_DCDIALECT_TD

include "mlir/IR/OpBase.td"

def DC_Dialect : Dialect {
  let name = "dc";
  let cppNamespace = "::mlir::dc";
  let summary = "Deep Compression: pruned, weight-shared, entropy-coded tensors";
  let description = [{
    The `dc` dialect represents neural-network weights compressed the way
    "Deep Compression" (Han, Mao, Dally, ICLR 2016) describes: magnitude
    pruning, per-layer k-means weight sharing (a codebook of `2^bits` values
    and one index per kept weight) and Huffman coding of the index and gap
    streams.

    A compressed weight is a `dc.constant` of type `!dc.tensor<...>`, whose
    `#dc.encoding<...>` says how it is stored; `dc.decompress` turns it into
    an ordinary tensor for the computation that uses it. The payload format
    is specified bit for bit in docs/Format.md; the op's attributes and
    `dense_resource` blobs hold exactly those fields, so the payload bytes of
    the IR equal the stored bytes the compression report counts.

    (CIRCT also has a dialect named `dc`; this one lives in C++ namespace
    `mlir::dc`.)
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
    void registerTypes();

    /// The names the lowering and the C interface share: a run-time layout
    /// buffer's workspace slot (a `memref.alloc` attribute that dc-workspace
    /// places at one offset in every entry function), the generated
    /// function that decodes every payload into its slots, and the
    /// workspace size an entry function needs (docs/Lowering.md).
    static constexpr ::llvm::StringLiteral kSlotAttrName = "dc.slot";
    static constexpr ::llvm::StringLiteral kInitFunctionName = "dc_init";
    static constexpr ::llvm::StringLiteral kWorkspaceBytesAttrName =
        "dc.workspace_bytes";
    /// The function dc-workspace adds: the workspace bytes every entry needs.
    static constexpr ::llvm::StringLiteral kWorkspaceSizeFunctionName =
        "dc_workspace_size";
    /// The #dc.runtime layout of a dc.decompress (dc-choose-runtime-layout).
    static constexpr ::llvm::StringLiteral kRuntimeLayoutAttrName =
        "dc.runtime";
  }];
}

class DC_Op<string mnemonic, list<Trait> traits = []>
    : Op<DC_Dialect, mnemonic, traits>;

#endif // DC_DIALECT_DC_IR_DCDIALECT_TD
