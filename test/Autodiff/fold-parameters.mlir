// RUN: dc-opt %s -split-input-file -verify-diagnostics --dc-fold-parameters | FileCheck %s

// Trained values written into @forward.params go back where the constants
// stood (positions index the entry block as it was: the bias first, then the
// weight), and the parameter arguments and call operands disappear.
// CHECK-LABEL: func.func @forward(%arg0: tensor<1x2xf32>) -> tensor<1x2xf32> {
// CHECK-NEXT: %[[B:.*]] = arith.constant dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[W:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<1x2xf32>
// CHECK-NEXT: linalg.broadcast ins(%[[B]] :
// CHECK-NEXT: linalg.matmul ins(%arg0, %[[W]] : tensor<1x2xf32>, tensor<2x2xf32>)
// CHECK-NOT: forward.params
// CHECK-LABEL: func.func @main
// CHECK-NEXT: %[[X:.*]] = arith.constant
// CHECK-NEXT: call @forward(%[[X]]) : (tensor<1x2xf32>) -> tensor<1x2xf32>
func.func @forward(%w: tensor<2x2xf32> {dc.param = "fc.weight", dc.param_kind = "weight"}, %b: tensor<2xf32> {dc.param = "b", dc.param_kind = "bias"}, %x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %e = tensor.empty() : tensor<1x2xf32>
  %bb = linalg.broadcast ins(%b : tensor<2xf32>) outs(%e : tensor<1x2xf32>) dimensions = [0]
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%bb : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
func.func private @forward.params() -> (tensor<2x2xf32>, tensor<2xf32>) attributes {dc.param_positions = array<i64: 1, 0>, dc.params_of = @forward} {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  return %w, %b : tensor<2x2xf32>, tensor<2xf32>
}
func.func @main() -> tensor<1x2xf32> {
  %x = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %p:2 = call @forward.params() : () -> (tensor<2x2xf32>, tensor<2xf32>)
  %y = call @forward(%p#0, %p#1, %x) : (tensor<2x2xf32>, tensor<2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// expected-error @+1 {{dc-fold-parameters: @forward is not parametrized (no @forward.params with a body)}}
module {
  func.func @forward(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

func.func @forward(%w: tensor<2xf32> {dc.param = "w", dc.param_kind = "bias"}) -> tensor<2xf32> {
  return %w : tensor<2xf32>
}
// expected-error @+1 {{result 0 is not a constant for the dc.param argument 0 of @forward}}
func.func private @forward.params() -> (tensor<2xf32>) attributes {dc.param_positions = array<i64: 0>, dc.params_of = @forward} {
  %e = tensor.empty() : tensor<2xf32>
  return %e : tensor<2xf32>
}

// -----

func.func @forward(%w: tensor<2xf32> {dc.param = "w", dc.param_kind = "bias"}) -> tensor<2xf32> {
  return %w : tensor<2xf32>
}
// expected-error @+1 {{malformed parameter function (see docs/Training.md)}}
func.func private @forward.params() -> (tensor<2xf32>) attributes {dc.params_of = @forward} {
  %c = arith.constant dense<1.0> : tensor<2xf32>
  return %c : tensor<2xf32>
}
