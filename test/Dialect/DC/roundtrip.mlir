// RUN: dc-opt %s -split-input-file | dc-opt -split-input-file | FileCheck %s
// RUN: dc-opt %s -split-input-file --mlir-print-op-generic | dc-opt -split-input-file | FileCheck %s

// Every attribute form, type form and op of the dc dialect survives printing
// and parsing (custom and generic form), payload included; see bytecode.mlir.

// CHECK-LABEL: func @encodings
// CHECK-SAME: #dc.encoding<csr, weightBits = 5, indexBits = 5>
// CHECK-SAME: #dc.encoding<csc, weightBits = 8, indexBits = 8, entropy = huffman>
// CHECK-SAME: #dc.encoding<dense, weightBits = 1>
// CHECK-SAME: #dc.encoding<dense, weightBits = 4, entropy = huffman>
// CHECK-SAME: #dc.encoding<csr, weightBits = 1, indexBits = 1>
func.func @encodings() attributes {
    a = #dc.encoding<csr, weightBits = 5, indexBits = 5, entropy = none>,
    b = #dc.encoding<csc, indexBits = 8, weightBits = 8, entropy = huffman>,
    c = #dc.encoding<dense, weightBits = 1>,
    d = #dc.encoding<dense, weightBits = 4, indexBits = 0, entropy = huffman>,
    e = #dc.encoding<csr, weightBits = 1, indexBits = 1>} {
  return
}

// -----

// CHECK-LABEL: func @runtime_layouts
// CHECK-SAME: #dc.runtime<form = csr, kernel = fc_rows, lines = 300, coordinateBytes = 2, indexBytes = 1>
// CHECK-SAME: #dc.runtime<form = csr, kernel = sparsifier, lines = 60, lineLength = 5, coordinateBytes = 4, indexBytes = 2>
// CHECK-SAME: #dc.runtime<form = grid, kernel = dense_loops, indexBytes = 1, transposed = true, prunedEntry = true>
// CHECK-SAME: #dc.runtime<form = grid, kernel = decode_per_call, indexBytes = 2>
// CHECK-SAME: #dc.runtime<form = dense, kernel = dense_loops>
func.func @runtime_layouts() attributes {
    a = #dc.runtime<form = csr, kernel = fc_rows, lines = 300, coordinateBytes = 2, indexBytes = 1>,
    b = #dc.runtime<kernel = sparsifier, form = csr, lines = 60, lineLength = 5, coordinateBytes = 4, indexBytes = 2>,
    c = #dc.runtime<form = grid, kernel = dense_loops, indexBytes = 1, transposed = true, prunedEntry = true>,
    d = #dc.runtime<form = grid, kernel = decode_per_call, indexBytes = 2, transposed = false>,
    e = #dc.runtime<form = dense, kernel = dense_loops>} {
  return
}

// -----

// CHECK-LABEL: func private @types
// CHECK-SAME: !dc.tensor<300x784xf32, #dc.encoding<csr, weightBits = 6, indexBits = 5>>
// CHECK-SAME: !dc.tensor<7xf32, #dc.encoding<dense, weightBits = 8>>
// CHECK-SAME: !dc.tensor<64x3x11x11xf32, #dc.encoding<csc, weightBits = 8, indexBits = 4, entropy = huffman>>
func.func private @types(
    !dc.tensor<300x784xf32, #dc.encoding<csr, weightBits = 6, indexBits = 5>>,
    !dc.tensor<7xf32, #dc.encoding<dense, weightBits = 8>>,
    !dc.tensor<64x3x11x11xf32, #dc.encoding<csc, weightBits = 8, indexBits = 4, entropy = huffman>>)

// -----

// A 2x4 CSR weight [[0.25, 0, 0, -0.5], [0, 0.25, 0, 0]]: 1-bit weight
// indices (1, 0, 1) = 0x05, 2-bit gaps (0, 2, 1) = 0x18, 2-bit row pointers
// (2, 3) = 0x0e (docs/Format.md).
// CHECK-LABEL: func @csr
// CHECK: %[[W:.*]] = dc.constant {codebook = array<f32: -5.000000e-01, 2.500000e-01>, gaps = dense_resource<csr_gaps> : tensor<1xi8>, num_gaps = 3 : i64, num_weights = 3 : i64, row_ptr = dense_resource<csr_ptr> : tensor<1xi8>, weights = dense_resource<csr_idx> : tensor<1xi8>} : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
// CHECK: %[[D:.*]] = dc.decompress %[[W]] : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
// CHECK: return %[[D]]
// CHECK-DAG: csr_gaps: "0x0100000018"
// CHECK-DAG: csr_idx: "0x0100000005"
// CHECK-DAG: csr_ptr: "0x010000000E"
func.func @csr() -> tensor<2x4xf32> {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<csr_ptr> : tensor<1xi8>,
                    gaps = dense_resource<csr_gaps> : tensor<1xi8>,
                    weights = dense_resource<csr_idx> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      csr_ptr: "0x010000000E",
      csr_gaps: "0x0100000018",
      csr_idx: "0x0100000005"
    }
  }
