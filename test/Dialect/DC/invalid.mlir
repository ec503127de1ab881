// RUN: dc-opt %s -split-input-file -verify-diagnostics

// Every verifier message of the dc dialect, with its location.

// expected-error @+1 {{weightBits must be in [1, 8], got 0}}
func.func private @f() attributes {e = #dc.encoding<csr, weightBits = 0, indexBits = 5>}

// -----

// expected-error @+1 {{weightBits must be in [1, 8], got 9}}
func.func private @f() attributes {e = #dc.encoding<dense, weightBits = 9>}

// -----

// expected-error @+1 {{indexBits must be 0 (or absent) for the dense layout, got 3}}
func.func private @f() attributes {e = #dc.encoding<dense, weightBits = 4, indexBits = 3>}

// -----

// expected-error @+1 {{indexBits must be in [1, 8] for the csr layout, got 0}}
func.func private @f() attributes {e = #dc.encoding<csr, weightBits = 4>}

// -----

// expected-error @+1 {{indexBits must be in [1, 8] for the csc layout, got 9}}
func.func private @f() attributes {e = #dc.encoding<csc, weightBits = 4, indexBits = 9>}

// -----

// expected-error @+2 {{expected ::mlir::dc::Layout to be one of: dense, csr, csc}}
// expected-error @+1 {{failed to parse DC_EncodingAttr parameter 'layout'}}
func.func private @f() attributes {e = #dc.encoding<coo, weightBits = 4>}

// -----

// expected-error @+1 {{compressed tensor element type must be f32, got 'f16'}}
func.func private @f(!dc.tensor<4x4xf16, #dc.encoding<dense, weightBits = 4>>)

// -----

// expected-error @+1 {{compressed tensor must have rank >= 1}}
func.func private @f(!dc.tensor<f32, #dc.encoding<dense, weightBits = 4>>)

// -----

// expected-error @+1 {{invalid compressed tensor shape}}
func.func private @f(!dc.tensor<4x0xf32, #dc.encoding<dense, weightBits = 4>>)

// -----

// expected-error @+1 {{invalid compressed tensor shape}}
func.func private @f(!dc.tensor<65536x65536xf32, #dc.encoding<csr, weightBits = 4, indexBits = 4>>)

// -----

// expected-error @+1 {{expected static shape}}
func.func private @f(!dc.tensor<?x4xf32, #dc.encoding<dense, weightBits = 4>>)

// -----

func.func @f() {
  // expected-error @+1 {{codebook has 3 entries, more than the 2 that weightBits = 1 allows}}
  %w = dc.constant {codebook = array<f32: 0.0, 1.0, 2.0>, num_weights = 4 : i64,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 1>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{codebook is empty but num_weights is 4}}
  %w = dc.constant {codebook = array<f32>, num_weights = 4 : i64,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{dense layout needs one weight index per element: num_weights must be 4, got 3}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 3 : i64,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'num_gaps', 'row_ptr', 'gaps' and 'gap_code_lengths' are only allowed with the csr and csc layouts}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 4 : i64, num_gaps = 4 : i64,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{num_weights 5 exceeds the 4 elements}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 5 : i64, num_gaps = 5 : i64,
                    row_ptr = dense_resource<p> : tensor<2xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<csr, weightBits = 1, indexBits = 1>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{the csr layout needs 'row_ptr' and 'gaps' streams}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 2 : i64, num_gaps = 2 : i64,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<csr, weightBits = 1, indexBits = 1>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{num_gaps 1 is smaller than num_weights 2: every kept weight has a gap symbol}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 2 : i64, num_gaps = 1 : i64,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<csr, weightBits = 1, indexBits = 1>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{num_gaps 5 exceeds the 4 elements: every gap symbol advances by at least one position}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 2 : i64, num_gaps = 5 : i64,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<csr, weightBits = 1, indexBits = 1>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{entropy = huffman needs 'weight_code_lengths'}}
  %w = dc.constant {codebook = array<f32: 1.0, 2.0>, num_weights = 4 : i64,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 1, entropy = huffman>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'weight_code_lengths' has 3 entries, expected 2 (one per codebook entry)}}
  %w = dc.constant {codebook = array<f32: 1.0, 2.0>, num_weights = 4 : i64,
                    weight_code_lengths = array<i8: 1, 1, 0>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 1, entropy = huffman>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'gap_code_lengths' has 2 entries, expected 4 (one per gap symbol, 2^indexBits)}}
  %w = dc.constant {codebook = array<f32: 1.0, 2.0>, num_weights = 2 : i64, num_gaps = 2 : i64,
                    weight_code_lengths = array<i8: 1, 1>,
                    gap_code_lengths = array<i8: 1, 1>,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2, entropy = huffman>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{invalid 'gap_code_lengths'}}
  %w = dc.constant {codebook = array<f32: 1.0, 2.0>, num_weights = 2 : i64, num_gaps = 2 : i64,
                    weight_code_lengths = array<i8: 1, 1>,
                    gap_code_lengths = array<i8: 1, 1, 1, 0>,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2, entropy = huffman>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{invalid 'weight_code_lengths'}}
  %w = dc.constant {codebook = array<f32: 1.0, 2.0>, num_weights = 4 : i64,
                    weight_code_lengths = array<i8: 16, 1>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 1, entropy = huffman>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{code length tables are only allowed with entropy = huffman}}
  %w = dc.constant {codebook = array<f32: 1.0, 2.0>, num_weights = 4 : i64,
                    weight_code_lengths = array<i8: 1, 1>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 1>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'weights' has 2 bytes, expected 1 (4 symbols of 2 bits)}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 4 : i64,
                    weights = dense_resource<x> : tensor<2xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'weights' has 1 bytes, too few for 9 Huffman-coded symbols}}
  %w = dc.constant {codebook = array<f32: 1.0, 2.0>, num_weights = 9 : i64,
                    weight_code_lengths = array<i8: 1, 1>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<3x3xf32, #dc.encoding<dense, weightBits = 1, entropy = huffman>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'row_ptr' has 2 bytes, expected 1 (2 symbols of 2 bits)}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 2 : i64, num_gaps = 2 : i64,
                    row_ptr = dense_resource<p> : tensor<2xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<csr, weightBits = 1, indexBits = 1>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'gaps' has 0 bytes, expected 1 (3 symbols of 2 bits)}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 2 : i64, num_gaps = 3 : i64,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<0xi8>,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'weights' must be a 1-D static tensor of i8, got 'tensor<1xi16>'}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 4 : i64,
                    weights = dense_resource<x> : tensor<1xi16>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'weights' blob holds 2 bytes but its type says 1}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 4 : i64,
                    weights = dense_resource<blob> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  return
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x010000000000"
    }
  }
#-}

// -----

func.func @f() {
  // expected-error @+1 {{attribute 'weights' failed to satisfy constraint: dense_resource blob}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 4 : i64,
                    weights = dense<0> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{attribute 'num_weights' failed to satisfy constraint}}
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = -1 : i64,
                    weights = dense_resource<x> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  return
}

// -----

func.func @f(%w: !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>) {
  // expected-error @+1 {{result type 'tensor<2x3xf32>' does not match the compressed tensor: expected 'tensor<2x2xf32>'}}
  %d = dc.decompress %w : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x3xf32>
  return
}

// -----

// The #dc.runtime layout of a dc.decompress.

// expected-error @+1 {{kernel fc_rows does not compute on the grid form}}
func.func private @f() attributes {r = #dc.runtime<form = grid, kernel = fc_rows, indexBytes = 1>}

// -----

// expected-error @+1 {{kernel dense_loops does not compute on the csr form}}
func.func private @f() attributes {r = #dc.runtime<form = csr, kernel = dense_loops, lines = 2, coordinateBytes = 2, indexBytes = 1>}

// -----

// expected-error @+1 {{kernel decode_per_call does not compute on the dense form}}
func.func private @f() attributes {r = #dc.runtime<form = dense, kernel = decode_per_call>}

// -----

// expected-error @+1 {{the csr form needs lines >= 1, got 0}}
func.func private @f() attributes {r = #dc.runtime<form = csr, kernel = sparsifier, coordinateBytes = 2, indexBytes = 1>}

// -----

// expected-error @+1 {{lineLength must be >= 0, got -3}}
func.func private @f() attributes {r = #dc.runtime<form = csr, kernel = sparsifier, lines = 2, lineLength = -3, coordinateBytes = 2, indexBytes = 1>}

// -----

// expected-error @+1 {{coordinateBytes must be 2 or 4, got 1}}
func.func private @f() attributes {r = #dc.runtime<form = csr, kernel = fc_rows, lines = 2, coordinateBytes = 1, indexBytes = 1>}

// -----

// expected-error @+1 {{lines, lineLength and coordinateBytes apply to the csr form only}}
func.func private @f() attributes {r = #dc.runtime<form = grid, kernel = dense_loops, lines = 4, indexBytes = 1>}

// -----

// expected-error @+1 {{the dense form has no indexBytes}}
func.func private @f() attributes {r = #dc.runtime<form = dense, kernel = dense_loops, indexBytes = 1>}

// -----

// expected-error @+1 {{indexBytes must be 1 or 2, got 4}}
func.func private @f() attributes {r = #dc.runtime<form = grid, kernel = dense_loops, indexBytes = 4>}

// -----

// expected-error @+1 {{transposed and prunedEntry apply to the grid form only}}
func.func private @f() attributes {r = #dc.runtime<form = csr, kernel = sparsifier, lines = 2, coordinateBytes = 2, indexBytes = 1, prunedEntry = true>}

// -----

// expected-error @+1 {{a transposed grid is read by dense_loops only}}
func.func private @f() attributes {r = #dc.runtime<form = grid, kernel = decode_per_call, indexBytes = 1, transposed = true>}

// -----

// A negative or huge count is a parse error that says so (it wrapped
// around to 4294967293 before; issue 25, item 9).
// expected-error @+2 {{expected a non-negative count below 65536, got -3}}
// expected-error @+1 {{failed to parse DC_EncodingAttr parameter 'weightBits'}}
func.func private @f() attributes {e = #dc.encoding<dense, weightBits = -3>}

// -----

// expected-error @+2 {{expected a non-negative count below 65536, got -1}}
// expected-error @+1 {{failed to parse DC_EncodingAttr parameter 'indexBits'}}
func.func private @f() attributes {e = #dc.encoding<csr, weightBits = 4, indexBits = -1>}

// -----

// expected-error @+2 {{expected a non-negative count below 65536, got 99999999999999999999}}
// expected-error @+1 {{failed to parse DC_EncodingAttr parameter 'weightBits'}}
func.func private @f() attributes {e = #dc.encoding<csr, weightBits = 99999999999999999999, indexBits = 4>}

// -----

// expected-error @+2 {{expected a non-negative count below 65536, got -2}}
// expected-error @+1 {{failed to parse DC_RuntimeLayoutAttr parameter 'coordinateBytes'}}
func.func private @f() attributes {r = #dc.runtime<form = csr, kernel = sparsifier, lines = 2, coordinateBytes = -2, indexBytes = 1>}

// -----

// expected-error @+2 {{expected an integer}}
// expected-error @+1 {{failed to parse DC_EncodingAttr parameter 'weightBits'}}
func.func private @f() attributes {e = #dc.encoding<dense, weightBits = five>}
