// Input of choose-runtime-layout.test: a layout set by hand.
func.func @kept(%x: tensor<1x2xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = dc.constant {codebook = array<f32: 1.0, -1.0>, num_weights = 4 : i64,
                    weights = dense_resource<g> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 1>>
  %d = dc.decompress %w {dc.runtime = #dc.runtime<form = dense, kernel = dense_loops>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 1>> -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %d : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      g: "0x0100000009"
    }
  }
#-}
