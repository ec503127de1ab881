// Reverse-mode AD (dc-differentiate) checked op by op in f64 against
// central differences (dc-grad-check: JIT with upstream's plain lowering;
// every element of every operand, 4 random directions, and a negative
// control: a relative error of 1e-4 in the largest gradient element must
// fail the bound). Each function is loss = sum(r * op(inputs)) for a fixed
// random r. Inputs are drawn with |x| in [0.1, 1], away from the kinks of
// relu and max at 0; the bound is |g - n| <= 1e-9 + 1e-6 * max(|g|, |n|).
// RUN: dc-opt %s --dc-differentiate=function=matmul_bias --dc-differentiate=function=matvec --dc-differentiate=function=batch_matmul --dc-differentiate=function=transpose_broadcast --dc-differentiate=function=arith --dc-differentiate=function=relu --dc-differentiate=function=max_min --dc-differentiate=function=select --dc-differentiate=function=transcendental --dc-differentiate=function=sum_axis --dc-differentiate=function=reshape --dc-differentiate=function=mlp --dc-differentiate=function=quantized --dc-differentiate=function=pruned --dc-differentiate=function=max_axis -o %t.mlir
// RUN: dc-grad-check %t.mlir --function=matmul_bias,matvec,batch_matmul,transpose_broadcast,arith,relu,max_min,select,transcendental,sum_axis,reshape,mlp,quantized,pruned,max_axis --eps=1e-6 --rtol=1e-6 --atol=1e-9 | FileCheck %s
// CHECK: dc-grad-check: @matmul_bias: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @matvec: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @batch_matmul: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @transpose_broadcast: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @arith: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @relu: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @max_min: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @select: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @transcendental: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @sum_axis: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @reshape: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @mlp: {{[0-9]+}} elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @quantized: 11 elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @pruned: 24 elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must
// CHECK: dc-grad-check: @max_axis: 12 elements and 4 directions agree with central differences, worst {{.*}}; the negative control fails as it must

