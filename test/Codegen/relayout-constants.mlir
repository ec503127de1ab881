// RUN: dc-opt %s -split-input-file --dc-relayout-constants | FileCheck %s

// A fully connected layer after dc-fold-transposes: W is stored [out, in]
// and read through (d1, d2). It becomes W^T, stored [in, out], read through
// (d2, d1): the output's innermost loop d1 indexes its innermost dimension.
// CHECK-DAG: #[[WT:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @linear
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[WT]], #{{.*}}]
// CHECK-SAME: ins(%arg0, %[[C]] : tensor<4x3xf32>, tensor<3x2xf32>)
// CHECK-NOT: tensor<2x3xf32>
#x = affine_map<(d0, d1, d2) -> (d0, d2)>
#w = affine_map<(d0, d1, d2) -> (d1, d2)>
#y = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @linear(%x: tensor<4x3xf32>, %init: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x3xf32>, tensor<2x3xf32>) outs(%init : tensor<4x2xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// A named op (a matmul whose maps read B[n, k]) is generalized; a
// dense_resource blob is permuted into a new blob; the weight's layer name
// stays with it.
// CHECK-LABEL: func.func @named_resource
// CHECK: %[[C:.*]] = arith.constant {dc.layer = "fc"} dense_resource<w.relayout> : tensor<3x2xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg0, %[[C]] : tensor<4x3xf32>, tensor<3x2xf32>)
// CHECK: w.relayout: "0x040000000000803F0000804000000040
func.func @named_resource(%x: tensor<4x3xf32>, %init: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w = arith.constant {dc.layer = "fc"} dense_resource<w> : tensor<2x3xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<4x3xf32>, tensor<2x3xf32>) outs(%init : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}

// -----

// A constant with another user is copied, not changed; a splat is reshaped;
// an operand already read along its innermost dimension is left alone.
// CHECK-LABEL: func.func @shared
// CHECK-DAG: %[[OLD:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: %[[NEW:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[NEW]] :
// CHECK: %[[SPLAT:.*]] = arith.constant dense<2.000000e+00> : tensor<3x2xf32>
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[SPLAT]] :
// CHECK: return {{.*}}, %[[OLD]]
#x = affine_map<(d0, d1, d2) -> (d0, d2)>
#w = affine_map<(d0, d1, d2) -> (d1, d2)>
#y = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @shared(%x: tensor<4x3xf32>, %init: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<2x3xf32>) {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %s = arith.constant dense<2.0> : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x3xf32>, tensor<2x3xf32>) outs(%init : tensor<4x2xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<4x2xf32>
  %z = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %s : tensor<4x3xf32>, tensor<2x3xf32>) outs(%init : tensor<4x2xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<4x2xf32>
  return %y, %z, %w : tensor<4x2xf32>, tensor<4x2xf32>, tensor<2x3xf32>
}

// -----

// Already in order (x * W^T materialised), a bias read along the output's
// innermost loop, and a conv filter (not indexed by the output's innermost
// loop ow): nothing changes.
// CHECK-LABEL: func.func @in_order
// CHECK-NOT: relayout
// CHECK: linalg.matmul
// CHECK: linalg.conv_2d_nchw_fchw
func.func @in_order(%x: tensor<4x3xf32>, %init: tensor<4x2xf32>, %img: tensor<1x1x6x6xf32>, %cinit: tensor<1x2x4x4xf32>) -> (tensor<4x2xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x3xf32>, tensor<3x2xf32>) outs(%init : tensor<4x2xf32>) -> tensor<4x2xf32>
  %f = arith.constant dense<1.0> : tensor<2x1x3x3xf32>
  %c = linalg.conv_2d_nchw_fchw ins(%img, %f : tensor<1x1x6x6xf32>, tensor<2x1x3x3xf32>) outs(%cinit : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %y, %c : tensor<4x2xf32>, tensor<1x2x4x4xf32>
}
