// RUN: dc-opt %s -split-input-file --dc-materialize | FileCheck %s
// RUN: dc-opt %s -split-input-file --canonicalize | FileCheck %s --check-prefix=CANON

// dc-materialize decodes dc.decompress(dc.constant) into a dense constant;
// canonicalisation does not (it would materialise every weight).

// The 2x4 CSR weight [[0.25, 0, 0, -0.5], [0, 0.25, 0, 0]] of docs/Format.md.
// CHECK-LABEL: func @csr
// CHECK-NOT: dc.
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[2.500000e-01, 0.000000e+00, 0.000000e+00, -5.000000e-01], [0.000000e+00, 2.500000e-01, 0.000000e+00, 0.000000e+00]]> : tensor<2x4xf32>
// CHECK-NEXT: return %[[C]], %[[C]]
// CANON-LABEL: func @csr
// CANON: dc.constant
// CANON: dc.decompress
func.func @csr() -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<csr_ptr> : tensor<1xi8>,
                    gaps = dense_resource<csr_gaps> : tensor<1xi8>,
                    weights = dense_resource<csr_idx> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  %e = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  return %d, %e : tensor<2x4xf32>, tensor<2x4xf32>
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

// The same matrix stored CSC: columns 0, 1, 3 hold one entry each at rows
// 0, 1, 0. Gaps (0, 1, 0) = 0x04, weights (1, 1, 0) = 0x03, column pointers
// (1, 2, 2, 3) in 2 bits = 0xe9.
// CHECK-LABEL: func @csc
// CHECK: arith.constant dense<{{\[}}[2.500000e-01, 0.000000e+00, 0.000000e+00, -5.000000e-01], [0.000000e+00, 2.500000e-01, 0.000000e+00, 0.000000e+00]]> : tensor<2x4xf32>
func.func @csc() -> tensor<2x4xf32> {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<csc_ptr> : tensor<1xi8>,
                    gaps = dense_resource<csc_gaps> : tensor<1xi8>,
                    weights = dense_resource<csc_idx> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csc, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csc, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      csc_ptr: "0x01000000E9",
      csc_gaps: "0x0100000004",
      csc_idx: "0x0100000003"
    }
  }
#-}

// -----

// A gap over the index range: entries at columns 0 and 7 of a 1x8 row with
// 2-bit gaps (escape 3) are the gap symbols 0, 3, 3, 0 = 0x3c.
// CHECK-LABEL: func @escape
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 2.000000e+00]]> : tensor<1x8xf32>
func.func @escape() -> tensor<1x8xf32> {
  %w = dc.constant {codebook = array<f32: 1.0, 2.0>, num_weights = 2 : i64,
                    num_gaps = 4 : i64,
                    row_ptr = dense_resource<x_ptr> : tensor<1xi8>,
                    gaps = dense_resource<x_gaps> : tensor<1xi8>,
                    weights = dense_resource<x_idx> : tensor<1xi8>}
      : !dc.tensor<1x8xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<1x8xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<1x8xf32>
  return %d : tensor<1x8xf32>
}

{-#
  dialect_resources: {
    builtin: {
      x_ptr: "0x0100000002",
      x_gaps: "0x010000003C",
      x_idx: "0x0100000002"
    }
  }
#-}

// -----

// Huffman-coded streams (see Dialect/DC/roundtrip.mlir for the codes).
// CHECK-LABEL: func @huffman
// CHECK: arith.constant dense<{{\[}}[2.500000e-01, 0.000000e+00, 0.000000e+00, -5.000000e-01], [0.000000e+00, 2.500000e-01, 0.000000e+00, 0.000000e+00]]> : tensor<2x4xf32>
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

// A dense 2x2 layer with 2-bit indices (1, 0, 2, 1), feeding a matmul.
// CHECK-LABEL: func @dense
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00], [-1.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %[[C]] :
func.func @dense(%x: tensor<1x2xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = dc.constant {codebook = array<f32: 0.0, 1.0, -1.0>, num_weights = 4 : i64,
                    weights = dense_resource<d_idx> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %d : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      d_idx: "0x0100000061"
    }
  }
#-}

// -----

// An all-pruned 3x3 layer decodes to zeros.
// CHECK-LABEL: func @empty
// CHECK: arith.constant dense<0.000000e+00> : tensor<3x3xf32>
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
