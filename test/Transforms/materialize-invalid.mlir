// RUN: dc-opt %s -split-input-file --dc-materialize -verify-diagnostics

// A payload that passes the verifier but does not decode is reported at the
// dc.constant, and the pass fails.

func.func @bad_weight_index() -> tensor<2x2xf32> {
  // Weight index 3 with a 3-entry codebook.
  // expected-error @+1 {{payload does not decode}}
  %w = dc.constant {codebook = array<f32: 0.0, 1.0, -1.0>, num_weights = 4 : i64,
                    weights = dense_resource<bad_idx> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      bad_idx: "0x01000000FF"
    }
  }
#-}

// -----

func.func @gap_past_end() -> tensor<2x4xf32> {
  // Gaps (3, 2, 1): the first entry would be at column 4 of a 4-column row.
  // expected-error @+1 {{payload does not decode}}
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<i> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      p: "0x010000000E",
      g: "0x010000001B",
      i: "0x0100000005"
    }
  }
#-}

// -----

func.func @decreasing_row_ptr() -> tensor<2x4xf32> {
  // Row pointers (3, 2).
  // expected-error @+1 {{payload does not decode}}
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<i> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      p: "0x010000000B",
      g: "0x0100000018",
      i: "0x0100000005"
    }
  }
#-}

// -----

func.func @nonzero_padding() -> tensor<2x4xf32> {
  // Weight stream 0x85: padding bit 7 is set.
  // expected-error @+1 {{payload does not decode}}
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<i> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      p: "0x010000000E",
      g: "0x0100000018",
      i: "0x0100000085"
    }
  }
#-}

// -----

func.func @elided() -> tensor<2x2xf32> {
  // expected-error @+1 {{payload blob 'weights' is not loaded (was it elided?)}}
  %w = dc.constant {codebook = array<f32: 0.0, 1.0, -1.0>, num_weights = 4 : i64,
                    weights = dense_resource<__elided__> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}
