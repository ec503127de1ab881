// The fused cross-entropy is PyTorch's: logits [[1, 2, 3], [0, 0, 0]],
// labels [2, 0]: mean of (logsumexp - logit[label]) = ((log(e + e^2 + e^3)
// - 3) + log 3) / 2 = 0.753109; with row weights [1, 0] only the first row
// counts: 0.407606; a label outside [0, 3) is clamped (5 -> 2).
// RUN: dc-opt %s --dc-differentiate="loss=cross-entropy" | \
// RUN:   mlir-opt --one-shot-bufferize=bufferize-function-boundaries \
// RUN:     --convert-linalg-to-loops --expand-strided-metadata --lower-affine \
// RUN:     --convert-scf-to-cf --convert-math-to-llvm --convert-to-llvm --reconcile-unrealized-casts | \
// RUN:   mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs | FileCheck %s
// CHECK: [0.753109
// CHECK: [0.407606
// CHECK: [0.753109
func.func @forward(%b: tensor<3xf64> {dc.param = "b", dc.param_kind = "bias"}, %x: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %e = tensor.empty() : tensor<2x3xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<2x3xf64>, tensor<3xf64>) outs(%e : tensor<2x3xf64>) {
  ^bb0(%a: f64, %c: f64, %o: f64):
    %s = arith.addf %a, %c : f64
    linalg.yield %s : f64
  } -> tensor<2x3xf64>
  return %y : tensor<2x3xf64>
}
// Declared for @main; dc-differentiate fills it in.
func.func private @train_loss(tensor<3xf64>, tensor<2x3xf64>, tensor<2xi64>, tensor<2xf64>) -> tensor<f64>
func.func private @printMemrefF64(tensor<*xf64>)
func.func @main() {
  %b = arith.constant dense<0.0> : tensor<3xf64>
  %x = arith.constant dense<[[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]> : tensor<2x3xf64>
  %labels = arith.constant dense<[2, 0]> : tensor<2xi64>
  %clamped = arith.constant dense<[5, 0]> : tensor<2xi64>
  %ones = arith.constant dense<1.0> : tensor<2xf64>
  %first = arith.constant dense<[1.0, 0.0]> : tensor<2xf64>
  %l0 = call @train_loss(%b, %x, %labels, %ones) : (tensor<3xf64>, tensor<2x3xf64>, tensor<2xi64>, tensor<2xf64>) -> tensor<f64>
  %l1 = call @train_loss(%b, %x, %labels, %first) : (tensor<3xf64>, tensor<2x3xf64>, tensor<2xi64>, tensor<2xf64>) -> tensor<f64>
  %l2 = call @train_loss(%b, %x, %clamped, %ones) : (tensor<3xf64>, tensor<2x3xf64>, tensor<2xi64>, tensor<2xf64>) -> tensor<f64>
  %u0 = tensor.cast %l0 : tensor<f64> to tensor<*xf64>
  %u1 = tensor.cast %l1 : tensor<f64> to tensor<*xf64>
  %u2 = tensor.cast %l2 : tensor<f64> to tensor<*xf64>
  call @printMemrefF64(%u0) : (tensor<*xf64>) -> ()
  call @printMemrefF64(%u1) : (tensor<*xf64>) -> ()
  call @printMemrefF64(%u2) : (tensor<*xf64>) -> ()
  return
}
