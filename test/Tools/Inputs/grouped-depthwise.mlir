// A depthwise convolution (linalg.depthwise_conv_2d_nchw_chw, weight
// [C, KH, KW]) followed by a grouped one (linalg.conv_2d_ngchw_gfchw, rank-5
// weight [G, F, C, KH, KW]) (dc-compile-grouped-depthwise.test).
module {
  func.func @forward(%x: tensor<1x4x8x8xf32>) -> tensor<1x2x3x4x4xf32> {
    %wd = arith.constant dense<[[[-0.524, 0.088, -0.260], [0.208, 0.251, -0.869], [-0.974, 0.675, -0.481]], [[-0.531, 0.991, -0.059], [0.673, -0.047, 0.278], [-0.699, 0.270, 0.736]], [[0.046, 0.483, 0.343], [-0.872, 0.516, 0.182], [-0.397, -0.938, 0.731]], [[-0.055, 0.438, 0.758], [0.428, 0.842, -0.210], [0.602, -0.111, 0.871]]]> : tensor<4x3x3xf32> loc("depthwise")
    %wg = arith.constant dense<[[[[[0.758, -0.805, -0.728], [-0.566, 0.931, -0.128], [0.253, -0.398, 0.014]], [[-0.228, -0.298, 0.170], [0.169, 0.808, 0.364], [0.858, 0.713, 0.982]]], [[[0.343, -0.674, 0.721], [0.929, 0.809, 0.138], [0.428, -0.578, 0.663]], [[0.147, -0.430, -0.873], [0.708, 0.980, -0.823], [0.601, -0.179, -0.698]]], [[[-0.412, 0.538, 0.746], [-0.912, 0.229, -0.910], [0.437, -0.338, 0.762]], [[0.961, 0.011, 0.997], [-0.381, -0.846, 0.200], [-0.937, -0.605, -0.184]]]], [[[[0.221, -0.688, -0.915], [0.736, -0.372, 0.917], [0.793, -0.244, -0.079]], [[0.040, 0.288, 0.191], [0.119, 0.240, 0.881], [0.014, -0.138, 0.441]]], [[[-0.525, -0.398, 0.956], [0.042, 0.097, -0.977], [-0.170, 0.160, -0.960]], [[0.232, 0.264, -0.880], [0.255, -0.067, 0.359], [-0.295, 0.414, 0.476]]], [[[-0.956, -0.879, 0.352], [0.927, -0.498, -0.087], [0.185, -0.360, -0.272]], [[-0.375, -0.262, 0.191], [-0.399, -0.246, 0.545], [-0.946, 0.139, 0.470]]]]]> : tensor<2x3x2x3x3xf32> loc("grouped")
    %z = arith.constant 0.0 : f32
    %e1 = tensor.empty() : tensor<1x4x6x6xf32>
    %a1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    %d = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %wd : tensor<1x4x8x8xf32>, tensor<4x3x3xf32>) outs(%a1 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> loc("depthwise")
    %dg = tensor.expand_shape %d [[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 6, 6] : tensor<1x4x6x6xf32> into tensor<1x2x2x6x6xf32>
    %e2 = tensor.empty() : tensor<1x2x3x4x4xf32>
    %a2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<1x2x3x4x4xf32>) -> tensor<1x2x3x4x4xf32>
    %y = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%dg, %wg : tensor<1x2x2x6x6xf32>, tensor<2x3x2x3x3xf32>) outs(%a2 : tensor<1x2x3x4x4xf32>) -> tensor<1x2x3x4x4xf32> loc("grouped")
    return %y : tensor<1x2x3x4x4xf32>
  }
}
