//===- Passes.td - dc transformation passes ----------------*- tablegen -*-===//

#ifndef DC_DIALECT_DC_TRANSFORMS_PASSES_TD
#define DC_DIALECT_DC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DCMaterialize : Pass<"dc-materialize"> {
  let summary = "Decode dc.decompress of dc.constant into a dense arith.constant";
  let description = [{
    Replaces every `dc.decompress` whose operand is a `dc.constant` by an
    `arith.constant` holding the decoded dense weights (pruned positions are
    zero, kept ones their codebook value). This materialises the dense
    weights at compile time, which is why it is an explicit pass and not a
    canonicalisation: use it to check a compressed model against its
    original, or to run a compressed model through a flow that does not know
    `dc`. `dc.constant` ops left without users are erased.

    A payload that does not decode (a corrupt or truncated stream, an elided
    blob) is reported at the `dc.constant` and the pass fails.
  }];
  let options = [
    Option<"blobs", "blobs", "bool", /*default=*/"false",
           "Store the dense weights as dense_resource blobs (fast to print "
           "and parse for large models) instead of dense<> literals">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

//===----------------------------------------------------------------------===//
// Compression (Deep Compression's three stages)
//===----------------------------------------------------------------------===//

// Options shared by the stages and by dc-compress, which runs all three. The
// values of the enum options init, layout and entropy are declared once, in
// Forms.h's tables (the `layer` overrides parse the same names).
defvar DC_LayerOption = ListOption<"layerOptions", "layer", "std::string",
    "Per-layer overrides, each NAME:key=value[:key=value...]. NAME matches a "
    "layer's name (a NameLoc on the weight's consumer or on the constant), "
    "its consumer op name (e.g. linalg.conv_2d_nchw_fchw) or part of its "
    "location (e.g. model.py:12). Keys: sparsity, quality, bits, index-bits, "
    "layout, entropy, skip (=1 leaves the layer alone). Later entries win.">;

defvar DC_PruneOptions = [
  Option<"sparsity", "sparsity", "double", /*default=*/"0.9",
         "Fraction of each layer's weights to remove (smallest magnitude "
         "first), in [0, 1]">,
  Option<"quality", "quality", "double", /*default=*/"0.0",
         "When > 0, prune by threshold instead: remove |w| <= quality * "
         "std(layer) (Han et al. 2015); overrides sparsity">,
];

defvar DC_QuantizeOptions = [
  Option<"fcBits", "fc-bits", "unsigned", /*default=*/"5",
         "Codebook index bits of fully connected layers (1..8): 2^bits "
         "shared weights">,
  Option<"convBits", "conv-bits", "unsigned", /*default=*/"8",
         "Codebook index bits of convolution layers (1..8)">,
  Option<"init", "init", "::mlir::dc::InitOption",
         /*default=*/"::mlir::dc::InitOption::Linear",
         "k-means initialisation: linear (the paper's best), density or "
         "random", [{::mlir::dc::optionValues(::mlir::dc::kInitValues)}]>,
  Option<"seed", "seed", "uint64_t", /*default=*/"0",
         "Seed of random initialisation">,
  Option<"maxIterations", "max-iterations", "unsigned", /*default=*/"100",
         "Most k-means (Lloyd) iterations per layer; 0 keeps the initial "
         "centroids">,
];

defvar DC_EncodeOptions = [
  Option<"indexBits", "index-bits", "unsigned", /*default=*/"0",
         "Relative-index (gap) bits, 1..8; 0 picks the paper's choice: 5 for "
         "fully connected, 8 for convolution layers">,
  Option<"layout", "layout", "::mlir::dc::LayoutOption",
         /*default=*/"::mlir::dc::LayoutOption::Auto",
         "Storage layout: csr, csc, dense, or auto (the smallest of csr and "
         "dense for each layer)",
         [{::mlir::dc::optionValues(::mlir::dc::kLayoutValues)}]>,
  Option<"entropy", "entropy", "::mlir::dc::EntropyOption",
         /*default=*/"::mlir::dc::EntropyOption::Auto",
         "Entropy coding of the streams: huffman, none, or auto (Huffman "
         "where it makes the layer smaller: its code tables cost bytes)",
         [{::mlir::dc::optionValues(::mlir::dc::kEntropyValues)}]>,
  Option<"reportPath", "report", "std::string", /*default=*/"\"\"",
         "Write the per-layer compression report to this file ('-' for "
         "stdout)">,
  Option<"reportFormat", "report-format", "::mlir::dc::ReportFormat",
         /*default=*/"::mlir::dc::ReportFormat::Text", "Report format",
         [{::llvm::cl::values(
           clEnumValN(::mlir::dc::ReportFormat::Text, "text",
                      "the paper-style table (the default)"),
           clEnumValN(::mlir::dc::ReportFormat::Json, "json",
                      "JSON: dc's version, the input, the pass with its "
                      "options, the layers, the totals and the weights "
                      "left uncompressed"))}]>,
];

class DC_FormOption<string pruned> : Option<"form", "form",
    "::mlir::dc::FormOption", "::mlir::dc::FormOption::Dense",
    "What the pass writes: an ordinary dense constant, or the trainable "
    "form " # pruned # " (docs/Training.md)", [{::llvm::cl::values(
      clEnumValN(::mlir::dc::FormOption::Dense, "dense",
                 "an f32 constant (the default)"),
      clEnumValN(::mlir::dc::FormOption::Trainable, "trainable",
                 "one linalg.generic over constants whose mask stays "
                 "fixed in training"))}]>;

