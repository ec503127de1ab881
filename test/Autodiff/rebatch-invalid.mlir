// RUN: dc-opt %s -split-input-file -verify-diagnostics --dc-rebatch=batch=4

// The TorchScript-era shape: a bias added with a constant 0 for the batch.
#in = affine_map<(d0, d1) -> (0, d1)>
#out = affine_map<(d0, d1) -> (d0, d1)>
func.func @forward(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %e = tensor.empty() : tensor<1x3xf32>
  // expected-error @+1 {{dc-rebatch: operand 0 indexes the batch with '0', not a loop of its own}}
  %y = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1x3xf32>) outs(%e : tensor<1x3xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @forward(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %c = arith.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %e = tensor.empty() : tensor<1x3xf32>
  // expected-error @+1 {{dc-rebatch: a non-splat constant would need the batch}}
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %c : tensor<1x3xf32>, tensor<1x3xf32>) outs(%e : tensor<1x3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

func.func @forward(%x: tensor<1x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{dc-rebatch: the batch is merged with other dimensions}}
  %y = tensor.collapse_shape %x [[0, 1]] : tensor<1x3xf32> into tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @forward(%x: tensor<1x3xf32>) -> tensor<3x3xf32> {
  %z = arith.constant 0.0 : f32
  // expected-error @+1 {{dc-rebatch: the batch is padded}}
  %y = tensor.pad %x low[1, 0] high[1, 0] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<1x3xf32> to tensor<3x3xf32>
  return %y : tensor<3x3xf32>
}

// -----

func.func @forward(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %i = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  // expected-error @+1 {{dc-rebatch cannot rebatch 'tensor.insert'}}
  %y = tensor.insert %f into %x[%i, %i] : tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

func.func @forward(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  return %x : tensor<1x3xf32>
}
func.func @main(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{dc-rebatch: @forward is used here; its callers would need rebatching too}}
  %y = call @forward(%x) : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}
