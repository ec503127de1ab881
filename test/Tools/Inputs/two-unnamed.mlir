// Two fc layers with weights of equal size and no names
// (dc-compile-unnamed-slots.test).
module {
  func.func @forward(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %w1 = arith.constant dense<[[1.0, -2.0, 3.0, 0.5], [0.5, 0.25, -1.0, 2.0], [2.0, 0.0, 1.0, -1.5], [-3.0, 1.5, 0.75, 1.0]]> : tensor<4x4xf32>
    %w2 = arith.constant dense<[[-1.0, 2.0, -3.0, 1.0], [1.5, 0.25, 1.0, -2.0], [2.5, 4.0, 1.0, 0.5], [3.0, 1.5, 0.5, -0.25]]> : tensor<4x4xf32>
    %z = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x4xf32>
    %acc = linalg.fill ins(%z : f32) outs(%e : tensor<1x4xf32>) -> tensor<1x4xf32>
    %h = linalg.matmul ins(%x, %w1 : tensor<1x4xf32>, tensor<4x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
    %y = linalg.matmul ins(%h, %w2 : tensor<1x4xf32>, tensor<4x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
    return %y : tensor<1x4xf32>
  }
}
