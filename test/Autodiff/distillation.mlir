// dc-differentiate{loss=distillation}: the training step with a last
// argument of teacher logits, loss (1 - alpha) cross-entropy + alpha T^2
// KL(softmax(teacher / T) || softmax(logits / T)), for an MLP in f64,
// checked against central differences of @train_loss (random labels in
// [0, 3), positive row weights and teacher logits; every parameter element,
// 4 random directions, the negative control).
// RUN: dc-opt %s --dc-differentiate="loss=distillation temperature=2.5 alpha=0.3" -o %t.mlir
// RUN: FileCheck %s --check-prefix=SIG < %t.mlir
// RUN: not dc-opt %s --dc-differentiate="loss=distillation temperature=0" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: dc-differentiate: distillation needs temperature > 0 and alpha in [0, 1]
// RUN: dc-grad-check %t.mlir --function=train_loss:train_step --labels=3 --rtol=1e-6 --atol=1e-9 | FileCheck %s
// SIG-LABEL: func.func @train_step(%arg0: tensor<5x4xf64> {dc.param = "fc1.weight", dc.param_kind = "weight"}, %arg1: tensor<5xf64> {dc.param = "fc1.bias", dc.param_kind = "bias"}, %arg2: tensor<3x5xf64> {dc.param = "fc2.weight", dc.param_kind = "weight"}, %arg3: tensor<3xf64> {dc.param = "fc2.bias", dc.param_kind = "bias"}, %arg4: tensor<4x4xf64>, %arg5: tensor<4xi64>, %arg6: tensor<4xf64>, %arg7: tensor<4x3xf64>) -> (tensor<f64>, tensor<5x4xf64>, tensor<5xf64>, tensor<3x5xf64>, tensor<3xf64>)
// SIG-LABEL: func.func @train_loss(
// SIG-SAME: -> tensor<f64>
// CHECK: dc-grad-check: @train_loss: 43 elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK-NEXT: argument 0 (tensor<5x4xf64>): 20 elements
// CHECK-NEXT: argument 1 (tensor<5xf64>): 5 elements
// CHECK-NEXT: argument 2 (tensor<3x5xf64>): 15 elements
// CHECK-NEXT: argument 3 (tensor<3xf64>): 3 elements
func.func @forward(%w1: tensor<5x4xf64> {dc.param = "fc1.weight", dc.param_kind = "weight"}, %b1: tensor<5xf64> {dc.param = "fc1.bias", dc.param_kind = "bias"}, %w2: tensor<3x5xf64> {dc.param = "fc2.weight", dc.param_kind = "weight"}, %b2: tensor<3xf64> {dc.param = "fc2.bias", dc.param_kind = "bias"}, %x: tensor<4x4xf64>) -> tensor<4x3xf64> {
  %e1 = tensor.empty() : tensor<4x5xf64>
  %w1t = linalg.transpose ins(%w1 : tensor<5x4xf64>) outs(%e1 : tensor<4x5xf64>) permutation = [1, 0]
  %z1 = arith.constant dense<0.0> : tensor<4x5xf64>
  %m1 = linalg.matmul ins(%x, %w1t : tensor<4x4xf64>, tensor<4x5xf64>) outs(%z1 : tensor<4x5xf64>) -> tensor<4x5xf64>
  %e2 = tensor.empty() : tensor<4x5xf64>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m1, %b1 : tensor<4x5xf64>, tensor<5xf64>) outs(%e2 : tensor<4x5xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %s = arith.addf %a, %b : f64
    %t = math.tanh %s : f64
    linalg.yield %t : f64
  } -> tensor<4x5xf64>
  %e4 = tensor.empty() : tensor<5x3xf64>
  %w2t = linalg.transpose ins(%w2 : tensor<3x5xf64>) outs(%e4 : tensor<5x3xf64>) permutation = [1, 0]
  %bb = tensor.empty() : tensor<4x3xf64>
  %b2b = linalg.broadcast ins(%b2 : tensor<3xf64>) outs(%bb : tensor<4x3xf64>) dimensions = [0]
  %y = linalg.matmul ins(%h, %w2t : tensor<4x5xf64>, tensor<5x3xf64>) outs(%b2b : tensor<4x3xf64>) -> tensor<4x3xf64>
  return %y : tensor<4x3xf64>
}