func.func @matmul_bias(%x: tensor<2x3xf64>, %w: tensor<3x4xf64>, %b: tensor<2x4xf64>) -> tensor<f64> {
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf64>, tensor<3x4xf64>) outs(%b : tensor<2x4xf64>) -> tensor<2x4xf64>
  %r = arith.constant dense<[[-0.5241, 0.0885, -0.2601, 0.2078], [0.2514, -0.8689, -0.9737, 0.6749]]> : tensor<2x4xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y, %r : tensor<2x4xf64>, tensor<2x4xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @matvec(%a: tensor<3x4xf64>, %v: tensor<4xf64>) -> tensor<f64> {
  %z0 = arith.constant dense<0.0> : tensor<3xf64>
  %y = linalg.matvec ins(%a, %v : tensor<3x4xf64>, tensor<4xf64>) outs(%z0 : tensor<3xf64>) -> tensor<3xf64>
  %r = arith.constant dense<[-0.4813, -0.5313, 0.9913]> : tensor<3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%y, %r : tensor<3xf64>, tensor<3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @batch_matmul(%a: tensor<2x2x3xf64>, %b: tensor<2x3x2xf64>) -> tensor<f64> {
  %z0 = arith.constant dense<0.0> : tensor<2x2x2xf64>
  %y = linalg.batch_matmul ins(%a, %b : tensor<2x2x3xf64>, tensor<2x3x2xf64>) outs(%z0 : tensor<2x2x2xf64>) -> tensor<2x2x2xf64>
  %r = arith.constant dense<[[[-0.0595, 0.6729], [-0.0473, 0.2781]], [[-0.6988, 0.2697], [0.7361, 0.0464]]]> : tensor<2x2x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>], iterator_types = ["reduction", "reduction", "reduction"]} ins(%y, %r : tensor<2x2x2xf64>, tensor<2x2x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @transpose_broadcast(%x: tensor<2x3xf64>, %b: tensor<3xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x2xf64>
  %t = linalg.transpose ins(%x : tensor<2x3xf64>) outs(%e : tensor<3x2xf64>) permutation = [1, 0]
  %e2 = tensor.empty() : tensor<3x2xf64>
  %bb = linalg.broadcast ins(%b : tensor<3xf64>) outs(%e2 : tensor<3x2xf64>) dimensions = [1]
  %e_y = tensor.empty() : tensor<3x2xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%t, %bb : tensor<3x2xf64>, tensor<3x2xf64>) outs(%e_y : tensor<3x2xf64>) {
  ^bb0(%t_s: f64, %bb_s: f64, %out: f64):
    %p = arith.mulf %t_s, %bb_s : f64
    linalg.yield %p : f64
  } -> tensor<3x2xf64>
  %r = arith.constant dense<[[0.4825, 0.3428], [-0.8719, 0.5165], [0.1822, -0.3975]]> : tensor<3x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y, %r : tensor<3x2xf64>, tensor<3x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @arith(%x: tensor<2x3xf64>, %y: tensor<2x3xf64>) -> tensor<f64> {
  %e_v = tensor.empty() : tensor<2x3xf64>
  %v = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<2x3xf64>, tensor<2x3xf64>) outs(%e_v : tensor<2x3xf64>) {
  ^bb0(%x_s: f64, %y_s: f64, %out: f64):
    %m = arith.mulf %x_s, %y_s : f64
    %d = arith.divf %x_s, %y_s : f64
    %s = arith.subf %m, %d : f64
    %n = arith.negf %x_s : f64
    %a = arith.addf %s, %n : f64
    %t = arith.addf %a, %y_s : f64
    linalg.yield %t : f64
  } -> tensor<2x3xf64>
  %r = arith.constant dense<[[-0.938, 0.7311, -0.0545], [0.4376, 0.7576, 0.4283]]> : tensor<2x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%v, %r : tensor<2x3xf64>, tensor<2x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @relu(%x: tensor<2x3xf64>) -> tensor<f64> {
  %e_v = tensor.empty() : tensor<2x3xf64>
  %v = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x3xf64>) outs(%e_v : tensor<2x3xf64>) {
  ^bb0(%x_s: f64, %out: f64):
    %c0 = arith.constant 0.0 : f64
    %m = arith.maximumf %x_s, %c0 : f64
    linalg.yield %m : f64
  } -> tensor<2x3xf64>
  %r = arith.constant dense<[[0.8422, -0.2101, 0.6018], [-0.1108, 0.8712, 0.7577]]> : tensor<2x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%v, %r : tensor<2x3xf64>, tensor<2x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @max_min(%x: tensor<2x3xf64>, %y: tensor<2x3xf64>) -> tensor<f64> {
  %e_v = tensor.empty() : tensor<2x3xf64>
  %v = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<2x3xf64>, tensor<2x3xf64>) outs(%e_v : tensor<2x3xf64>) {
  ^bb0(%x_s: f64, %y_s: f64, %out: f64):
    %m = arith.maximumf %x_s, %y_s : f64
    %n = arith.minimumf %x_s, %y_s : f64
    %t = arith.mulf %m, %n : f64
    %u = arith.addf %t, %m : f64
    linalg.yield %u : f64
  } -> tensor<2x3xf64>
  %r = arith.constant dense<[[-0.8051, -0.7281, -0.566], [0.931, -0.1277, 0.2533]]> : tensor<2x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%v, %r : tensor<2x3xf64>, tensor<2x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @select(%x: tensor<2x3xf64>, %y: tensor<2x3xf64>) -> tensor<f64> {
  %e_v = tensor.empty() : tensor<2x3xf64>
  %v = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<2x3xf64>, tensor<2x3xf64>) outs(%e_v : tensor<2x3xf64>) {
  ^bb0(%x_s: f64, %y_s: f64, %out: f64):
    %c = arith.cmpf ogt, %x_s, %y_s : f64
    %q = arith.mulf %x_s, %x_s : f64
    %s = arith.select %c, %q, %y_s : f64
    linalg.yield %s : f64
  } -> tensor<2x3xf64>
  %r = arith.constant dense<[[-0.3979, 0.0145, -0.2283], [-0.2982, 0.1701, 0.1685]]> : tensor<2x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%v, %r : tensor<2x3xf64>, tensor<2x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @transcendental(%x: tensor<2x3xf64>) -> tensor<f64> {
  %e_v = tensor.empty() : tensor<2x3xf64>
  %v = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x3xf64>) outs(%e_v : tensor<2x3xf64>) {
  ^bb0(%x_s: f64, %out: f64):
    %one = arith.constant 1.0 : f64
    %sq = arith.mulf %x_s, %x_s : f64
    %p = arith.addf %sq, %one : f64
    %e = math.exp %x_s : f64
    %l = math.log %p : f64
    %t = math.tanh %x_s : f64
    %r = math.sqrt %p : f64
    %q = math.rsqrt %p : f64
    %a = arith.addf %e, %l : f64
    %b = arith.addf %a, %t : f64
    %c = arith.addf %b, %r : f64
    %d = arith.addf %c, %q : f64
    linalg.yield %d : f64
  } -> tensor<2x3xf64>
  %r = arith.constant dense<[[0.8084, 0.364, 0.8579], [0.7128, 0.982, 0.3425]]> : tensor<2x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%v, %r : tensor<2x3xf64>, tensor<2x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @sum_axis(%x: tensor<2x3xf64>) -> tensor<f64> {
  %z0 = arith.constant dense<0.0> : tensor<2xf64>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<2x3xf64>) outs(%z0 : tensor<2xf64>) {
  ^bb0(%a: f64, %o: f64):
    %q = arith.mulf %a, %a : f64
    %t = arith.addf %q, %o : f64
    linalg.yield %t : f64
  } -> tensor<2xf64>
  %r = arith.constant dense<[-0.6738, 0.7213]> : tensor<2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%s, %r : tensor<2xf64>, tensor<2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @reshape(%x: tensor<2x3x2xf64>) -> tensor<f64> {
  %c = tensor.collapse_shape %x [[0], [1, 2]] : tensor<2x3x2xf64> into tensor<2x6xf64>
  %e_v = tensor.empty() : tensor<2x6xf64>
  %v = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c : tensor<2x6xf64>) outs(%e_v : tensor<2x6xf64>) {
  ^bb0(%c_s: f64, %out: f64):
    %q = arith.mulf %c_s, %c_s : f64
    linalg.yield %q : f64
  } -> tensor<2x6xf64>
  %u = tensor.expand_shape %v [[0], [1, 2]] output_shape [2, 3, 2] : tensor<2x6xf64> into tensor<2x3x2xf64>
  %r = arith.constant dense<[[[0.9293, 0.8094], [0.1382, 0.4276], [-0.5778, 0.6632]], [[0.1471, -0.4301], [-0.8731, 0.7079], [0.9796, -0.823]]]> : tensor<2x3x2xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>], iterator_types = ["reduction", "reduction", "reduction"]} ins(%u, %r : tensor<2x3x2xf64>, tensor<2x3x2xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @mlp(%x: tensor<2x4xf64>, %w1: tensor<5x4xf64>, %b1: tensor<5xf64>, %w2: tensor<3x5xf64>, %b2: tensor<3xf64>) -> tensor<f64> {
  %e1 = tensor.empty() : tensor<4x5xf64>
  %w1t = linalg.transpose ins(%w1 : tensor<5x4xf64>) outs(%e1 : tensor<4x5xf64>) permutation = [1, 0]
  %z1 = arith.constant dense<0.0> : tensor<2x5xf64>
  %m1 = linalg.matmul ins(%x, %w1t : tensor<2x4xf64>, tensor<4x5xf64>) outs(%z1 : tensor<2x5xf64>) -> tensor<2x5xf64>
  %e2 = tensor.empty() : tensor<2x5xf64>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m1, %b1 : tensor<2x5xf64>, tensor<5xf64>) outs(%e2 : tensor<2x5xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %s = arith.addf %a, %b : f64
    %c0 = arith.constant 0.0 : f64
    %r = arith.maximumf %s, %c0 : f64
    linalg.yield %r : f64
  } -> tensor<2x5xf64>
  %e3 = tensor.empty() : tensor<3xf64>
  %bb = tensor.empty() : tensor<2x3xf64>
  %b2b = linalg.broadcast ins(%b2 : tensor<3xf64>) outs(%bb : tensor<2x3xf64>) dimensions = [0]
  %e4 = tensor.empty() : tensor<5x3xf64>
  %w2t = linalg.transpose ins(%w2 : tensor<3x5xf64>) outs(%e4 : tensor<5x3xf64>) permutation = [1, 0]
  %y = linalg.matmul ins(%h, %w2t : tensor<2x5xf64>, tensor<5x3xf64>) outs(%b2b : tensor<2x3xf64>) -> tensor<2x3xf64>
  %r = arith.constant dense<[[0.6012, -0.1791, -0.6985], [-0.4122, 0.5376, 0.7455]]> : tensor<2x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y, %r : tensor<2x3xf64>, tensor<2x3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

// The trainable quantized form with its codebook a parameter: the
// codebook's gradient is the segment sum of the weight's adjoint over the
// kept positions that index each centroid; a pruned form's values get the
// adjoint only where the mask keeps them.
func.func @quantized(%codebook: tensor<3xf64>, %x: tensor<2x4xf64>) -> tensor<f64> {
  %mask = arith.constant dense<[[1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]]> : tensor<4x4xi8>
  %index = arith.constant dense<[[0, 2, 1, 2], [2, 0, 1, 1], [0, 1, 2, 0], [1, 2, 0, 2]]> : tensor<4x4xi8>
  %e = tensor.empty() : tensor<4x4xf64>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mask, %index : tensor<4x4xi8>, tensor<4x4xi8>) outs(%e : tensor<4x4xf64>) {
  ^bb0(%m: i8, %i: i8, %o: f64):
    %c0 = arith.constant 0 : i8
    %kept = arith.cmpi ne, %m, %c0 : i8
    %j = arith.index_castui %i : i8 to index
    %v = tensor.extract %codebook[%j] : tensor<3xf64>
    %zero = arith.constant 0.0 : f64
    %r = arith.select %kept, %v, %zero : f64
    linalg.yield %r : f64
  } -> tensor<4x4xf64>
  %z0 = arith.constant dense<0.0> : tensor<2x4xf64>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf64>, tensor<4x4xf64>) outs(%z0 : tensor<2x4xf64>) -> tensor<2x4xf64>
  %e2 = tensor.empty() : tensor<2x4xf64>
  %t = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x4xf64>) outs(%e2 : tensor<2x4xf64>) {
  ^bb0(%a: f64, %o: f64):
    %th = math.tanh %a : f64
    linalg.yield %th : f64
  } -> tensor<2x4xf64>
  %r = arith.constant dense<[[0.3, -0.7, 0.2, 0.9], [-0.4, 0.6, -0.8, 0.1]]> : tensor<2x4xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%t, %r : tensor<2x4xf64>, tensor<2x4xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

