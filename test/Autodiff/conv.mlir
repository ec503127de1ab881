// Reverse-mode AD of convolutions, pooling windows, pads and slices,
// checked in f64 against central differences as ops.mlir does (every
// element, 4 random directions, the negative control). Each function is
// loss = sum(r * op(inputs)) with r an argument too. Layouts as front ends
// emit them: nchw_fchw (torch-mlir), nhwc_hwcf and nhwc_fhwc (TOSA),
// depthwise and grouped; strides, dilation; max pooling (the gradient to
// the arg-max: random inputs have no ties, see pool-ties.mlir), sum and
// average pooling (sum + divide, as torch-mlir writes it); a padded
// strided conv with a residual add (a 1x1 strided projection shortcut);
// extract_slice (strided) and insert_slice; batch normalisation as
// torch-mlir lowers it (running statistics constants).
// RUN: dc-opt %s --dc-differentiate=function=conv_nchw_stride2 --dc-differentiate=function=conv_nchw_dilation2 --dc-differentiate=function=conv_nhwc_hwcf --dc-differentiate=function=conv_nhwc_fhwc --dc-differentiate=function=depthwise_nchw --dc-differentiate=function=grouped_ngchw --dc-differentiate=function=padded_strided_residual --dc-differentiate=function=max_pool --dc-differentiate=function=max_pool_overlapping --dc-differentiate=function=avg_pool --dc-differentiate=function=pool_nhwc_max --dc-differentiate=function=slices --dc-differentiate=function=batch_norm_frozen -o %t.mlir
// RUN: dc-grad-check %t.mlir --function=conv_nchw_stride2,conv_nchw_dilation2,conv_nhwc_hwcf,conv_nhwc_fhwc,depthwise_nchw,grouped_ngchw,padded_strided_residual,max_pool,max_pool_overlapping,avg_pool,pool_nhwc_max,slices,batch_norm_frozen --eps=1e-6 --rtol=1e-6 --atol=1e-9 | FileCheck %s
// CHECK: dc-grad-check: @conv_nchw_stride2: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @conv_nchw_dilation2: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @conv_nhwc_hwcf: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @conv_nhwc_fhwc: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @depthwise_nchw: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @grouped_ngchw: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @padded_strided_residual: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @max_pool: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @max_pool_overlapping: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @avg_pool: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @pool_nhwc_max: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @slices: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @batch_norm_frozen: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must

