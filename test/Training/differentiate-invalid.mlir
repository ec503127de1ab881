// RUN: dc-opt %s -split-input-file -verify-diagnostics --dc-differentiate=function=f

// expected-error @+1 {{dc-differentiate: @f must return one 0-d f32 or f64 tensor (a loss)}}
func.func @f(%x: tensor<3xf64>) -> tensor<3xf64> {
  return %x : tensor<3xf64>
}

// -----

#id = affine_map<(d0) -> (d0)>
#all = affine_map<(d0) -> ()>
func.func @f(%x: tensor<3xf64>) -> tensor<f64> {
  %z = arith.constant dense<0.0> : tensor<f64>
  %s = linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction"]} ins(%x : tensor<3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%a: f64, %o: f64):
    // expected-error @+1 {{dc-differentiate: 'math.sin' in a linalg body is not differentiable}}
    %q = math.sin %a : f64
    %t = arith.addf %o, %q : f64
    linalg.yield %t : f64
  } -> tensor<f64>
  return %s : tensor<f64>
}

// -----

#id = affine_map<(d0) -> (d0)>
#all = affine_map<(d0) -> ()>
func.func @f(%x: tensor<3xf64>) -> tensor<f64> {
  %z = arith.constant dense<0.0> : tensor<f64>
  // expected-error @+1 {{dc-differentiate: a reduction must combine with addf, maximumf or minimumf (out with f(inputs))}}
  %s = linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction"]} ins(%x : tensor<3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%a: f64, %o: f64):
    %t = arith.mulf %o, %a : f64
    linalg.yield %t : f64
  } -> tensor<f64>
  return %s : tensor<f64>
}

// -----

#all = affine_map<(d0, d1, d2, d3) -> ()>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @f(%x: tensor<1x1x4x4xf64>, %w: tensor<1x1x3x3xf64>) -> tensor<f64> {
  %z0 = arith.constant dense<0.0> : tensor<1x1x2x2xf64>
  // expected-error @+1 {{dc-differentiate: a linalg.generic whose maps are not projected permutations}}
  %c = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x1x4x4xf64>, tensor<1x1x3x3xf64>) outs(%z0 : tensor<1x1x2x2xf64>) -> tensor<1x1x2x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %s = linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%c : tensor<1x1x2x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%a: f64, %o: f64):
    %t = arith.addf %o, %a : f64
    linalg.yield %t : f64
  } -> tensor<f64>
  return %s : tensor<f64>
}

// -----

#id = affine_map<(d0) -> (d0)>
#all = affine_map<(d0) -> ()>
func.func @f(%x: tensor<4xf64>) -> tensor<f64> {
  // expected-error @+1 {{dc-differentiate: 'tensor.extract_slice' is not differentiable}}
  %p = tensor.extract_slice %x[0] [3] [1] : tensor<4xf64> to tensor<3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %s = linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction"]} ins(%p : tensor<3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%a: f64, %o: f64):
    %t = arith.addf %o, %a : f64
    linalg.yield %t : f64
  } -> tensor<f64>
  return %s : tensor<f64>
}

// -----

// expected-error @+1 {{dc-differentiate: @f_grad already exists}}
func.func @f(%x: tensor<f64>) -> tensor<f64> {
  return %x : tensor<f64>
}
func.func @f_grad(%x: tensor<f64>) -> tensor<f64> {
  return %x : tensor<f64>
}
