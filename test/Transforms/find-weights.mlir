// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=1.0" | FileCheck %s

// Which constants are weights: those feeding a linalg contraction or
// convolution, directly or through reshapes, casts and transposes. dc-prune
// with sparsity 1 marks each weight it finds with its layer name.

// CHECK-LABEL: func @batch_matmul
// CHECK: arith.constant {dc.layer = "layer0"} dense_resource<layer0_pruned> : tensor<2x4x3xf32>
func.func @batch_matmul(%x: tensor<2x1x4xf32>, %acc: tensor<2x1x3xf32>) -> tensor<2x1x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x4x3xf32>
  %y = linalg.batch_matmul ins(%x, %w : tensor<2x1x4xf32>, tensor<2x4x3xf32>) outs(%acc : tensor<2x1x3xf32>) -> tensor<2x1x3xf32>
  return %y : tensor<2x1x3xf32>
}

// -----

// A contraction written as linalg.generic; the weight reaches it through a
// tensor.collapse_shape and a tensor.cast.
// CHECK-LABEL: func @generic_contraction
// CHECK: arith.constant {dc.layer = "layer0"} dense_resource<layer0_pruned> : tensor<2x2x3xf32>
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @generic_contraction(%x: tensor<1x4xf32>, %acc: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<2.0> : tensor<2x2x3xf32>
  %flat = tensor.collapse_shape %w [[0, 1], [2]] : tensor<2x2x3xf32> into tensor<4x3xf32>
  %dyn = tensor.cast %flat : tensor<4x3xf32> to tensor<?x3xf32>
  %back = tensor.cast %dyn : tensor<?x3xf32> to tensor<4x3xf32>
  %y = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %back : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// One constant used by two matmuls is one layer; an f16 constant is not a
// weight dc handles.
// CHECK-LABEL: func @shared_and_f16
// CHECK: arith.constant {dc.layer = "layer0"} dense_resource<layer0_pruned> : tensor<4x3xf32>
// CHECK: arith.constant dense<1.000000e+00> : tensor<4x3xf16>
// CHECK-NOT: layer1
func.func @shared_and_f16(%x: tensor<1x4xf32>, %acc: tensor<1x3xf32>, %h: tensor<1x4xf16>, %hacc: tensor<1x3xf16>) -> (tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf16>) {
  %w = arith.constant dense<3.0> : tensor<4x3xf32>
  %wh = arith.constant dense<1.0> : tensor<4x3xf16>
  %y1 = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32>
  %y2 = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32>
  %y3 = linalg.matmul ins(%h, %wh : tensor<1x4xf16>, tensor<4x3xf16>) outs(%hacc : tensor<1x3xf16>) -> tensor<1x3xf16>
  return %y1, %y2, %y3 : tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf16>
}

// -----

// conv_2d_nhwc_hwcf (the other conv layout front ends emit).
// CHECK-LABEL: func @conv_nhwc
// CHECK: arith.constant {dc.layer = "conv"} dense_resource<conv_pruned> : tensor<3x3x2x4xf32>
func.func @conv_nhwc(%x: tensor<1x5x5x2xf32>, %acc: tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32> {
  %w = arith.constant dense<0.5> : tensor<3x3x2x4xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) outs(%acc : tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32> loc("conv")
  return %y : tensor<1x3x3x4xf32>
}
