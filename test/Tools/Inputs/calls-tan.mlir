// Input of dc-compile-external.test: a call the run-time objects cannot satisfy.
func.func @forward(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %e = tensor.empty() : tensor<1x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1x4xf32>) outs(%e : tensor<1x4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %t = math.tan %a : f32
    linalg.yield %t : f32
  } -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}