def DCPrune : Pass<"dc-prune", "ModuleOp"> {
  let summary = "Magnitude-prune the constant weights of linalg contractions "
                "and convolutions";
  let description = [{
    Deep Compression stage 1. Finds the constant weights of linalg
    contractions (matmul, batch_matmul, matvec, generic contractions) and
    convolutions, also through the transposes, reshapes and casts that
    front ends put between a weight and its consumer, and sets the weights
    of smallest magnitude to zero: by a target `sparsity`, or by the
    threshold `quality * std(weights)`. With `form=dense` (the default) the
    module stays an ordinary dense model and the zeros are the mask. With
    `form=trainable` each weight becomes `select(mask != 0, w, 0.0)`, one
    `linalg.generic` over an i8 mask constant and the weight constant, so
    that retraining updates `w` while pruned weights stay exactly zero.

    A weight already in that pruned form is pruned further among its kept
    weights (iterative pruning: the mask only loses entries; `sparsity` is
    the fraction of the whole layer). Quantized forms and codebook gathers
    are left alone.
  }];
  let options = !listconcat(DC_PruneOptions,
                            [DC_FormOption<"select(mask != 0, w, 0)">,
                             DC_LayerOption]);
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DCQuantize : Pass<"dc-quantize", "ModuleOp"> {
  let summary = "Share weights through a per-layer k-means codebook";
  let description = [{
    Deep Compression stage 2 (trained quantization, without the retraining):
    clusters each layer's non-zero weights into `2^bits` shared values with
    1-D k-means and replaces every non-zero weight by its centroid. Zeros
    (pruned weights) stay zero. With `form=dense` (the default) the module
    stays an ordinary dense model with at most `2^bits` distinct non-zero
    values per layer. With `form=trainable` each weight becomes
    `select(mask != 0, codebook[index], 0.0)`: an i8 mask, an i8 (up to 256
    centroids) index constant and a codebook constant holding exactly the
    centroids, so that fine-tuning the codebook keeps pruned weights zero
    and the assignment fixed.

    For a weight in the pruned form the mask is the form's (k-means runs over
    the kept weights only, a kept weight may be 0.0); otherwise the non-zero
    weights are the kept ones. Quantized forms and codebook gathers are left
    alone.
  }];
  let options = !listconcat(DC_QuantizeOptions,
      [DC_FormOption<"select(mask != 0, codebook[index], 0)">,
       DC_LayerOption]);
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DCEncode : Pass<"dc-encode", "ModuleOp"> {
  let summary = "Store quantized weights as dc.constant payloads";
  let description = [{
    Deep Compression stage 3: turns each weight with at most 256 distinct
    non-zero values into a `dc.constant` (codebook, relative-index sparse
    layout, optional Huffman coding; docs/Format.md) followed by a
    `dc.decompress` that feeds the same computation, and optionally writes
    the per-layer report. Zeros are pruned positions. A layer with more
    distinct values is reported as an error: run dc-quantize first.

    A weight given as an externally trained codebook and index tensor (a
    `linalg.generic` that gathers `codebook[index]` with `tensor.extract`
    from two constants) is encoded with that codebook as is. A weight in
    the trainable quantized form is stored exactly (its codebook sorted and
    stripped of unused and repeated entries, the mask's zeros as pruned
    positions); one in the pruned form is stored exactly when its kept
    weights have at most 256 distinct values (a kept 0.0 stays kept).
  }];
  let options = !listconcat(DC_EncodeOptions, [DC_LayerOption]);
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::dc::DCDialect"];
}

def DCCompress : Pass<"dc-compress", "ModuleOp"> {
  let summary = "Deep Compression: prune, quantize and encode every weight";
  let description = [{
    The three stages in one pass, layer by layer (so the dense intermediate
    of only one layer exists at a time): prune (dc-prune), share weights
    (dc-quantize), encode (dc-encode), with the same options, and the
    paper-style per-layer report.

    ```
    dc-opt model.mlir --dc-compress="sparsity=0.92 fc-bits=6 index-bits=5 report=-"
    mlir-opt model.mlir --load-dialect-plugin=libDCPlugin.so \
      --load-pass-plugin=libDCPlugin.so \
      --pass-pipeline="builtin.module(dc-compress{sparsity=0.92})"
    ```
  }];
  let options = !listconcat(DC_PruneOptions, DC_QuantizeOptions,
                            DC_EncodeOptions, [DC_LayerOption]);
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::dc::DCDialect"];
}

def DCReport : Pass<"dc-report", "ModuleOp"> {
  let summary = "Print the per-layer report of an already compressed module";
  let description = [{
    Reads every `dc.constant` and writes the same per-layer table (or JSON)
    that dc-compress and dc-encode write, computed from the IR alone: the
    stored bytes are the payload bytes of each op. Layers are named by the
    `dc.constant`'s `layer` attribute (else its NameLoc, else `layer<N>`).
    Weights not stored yet — trainable pruned and quantized forms, codebook
    gathers — follow, marked `*` (JSON: `"form"`), with the figures dc-encode
    would store for them with its default options. The module is not
    changed.
  }];
  let dependentDialects = ["::mlir::dc::DCDialect"];
  let options = [
    Option<"reportPath", "report", "std::string", /*default=*/"\"-\"",
           "Write the report to this file ('-' for stdout)">,
    Option<"reportFormat", "report-format", "::mlir::dc::ReportFormat",
           /*default=*/"::mlir::dc::ReportFormat::Text", "Report format",
           [{::llvm::cl::values(
             clEnumValN(::mlir::dc::ReportFormat::Text, "text",
                        "the paper-style table (the default)"),
             clEnumValN(::mlir::dc::ReportFormat::Json, "json",
                        "JSON: dc's version, the input, the pass with its "
                        "options, the layers, the totals and the weights "
                        "left uncompressed"))}]>,
  ];
}

#endif // DC_DIALECT_DC_TRANSFORMS_PASSES_TD
