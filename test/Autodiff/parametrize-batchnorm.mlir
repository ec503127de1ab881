// RUN: dc-opt %s --dc-parametrize | FileCheck %s
// RUN: dc-opt %s --dc-parametrize=statistics=1 | FileCheck %s --check-prefix=STATS

// Batch normalisation as torch-mlir lowers it for inference: one generic
// over x, gamma, beta, the running mean (subtracted) and the running
// variance (under rsqrt). The statistics stay constants unless asked for;
// gamma and beta are trained as biases.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: {dc.param = "conv.weight", dc.param_kind = "weight"}
// CHECK-SAME: {dc.param = "bn_gamma", dc.param_kind = "bias"}
// CHECK-SAME: {dc.param = "bn_beta", dc.param_kind = "bias"}
// CHECK-SAME: %{{.*}}: tensor<1x1x4x4xf32>)
// CHECK-DAG: arith.constant dense_resource<bn_mean> : tensor<2xf32>
// CHECK-DAG: arith.constant dense_resource<bn_var> : tensor<2xf32>
// STATS-LABEL: func.func @forward
// STATS-SAME: {dc.param = "bn_mean", dc.param_kind = "statistic"}
// STATS-SAME: {dc.param = "bn_var", dc.param_kind = "statistic"}
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @forward(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense_resource<conv_weight> : tensor<2x1x3x3xf32>
  %gamma = arith.constant dense_resource<bn_gamma> : tensor<2xf32>
  %beta = arith.constant dense_resource<bn_beta> : tensor<2xf32>
  %mean = arith.constant dense_resource<bn_mean> : tensor<2xf32>
  %var = arith.constant dense_resource<bn_var> : tensor<2xf32>
  %eps = arith.constant 1.0e-05 : f32
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) outs(%f : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %bn = linalg.generic {indexing_maps = [#id, #ch, #ch, #ch, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %gamma, %beta, %mean, %var : tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<1x2x2x2xf32>) {
  ^bb0(%in: f32, %g: f32, %b: f32, %m: f32, %v: f32, %out: f32):
    %0 = arith.subf %in, %m : f32
    %1 = arith.addf %v, %eps : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.mulf %0, %2 : f32
    %4 = arith.mulf %3, %g : f32
    %5 = arith.addf %4, %b : f32
    linalg.yield %5 : f32
  } -> tensor<1x2x2x2xf32>
  return %bn : tensor<1x2x2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      conv_weight: "0x040000000000803F0000003F000000BF0000803E0000803F0000003F000000BF0000803E0000803F0000803F0000003F000000BF0000803E0000803F0000003F000000BF0000803E0000803F",
      bn_gamma: "0x040000000000803F0000003F",
      bn_beta: "0x040000000000803E000000BF",
      bn_mean: "0x040000000000003F0000803E",
      bn_var: "0x040000000000803F00000040"
    }
  }
#-}
