// RUN: dc-opt %s -split-input-file --convert-dc-to-sparse-tensor -verify-diagnostics
// RUN: dc-opt %s -split-input-file --convert-dc-to-sparse-tensor="decode-at=init" -verify-diagnostics

func.func @not_a_constant(%w: !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>) -> tensor<2x2xf32> {
  // expected-error @+1 {{can only be lowered when its operand is a dc.constant}}
  %d = dc.decompress %w : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}

// -----

func.func @corrupt(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // Gaps (3, 2, 1): the first entry would be past the end of its row.
  // expected-error @+1 {{payload does not decode}}
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<i> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %d : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
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

func.func @layout_does_not_fit(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<p> : tensor<1xi8>,
                    gaps = dense_resource<g> : tensor<1xi8>,
                    weights = dense_resource<i> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  // A matmul is not a convolution.
  // expected-error @+1 {{has no lowering for its run-time layout #dc.runtime<form = csr, kernel = conv_rows, lines = 2, coordinateBytes = 2, indexBytes = 1> (the way its result is read does not fit it)}}
  %d = dc.decompress %w {dc.runtime = #dc.runtime<form = csr, kernel = conv_rows, lines = 2, coordinateBytes = 2, indexBytes = 1>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %d : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      p: "0x010000000E",
      g: "0x0100000018",
      i: "0x0100000005"
    }
  }
#-}
