// @forward returns one tensor twice and an argument as it is
// (dc-compile-repeated-results.test): y0 = y1 = relu(x W), y2 = x.
module {
  func.func @forward(%x: tensor<1x4xf32>) -> (tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x4xf32>) {
    %w = arith.constant dense<[[-1.0, 2.0, -3.0], [1.5, 0.25, 1.0], [2.5, 4.0, 1.0], [3.0, 1.5, 0.5]]> : tensor<4x3xf32> loc("fc")
    %z = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x3xf32>
    %acc = linalg.fill ins(%z : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
    %m = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m : tensor<1x3xf32>) outs(%e : tensor<1x3xf32>) {
    ^bb0(%a: f32, %o: f32):
      %s = arith.maximumf %a, %z : f32
      linalg.yield %s : f32
    } -> tensor<1x3xf32>
    return %r, %r, %x : tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x4xf32>
  }
}
