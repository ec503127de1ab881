// loss = sum(maxpool_2x2_stride2(x)) for pool-ties.test.
func.func @pool(%x: tensor<1x1x2x4xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %e = tensor.empty() : tensor<1x1x1x2xf64>
  %f = linalg.fill ins(%ninf : f64) outs(%e : tensor<1x1x1x2xf64>) -> tensor<1x1x1x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x1x2x4xf64>, tensor<2x2xf64>) outs(%f : tensor<1x1x1x2xf64>) -> tensor<1x1x1x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y : tensor<1x1x1x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%a: f64, %o: f64):
    %s = arith.addf %o, %a : f64
    linalg.yield %s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}
