// RUN: dc-opt %s -split-input-file --dc-fold-transposes | FileCheck %s

// A front end's fully connected layer: matmul(x, transpose(W)). The
// contraction reads W as stored, through a permuted map; no transpose is
// left.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<2x8xf32>, tensor<16x8xf32>)
// CHECK-NOT: linalg.transpose
func.func @linear(%x: tensor<2x8xf32>, %w: tensor<16x8xf32>) -> tensor<2x16xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %t = linalg.transpose ins(%w : tensor<16x8xf32>) outs(%e : tensor<8x16xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<2x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%o : tensor<2x16xf32>) -> tensor<2x16xf32>
  %y = linalg.matmul ins(%x, %t : tensor<2x8xf32>, tensor<8x16xf32>) outs(%f : tensor<2x16xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// A transpose written as a generic (as dc-differentiate and generalization
// leave it), feeding a generic contraction.
// CHECK-DAG: #[[W2:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @generic_transpose
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[W2]], #{{.*}}]
// CHECK-SAME: ins(%arg0, %arg1 : tensor<2x8xf32>, tensor<16x8xf32>)
#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @generic_transpose(%x: tensor<2x8xf32>, %w: tensor<16x8xf32>, %acc: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %t = linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w : tensor<16x8xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<8x16xf32>
  %y = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %t : tensor<2x8xf32>, tensor<8x16xf32>) outs(%acc : tensor<2x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// A transpose read by something other than a contraction stays.
// CHECK-LABEL: func.func @elementwise_consumer
// CHECK: linalg.transpose
func.func @elementwise_consumer(%w: tensor<16x8xf32>, %b: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %t = linalg.transpose ins(%w : tensor<16x8xf32>) outs(%e : tensor<8x16xf32>) permutation = [1, 0]
  %s = linalg.add ins(%t, %b : tensor<8x16xf32>, tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %s : tensor<8x16xf32>
}

// -----

// An adjoint as dc-differentiate builds it: every operand of the
// differentiated matmul, though the body reads only two. Without the unread
// ones it is a contraction, and its transposed operand folds.
// CHECK-LABEL: func.func @adjoint
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg2, %arg1 : tensor<16x8xf32>, tensor<2x16xf32>)
// CHECK-NOT: linalg.generic
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @adjoint(%x: tensor<2x8xf32>, %dy: tensor<2x16xf32>, %w: tensor<16x8xf32>, %zero: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %t = linalg.transpose ins(%w : tensor<16x8xf32>) outs(%e : tensor<8x16xf32>) permutation = [1, 0]
  %dx = linalg.generic {indexing_maps = [#a, #b, #c, #a], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %t, %dy : tensor<2x8xf32>, tensor<8x16xf32>, tensor<2x16xf32>) outs(%zero : tensor<2x8xf32>) {
  ^bb0(%p: f32, %q: f32, %g: f32, %o: f32):
    %m = arith.mulf %g, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %dx : tensor<2x8xf32>
}
