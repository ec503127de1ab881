// A bias + ReLU loop at batch 64 (vectorised-relu.test).
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
func.func @forward(%x: tensor<64x300xf32>) -> tensor<64x300xf32> {
  %b = arith.constant dense<0.5> : tensor<300xf32>
  %e = tensor.empty() : tensor<64x300xf32>
  %y = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<64x300xf32>, tensor<300xf32>) outs(%e : tensor<64x300xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    %c0 = arith.constant 0.0 : f32
    %r = arith.maximumf %s, %c0 : f32
    linalg.yield %r : f32
  } -> tensor<64x300xf32>
  return %y : tensor<64x300xf32>
}
