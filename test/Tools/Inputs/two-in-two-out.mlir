// Two inputs and two outputs (dc-compile-multi-io.test): y0 = x0 W1,
// y1 = (x0 W1) W2 + x1.
#id = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @forward(%x0: tensor<1x4xf32>, %x1: tensor<1x3xf32>) -> (tensor<1x4xf32>, tensor<1x3xf32>) {
    %w1 = arith.constant dense<[[1.0, -2.0, 3.0, 0.5], [0.5, 0.25, -1.0, 2.0], [2.0, 0.0, 1.0, -1.5], [-3.0, 1.5, 0.75, 1.0]]> : tensor<4x4xf32> loc("fc1")
    %w2 = arith.constant dense<[[-1.0, 2.0, -3.0], [1.5, 0.25, 1.0], [2.5, 4.0, 1.0], [3.0, 1.5, 0.5]]> : tensor<4x3xf32> loc("fc2")
    %z = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x4xf32>
    %acc = linalg.fill ins(%z : f32) outs(%e : tensor<1x4xf32>) -> tensor<1x4xf32>
    %h = linalg.matmul ins(%x0, %w1 : tensor<1x4xf32>, tensor<4x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
    %e2 = tensor.empty() : tensor<1x3xf32>
    %acc2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<1x3xf32>) -> tensor<1x3xf32>
    %m = linalg.matmul ins(%h, %w2 : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc2 : tensor<1x3xf32>) -> tensor<1x3xf32>
    %e3 = tensor.empty() : tensor<1x3xf32>
    %y1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%m, %x1 : tensor<1x3xf32>, tensor<1x3xf32>) outs(%e3 : tensor<1x3xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<1x3xf32>
    return %h, %y1 : tensor<1x4xf32>, tensor<1x3xf32>
  }
}