func.func @pruned(%w: tensor<4x4xf64>, %x: tensor<2x4xf64>) -> tensor<f64> {
  %mask = arith.constant dense<[[1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]]> : tensor<4x4xi8>
  %e = tensor.empty() : tensor<4x4xf64>
  %mw = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mask, %w : tensor<4x4xi8>, tensor<4x4xf64>) outs(%e : tensor<4x4xf64>) {
  ^bb0(%m: i8, %v: f64, %o: f64):
    %c0 = arith.constant 0 : i8
    %kept = arith.cmpi ne, %m, %c0 : i8
    %zero = arith.constant 0.0 : f64
    %r = arith.select %kept, %v, %zero : f64
    linalg.yield %r : f64
  } -> tensor<4x4xf64>
  %z0 = arith.constant dense<0.0> : tensor<2x4xf64>
  %y = linalg.matmul ins(%x, %mw : tensor<2x4xf64>, tensor<4x4xf64>) outs(%z0 : tensor<2x4xf64>) -> tensor<2x4xf64>
  %r = arith.constant dense<[[0.3, -0.7, 0.2, 0.9], [-0.4, 0.6, -0.8, 0.1]]> : tensor<2x4xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y, %r : tensor<2x4xf64>, tensor<2x4xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}

// Max and min reductions (inputs without ties): the gradient goes to the
// arg-max / arg-min of each row.
func.func @max_axis(%x: tensor<3x4xf64>) -> tensor<f64> {
  %ninf = arith.constant dense<0xFFF0000000000000> : tensor<3xf64>
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x4xf64>) outs(%ninf : tensor<3xf64>) {
  ^bb0(%a: f64, %o: f64):
    %q = arith.mulf %a, %a : f64
    %t = arith.maximumf %o, %q : f64
    linalg.yield %t : f64
  } -> tensor<3xf64>
  %inf = arith.constant dense<0x7FF0000000000000> : tensor<3xf64>
  %n = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x4xf64>) outs(%inf : tensor<3xf64>) {
  ^bb0(%a: f64, %o: f64):
    %t = arith.minimumf %a, %o : f64
    linalg.yield %t : f64
  } -> tensor<3xf64>
  %e = tensor.empty() : tensor<3xf64>
  %v = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%m, %n : tensor<3xf64>, tensor<3xf64>) outs(%e : tensor<3xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %t = arith.mulf %a, %b : f64
    linalg.yield %t : f64
  } -> tensor<3xf64>
  %r = arith.constant dense<[0.3, -0.7, 0.5]> : tensor<3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %loss = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%v, %r : tensor<3xf64>, tensor<3xf64>) outs(%z : tensor<f64>) {
  ^bb0(%ls_a: f64, %ls_w: f64, %ls_o: f64):
    %ls_p = arith.mulf %ls_a, %ls_w : f64
    %ls_s = arith.addf %ls_o, %ls_p : f64
    linalg.yield %ls_s : f64
  } -> tensor<f64>
  return %loss : tensor<f64>
}
