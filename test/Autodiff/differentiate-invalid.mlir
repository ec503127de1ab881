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

#shift = affine_map<(d0) -> (d0 + 1)>
#id = affine_map<(d0) -> (d0)>
#all = affine_map<(d0) -> ()>
func.func @f(%x: tensor<5xf64>) -> tensor<f64> {
  %z0 = arith.constant dense<0.0> : tensor<4xf64>
  // expected-error @+1 {{dc-differentiate: a linalg.generic whose maps are not projected permutations or sums of loops times constants}}
  %c = linalg.generic {indexing_maps = [#shift, #id], iterator_types = ["parallel"]} ins(%x : tensor<5xf64>) outs(%z0 : tensor<4xf64>) {
  ^bb0(%a: f64, %o: f64):
    linalg.yield %a : f64
  } -> tensor<4xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %s = linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction"]} ins(%c : tensor<4xf64>) outs(%z : tensor<f64>) {
  ^bb0(%a: f64, %o: f64):
    %t = arith.addf %o, %a : f64
    linalg.yield %t : f64
  } -> tensor<f64>
  return %s : tensor<f64>
}

// -----

#id = affine_map<(d0) -> (d0)>
#all = affine_map<(d0) -> ()>
func.func @f(%x: tensor<2x4xf64>) -> tensor<f64> {
  // expected-error @+1 {{dc-differentiate: only static, rank-preserving tensor.extract_slice is differentiable}}
  %p = tensor.extract_slice %x[0, 0] [1, 3] [1, 1] : tensor<2x4xf64> to tensor<3xf64>
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
