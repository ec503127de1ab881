// RUN: dc-opt %s -split-input-file -verify-diagnostics --dc-differentiate="loss=cross-entropy"

// expected-error @+1 {{dc-differentiate: @forward has no dc.param arguments to train (run dc-parametrize first)}}
func.func @forward(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}

// -----

// expected-error @+1 {{dc-differentiate: loss=cross-entropy needs @forward to return logits, one static f32 or f64 tensor [B, C]}}
func.func @forward(%b: tensor<3xf32> {dc.param = "b", dc.param_kind = "bias"}) -> tensor<3xf32> {
  return %b : tensor<3xf32>
}

// -----

// A model that already ends in a softmax.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @forward(%b: tensor<3xf32> {dc.param = "b", dc.param_kind = "bias"}, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %ex = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.exp %a : f32
    linalg.yield %t : f32
  } -> tensor<2x3xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%ex : tensor<2x3xf32>) outs(%z : tensor<2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %o, %a : f32
    linalg.yield %t : f32
  } -> tensor<2xf32>
  %e2 = tensor.empty() : tensor<2x3xf32>
  // expected-error @+1 {{dc-differentiate: @forward ends in a softmax; cross-entropy needs the logits (remove the softmax)}}
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%ex, %s : tensor<2x3xf32>, tensor<2xf32>) outs(%e2 : tensor<2x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %t = arith.divf %a, %c : f32
    linalg.yield %t : f32
  } -> tensor<2x3xf32>
  return %p : tensor<2x3xf32>
}
