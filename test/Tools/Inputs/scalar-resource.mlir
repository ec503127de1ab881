// A scalar (rank-0) dense_resource constant: upstream's memref.global
// lowering aborts on one; dc-compile makes it an inline dense<> first.
func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = arith.constant dense_resource<s> : tensor<f32>
  %e = tensor.empty() : tensor<4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %s : tensor<4xf32>, tensor<f32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      s: "0x040000000000C03F"
    }
  }
#-}