func.func @conv_nchw_stride2(%x: tensor<1x2x5x5xf64>, %w: tensor<3x2x3x3xf64>, %r: tensor<1x3x2x2xf64>) -> tensor<f64> {
  %o = arith.constant dense<0.0> : tensor<1x3x2x2xf64>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x2x5x5xf64>, tensor<3x2x3x3xf64>) outs(%o : tensor<1x3x2x2xf64>) -> tensor<1x3x2x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x3x2x2xf64>, tensor<1x3x2x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @conv_nchw_dilation2(%x: tensor<2x2x6x6xf64>, %w: tensor<2x2x2x2xf64>, %b: tensor<2x2x4x4xf64>, %r: tensor<2x2x4x4xf64>) -> tensor<f64> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x2x6x6xf64>, tensor<2x2x2x2xf64>) outs(%b : tensor<2x2x4x4xf64>) -> tensor<2x2x4x4xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<2x2x4x4xf64>, tensor<2x2x4x4xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @conv_nhwc_hwcf(%x: tensor<1x5x5x2xf64>, %w: tensor<3x3x2x3xf64>, %r: tensor<1x2x2x3xf64>) -> tensor<f64> {
  %o = arith.constant dense<0.0> : tensor<1x2x2x3xf64>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x5x5x2xf64>, tensor<3x3x2x3xf64>) outs(%o : tensor<1x2x2x3xf64>) -> tensor<1x2x2x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x2x2x3xf64>, tensor<1x2x2x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @conv_nhwc_fhwc(%x: tensor<1x5x5x2xf64>, %w: tensor<3x3x3x2xf64>, %r: tensor<1x3x3x3xf64>) -> tensor<f64> {
  %o = arith.constant dense<0.0> : tensor<1x3x3x3xf64>
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x5x5x2xf64>, tensor<3x3x3x2xf64>) outs(%o : tensor<1x3x3x3xf64>) -> tensor<1x3x3x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x3x3x3xf64>, tensor<1x3x3x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @depthwise_nchw(%x: tensor<1x2x5x5xf64>, %w: tensor<2x3x3xf64>, %r: tensor<1x2x3x3xf64>) -> tensor<f64> {
  %o = arith.constant dense<0.0> : tensor<1x2x3x3xf64>
  %y = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x5x5xf64>, tensor<2x3x3xf64>) outs(%o : tensor<1x2x3x3xf64>) -> tensor<1x2x3x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x2x3x3xf64>, tensor<1x2x3x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @grouped_ngchw(%x: tensor<1x2x2x5x5xf64>, %w: tensor<2x2x2x3x3xf64>, %r: tensor<1x2x2x3x3xf64>) -> tensor<f64> {
  %o = arith.constant dense<0.0> : tensor<1x2x2x3x3xf64>
  %y = linalg.conv_2d_ngchw_fgchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x2x5x5xf64>, tensor<2x2x2x3x3xf64>) outs(%o : tensor<1x2x2x3x3xf64>) -> tensor<1x2x2x3x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x2x2x3x3xf64>, tensor<1x2x2x3x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @padded_strided_residual(%x: tensor<1x2x4x4xf64>, %w: tensor<2x2x3x3xf64>, %ws: tensor<2x2x1x1xf64>, %r: tensor<1x2x2x2xf64>) -> tensor<f64> {
  %c0 = arith.constant 0.0 : f64
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %c0 : f64
  } : tensor<1x2x4x4xf64> to tensor<1x2x6x6xf64>
  %o = arith.constant dense<0.0> : tensor<1x2x2x2xf64>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %w : tensor<1x2x6x6xf64>, tensor<2x2x3x3xf64>) outs(%o : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %s = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %ws : tensor<1x2x4x4xf64>, tensor<2x2x1x1xf64>) outs(%o : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %e = tensor.empty() : tensor<1x2x2x2xf64>
  %y = linalg.add ins(%c, %s : tensor<1x2x2x2xf64>, tensor<1x2x2x2xf64>) outs(%e : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x2x2x2xf64>, tensor<1x2x2x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @max_pool(%x: tensor<1x2x4x4xf64>, %r: tensor<1x2x2x2xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %e = tensor.empty() : tensor<1x2x2x2xf64>
  %f = linalg.fill ins(%ninf : f64) outs(%e : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x2x4x4xf64>, tensor<2x2xf64>) outs(%f : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x2x2x2xf64>, tensor<1x2x2x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @max_pool_overlapping(%x: tensor<1x1x5x5xf64>, %r: tensor<1x1x2x2xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %e = tensor.empty() : tensor<1x1x2x2xf64>
  %f = linalg.fill ins(%ninf : f64) outs(%e : tensor<1x1x2x2xf64>) -> tensor<1x1x2x2xf64>
  %win = tensor.empty() : tensor<3x3xf64>
  %y = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x1x5x5xf64>, tensor<3x3xf64>) outs(%f : tensor<1x1x2x2xf64>) -> tensor<1x1x2x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x1x2x2xf64>, tensor<1x1x2x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @avg_pool(%x: tensor<1x2x3x3xf64>, %r: tensor<1x2x2x2xf64>) -> tensor<f64> {
  %o = arith.constant dense<0.0> : tensor<1x2x2x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %s = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %win : tensor<1x2x3x3xf64>, tensor<2x2xf64>) outs(%o : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %four = arith.constant 4.0 : f64
  %e = tensor.empty() : tensor<1x2x2x2xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x2x2xf64>) outs(%e : tensor<1x2x2x2xf64>) {
  ^bb0(%in: f64, %out: f64):
    %q = arith.divf %in, %four : f64
    linalg.yield %q : f64
  } -> tensor<1x2x2x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x2x2x2xf64>, tensor<1x2x2x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @pool_nhwc_max(%x: tensor<1x4x4x2xf64>, %r: tensor<1x2x2x2xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %e = tensor.empty() : tensor<1x2x2x2xf64>
  %f = linalg.fill ins(%ninf : f64) outs(%e : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x4x4x2xf64>, tensor<2x2xf64>) outs(%f : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x2x2x2xf64>, tensor<1x2x2x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @slices(%x: tensor<4x6xf64>, %d: tensor<3x3xf64>, %r: tensor<3x3xf64>) -> tensor<f64> {
  %s = tensor.extract_slice %x[1, 0] [2, 3] [1, 2] : tensor<4x6xf64> to tensor<2x3xf64>
  %y = tensor.insert_slice %s into %d[1, 0] [2, 3] [1, 1] : tensor<2x3xf64> into tensor<3x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y, %r : tensor<3x3xf64>, tensor<3x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @batch_norm_frozen(%x: tensor<1x2x3x3xf64>, %g: tensor<2xf64>, %b: tensor<2xf64>, %r: tensor<1x2x3x3xf64>) -> tensor<f64> {
  %mean = arith.constant dense<[0.25, -0.5]> : tensor<2xf64>
  %var = arith.constant dense<[0.8, 1.7]> : tensor<2xf64>
  %eps = arith.constant 1.0e-05 : f64
  %e = tensor.empty() : tensor<1x2x3x3xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %g, %b, %mean, %var : tensor<1x2x3x3xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>) outs(%e : tensor<1x2x3x3xf64>) {
  ^bb0(%in: f64, %gg: f64, %bb: f64, %m: f64, %v: f64, %out: f64):
    %0 = arith.subf %in, %m : f64
    %1 = arith.addf %v, %eps : f64
    %2 = math.rsqrt %1 : f64
    %3 = arith.mulf %0, %2 : f64
    %4 = arith.mulf %3, %gg : f64
    %5 = arith.addf %4, %bb : f64
    linalg.yield %5 : f64
  } -> tensor<1x2x3x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<1x2x3x3xf64>, tensor<1x2x3x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%la: f64, %lb: f64, %lo: f64):
    %lp = arith.mulf %la, %lb : f64
    %ls = arith.addf %lo, %lp : f64
    linalg.yield %ls : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}
