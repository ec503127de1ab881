// A TOSA conv2d (NHWC input, OHWI weight) for dc-compile-tosa.test.
func.func @forward(%x: tensor<1x5x5x1xf32>) -> tensor<1x3x3x4xf32> {
  %w = "tosa.const"() {values = dense<[[[[0.5], [-0.25], [0.125]], [[1.0], [0.0], [-1.0]], [[0.3], [0.2], [0.1]]], [[[0.7], [-0.35], [0.9]], [[0.6], [0.25], [-0.8]], [[0.4], [0.15], [0.05]]], [[[-0.5], [0.45], [0.325]], [[0.1], [0.6], [-0.1]], [[0.33], [0.22], [0.11]]], [[[0.51], [-0.26], [0.13]], [[-1.0], [0.75], [-0.6]], [[0.31], [0.21], [-0.19]]]]> : tensor<4x3x3x1xf32>} : () -> tensor<4x3x3x1xf32>
  %b = "tosa.const"() {values = dense<0.1> : tensor<4xf32>} : () -> tensor<4xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x5x5x1xf32>, tensor<4x3x3x1xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x4xf32>
  return %y : tensor<1x3x3x4xf32>
}
