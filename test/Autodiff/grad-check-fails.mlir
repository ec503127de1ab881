// dc-grad-check is a check that can fail: a gradient function that is off
// (here 3x instead of 2x for sum(x * x)) is reported with the elements that
// disagree, and the tool exits non-zero.
// RUN: not dc-grad-check %s --function=f 2>&1 | FileCheck %s
// CHECK: dc-grad-check: error: @f: gradients disagree with central differences:
// CHECK: argument 0 element 0: gradient {{.*}}, central difference
#id = affine_map<(d0) -> (d0)>
#all = affine_map<(d0) -> ()>
func.func @f(%x: tensor<3xf64>) -> tensor<f64> {
  %z = arith.constant dense<0.0> : tensor<f64>
  %s = linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction"]} ins(%x : tensor<3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%a: f64, %o: f64):
    %q = arith.mulf %a, %a : f64
    %t = arith.addf %o, %q : f64
    linalg.yield %t : f64
  } -> tensor<f64>
  return %s : tensor<f64>
}
func.func @f_grad(%x: tensor<3xf64>) -> (tensor<f64>, tensor<3xf64>) {
  %l = call @f(%x) : (tensor<3xf64>) -> tensor<f64>
  %e = tensor.empty() : tensor<3xf64>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<3xf64>) outs(%e : tensor<3xf64>) {
  ^bb0(%a: f64, %o: f64):
    %c3 = arith.constant 3.0 : f64
    %m = arith.mulf %a, %c3 : f64
    linalg.yield %m : f64
  } -> tensor<3xf64>
  return %l, %g : tensor<f64>, tensor<3xf64>
}
