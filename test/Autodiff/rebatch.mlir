// RUN: dc-opt %s -split-input-file --dc-rebatch=batch=4 | FileCheck %s
// RUN: not dc-opt %s -split-input-file --dc-rebatch=batch=0 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: error: dc-rebatch: batch must be positive (got 0)

// A shared init is copied first, so only the batched use changes; a splat
// accumulator is rebuilt at the new shape; weights stay as they are; a
// reduction over the batch (a sum) drops it; dc.param arguments are not
// batched.
// CHECK-LABEL: func.func @forward(%arg0: tensor<3x2xf32> {dc.param = "fc.weight", dc.param_kind = "weight"}, %arg1: tensor<4x3xf32>) -> (tensor<4x2xf32>, tensor<2xf32>, tensor<3x2xf32>)
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<4x2xf32>
// CHECK: %[[MM:.*]] = linalg.matmul ins(%arg1, %arg0 : tensor<4x3xf32>, tensor<3x2xf32>) outs(%[[Z]] : tensor<4x2xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[MM]] : tensor<4x2xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<3x2xf32>) outs(%{{.*}} : tensor<3x2xf32>)
#id = affine_map<(d0, d1) -> (d0, d1)>
#sum = affine_map<(d0, d1) -> (d1)>
func.func @forward(%w: tensor<3x2xf32> {dc.param = "fc.weight", dc.param_kind = "weight"}, %x: tensor<1x3xf32>) -> (tensor<1x2xf32>, tensor<2xf32>, tensor<3x2xf32>) {
  %z = arith.constant dense<0.0> : tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x3xf32>, tensor<3x2xf32>) outs(%z : tensor<1x2xf32>) -> tensor<1x2xf32>
  %s0 = arith.constant dense<0.0> : tensor<2xf32>
  %s = linalg.generic {indexing_maps = [#id, #sum], iterator_types = ["reduction", "parallel"]} ins(%y : tensor<1x2xf32>) outs(%s0 : tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<2xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %n = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<3x2xf32>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%a: f32, %b: f32):
    %t = arith.negf %a : f32
    linalg.yield %t : f32
  } -> tensor<3x2xf32>
  return %y, %s, %n : tensor<1x2xf32>, tensor<2xf32>, tensor<3x2xf32>
}

// -----

// A shared tensor.empty feeding a batched and an unbatched op.
// CHECK-LABEL: func.func @forward(%arg0: tensor<4x2xf32>, %arg1: tensor<1x2xf32> {dc.param = "b", dc.param_kind = "bias"})
// CHECK-DAG: tensor.empty() : tensor<4x2xf32>
// CHECK-DAG: tensor.empty() : tensor<1x2xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @forward(%x: tensor<1x2xf32>, %b: tensor<1x2xf32> {dc.param = "b", dc.param_kind = "bias"}) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %e = tensor.empty() : tensor<1x2xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1x2xf32>) outs(%e : tensor<1x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x2xf32>
  %c = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<1x2xf32>) outs(%e : tensor<1x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x2xf32>
  return %y, %c : tensor<1x2xf32>, tensor<1x2xf32>
}
