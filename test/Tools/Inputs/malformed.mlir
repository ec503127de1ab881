// A dc.constant with a truncated type.
func.func @f() {
  %w = dc.constant {codebook = array<f32: 1.0>, num_weights = 4 : i64,
                    weights = dense_resource<x> : tensor<1xi8>} : !dc.tensor<2x2xf32, #dc.encoding<dense
  return
}
