// RUN: dc-opt %s -split-input-file --dc-conv-to-im2col | FileCheck %s

// torch-mlir's NCHW convolution with stride 2: the patches have one
// dimension per loop the window map uses, in loop order [n, oh, ow, c, kh,
// kw], and the contraction reads them through a projected permutation.
// CHECK-DAG: #[[READ:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d1 * 2 + d4, d2 * 2 + d5)>
// CHECK-DAG: #[[ID6:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[PATCH:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d2, d3, d4, d5, d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-LABEL: func.func @nchw
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x3x3x2x3x3xf32>
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[READ]], #[[ID6]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%arg0 : tensor<1x2x7x7xf32>) outs(%[[E]] : tensor<1x3x3x2x3x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK: linalg.generic {indexing_maps = [#[[PATCH]], #[[W]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[P]], %arg1 : tensor<1x3x3x2x3x3xf32>, tensor<4x2x3x3xf32>)
// CHECK-NOT: linalg.conv
func.func @nchw(%x: tensor<1x2x7x7xf32>, %w: tensor<4x2x3x3xf32>, %o: tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x2x7x7xf32>, tensor<4x2x3x3xf32>) outs(%o : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

// TOSA's NHWC layout: patches [n, oh, ow, kh, kw, c].
// CHECK-LABEL: func.func @nhwc
// CHECK: tensor.empty() : tensor<2x4x4x3x3x2xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg0 : tensor<2x6x6x2xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %arg1 : tensor<2x4x4x3x3x2xf32>, tensor<3x3x2x5xf32>)
func.func @nhwc(%x: tensor<2x6x6x2xf32>, %w: tensor<3x3x2x5xf32>, %o: tensor<2x4x4x5xf32>) -> tensor<2x4x4x5xf32> {
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x6x6x2xf32>, tensor<3x3x2x5xf32>) outs(%o : tensor<2x4x4x5xf32>) -> tensor<2x4x4x5xf32>
  return %y : tensor<2x4x4x5xf32>
}

// -----

// Pooling is no contraction: it stays a window (generalized).
// CHECK-LABEL: func.func @pool
// CHECK-NOT: tensor<1x1x2x2x2x2xf32>
// CHECK: arith.maximumf
func.func @pool(%x: tensor<1x1x4x4xf32>, %o: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %win = tensor.empty() : tensor<2x2xf32>
  %y = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x1x4x4xf32>, tensor<2x2xf32>) outs(%o : tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}