#-}

// -----

// The same weight, Huffman-coded: weight codes 0 -> "0", 1 -> "1"; gap codes
// 0 -> "0", 1 -> "10", 2 -> "11", so the gaps (0, 2, 1) are the bits
// 0 11 10 = 0x0e.
// CHECK-LABEL: func @huffman
// CHECK: dc.constant {codebook = array<f32: -5.000000e-01, 2.500000e-01>, gap_code_lengths = array<i8: 1, 2, 2, 0>, gaps = dense_resource<h_gaps> : tensor<1xi8>, num_gaps = 3 : i64, num_weights = 3 : i64, row_ptr = dense_resource<h_ptr> : tensor<1xi8>, weight_code_lengths = array<i8: 1, 1>, weights = dense_resource<h_idx> : tensor<1xi8>} : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2, entropy = huffman>>
func.func @huffman() -> tensor<2x4xf32> {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    weight_code_lengths = array<i8: 1, 1>,
                    gap_code_lengths = array<i8: 1, 2, 2, 0>,
                    row_ptr = dense_resource<h_ptr> : tensor<1xi8>,
                    gaps = dense_resource<h_gaps> : tensor<1xi8>,
                    weights = dense_resource<h_idx> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2, entropy = huffman>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2, entropy = huffman>> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      h_ptr: "0x010000000E",
      h_gaps: "0x010000000E",
      h_idx: "0x0100000005"
    }
  }
#-}

// -----

// A dense 2x2 layer: 2-bit indices (1, 0, 2, 1) = 0x61.
// CHECK-LABEL: func @dense
// CHECK: dc.constant {codebook = array<f32: 0.000000e+00, 1.000000e+00, -1.000000e+00>, num_weights = 4 : i64, weights = dense_resource<d_idx> : tensor<1xi8>} : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
func.func @dense() -> tensor<2x2xf32> {
  %w = dc.constant {codebook = array<f32: 0.0, 1.0, -1.0>, num_weights = 4 : i64,
                    weights = dense_resource<d_idx> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      d_idx: "0x0100000061"
    }
  }
#-}

// -----

// An all-pruned layer: no entries, empty streams, empty codebook.
// CHECK-LABEL: func @empty
// CHECK: dc.constant {codebook = array<f32>, gaps = dense_resource<e_gaps> : tensor<0xi8>, num_weights = 0 : i64, row_ptr = dense_resource<e_ptr> : tensor<0xi8>, weights = dense_resource<e_idx> : tensor<0xi8>}
func.func @empty() -> tensor<3x3xf32> {
  %w = dc.constant {codebook = array<f32>, num_weights = 0 : i64,
                    row_ptr = dense_resource<e_ptr> : tensor<0xi8>,
                    gaps = dense_resource<e_gaps> : tensor<0xi8>,
                    weights = dense_resource<e_idx> : tensor<0xi8>}
      : !dc.tensor<3x3xf32, #dc.encoding<csc, weightBits = 3, indexBits = 3>>
  %d = dc.decompress %w : !dc.tensor<3x3xf32, #dc.encoding<csc, weightBits = 3, indexBits = 3>> -> tensor<3x3xf32>
  return %d : tensor<3x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      e_ptr: "0x01000000",
      e_gaps: "0x01000000",
      e_idx: "0x01000000"
    }
  }
#-}

// -----

// Elided blobs (as printed with --mlir-elide-resource-strings-if-larger)
// still parse, verify and print.
// CHECK-LABEL: func @elided
// CHECK: weights = dense_resource<__elided__> : tensor<1xi8>
func.func @elided() -> tensor<2x2xf32> {
  %w = dc.constant {codebook = array<f32: 0.0, 1.0, -1.0>, num_weights = 4 : i64,
                    weights = dense_resource<__elided__> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}
