// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=0.5" | FileCheck %s
// RUN: dc-opt %s -split-input-file --dc-prune="quality=0.7" | FileCheck %s --check-prefix=QUALITY
// A layer= option matching no layer is an error: these run on the part
// (split) that has the layer they name.
// RUN: sed '/^\/\/ -----/,$d' %s | dc-opt --dc-prune="sparsity=0.5 layer=fc1:skip=1" | FileCheck %s --check-prefix=SKIP
// RUN: awk '/^\/\/ -----/ { n++; next } n == 1' %s | dc-opt --dc-prune="sparsity=0.5 layer=linalg.conv_2d_nchw_fchw:sparsity=0.75" | FileCheck %s --check-prefix=OVERRIDE

// dc-prune zeroes the smallest-magnitude weights of the constants feeding
// contractions and convolutions, found through torch-mlir's transposes.
// Weights [1, -2, 3, -4, 5, -6, 7, -8]: sparsity 0.5 keeps 5, -6, 7, -8;
// quality 0.7 (std 5.025, threshold 3.52) also keeps -4.

// An nn.Linear as torch-mlir emits it: transpose + fill + matmul + bias.
// CHECK-LABEL: func @linear
// CHECK: %[[W:.*]] = arith.constant {dc.layer = "fc1"} dense_resource<fc1_pruned> : tensor<2x4xf32>
// CHECK: %[[B:.*]] = arith.constant dense_resource<bias> : tensor<2xf32>
// CHECK: linalg.transpose ins(%[[W]]
// CHECK: fc1_pruned: "0x04000000000000000000000000000000000000000000A0400000C0C00000E040000000C1"
// QUALITY: fc1_pruned: "0x04000000000000000000000000000000000080C00000A0400000C0C00000E040000000C1"
// SKIP-LABEL: func @linear
// SKIP: arith.constant dense_resource<weight> : tensor<2x4xf32>
// SKIP-NOT: fc1_pruned
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
func.func @linear(%arg0: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %w = arith.constant dense_resource<weight> : tensor<2x4xf32> loc("fc1")
  %b = arith.constant dense_resource<bias> : tensor<2xf32>
  %0 = tensor.empty() : tensor<4x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x4xf32>) outs(%0 : tensor<4x2xf32>) permutation = [1, 0]
  %1 = tensor.empty() : tensor<1x2xf32>
  %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<1x2xf32>) -> tensor<1x2xf32>
  %3 = linalg.matmul ins(%arg0, %t : tensor<1x4xf32>, tensor<4x2xf32>) outs(%2 : tensor<1x2xf32>) -> tensor<1x2xf32>
  %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%3, %b : tensor<1x2xf32>, tensor<2xf32>) outs(%1 : tensor<1x2xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %5 = arith.addf %in, %in_1 : f32
    linalg.yield %5 : f32
  } -> tensor<1x2xf32>
  return %4 : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F000000C000004040000080C00000A0400000C0C00000E040000000C1",
      bias: "0x040000000000803F000000C0"
    }
  }
#-}

// -----

// A conv with a linalg.broadcast bias; the weight is a dense<> literal.
// CHECK-LABEL: func @conv
// CHECK: arith.constant {dc.layer = "layer0"} dense_resource<layer0_pruned> : tensor<2x1x2x2xf32>
// CHECK: layer0_pruned: "0x04000000000000000000000000000000000000000000A0400000C0C00000E040000000C1"
// OVERRIDE-LABEL: func @conv
// OVERRIDE: layer0_pruned: "0x040000000000000000000000000000000000000000000000000000000000E040000000C1"
func.func @conv(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0, -2.0], [3.0, -4.0]]], [[[5.0, -6.0], [7.0, -8.0]]]]> : tensor<2x1x2x2xf32>
  %b = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %0 = tensor.empty() : tensor<1x2x2x2xf32>
  %bb = linalg.broadcast ins(%b : tensor<2xf32>) outs(%0 : tensor<1x2x2x2xf32>) dimensions = [0, 2, 3]
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>) outs(%bb : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Constants that feed no contraction (here an elementwise add) are not
// weights and stay as they are.
// CHECK-LABEL: func @not_a_weight
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: _pruned
#map = affine_map<(d0) -> (d0)>
func.func @not_a_weight(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = tensor.empty() : tensor<2xf32>
  %y = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]} ins(%x, %c : tensor<2xf32>, tensor<2xf32>) outs(%0 : tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  return %y : tensor<2xf32>
}
