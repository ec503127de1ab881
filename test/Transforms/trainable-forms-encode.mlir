// RUN: dc-opt %s -split-input-file --dc-encode="layout=csr entropy=none index-bits=2" | FileCheck %s
// RUN: dc-opt %s -split-input-file --dc-encode="layout=csr entropy=none index-bits=2" --dc-materialize | FileCheck %s --check-prefix=VALUES

// Hand-written trainable forms, as a front end or a trainer could write them,
// stored exactly by dc-encode.

#id = affine_map<(d0, d1) -> (d0, d1)>

// A quantized form whose codebook has an unused entry (9.0) and a repeated
// one (0.5 twice), i16 indices read with index_cast: the stored codebook is
// the two values in use, sorted; masked-out positions are pruned whatever
// their index.
// CHECK-LABEL: func.func @quantized
// CHECK: dc.constant {codebook = array<f32: -2.500000e-01, 5.000000e-01>, {{.*}}num_weights = 3 : i64
// VALUES-LABEL: func.func @quantized
// VALUES: arith.constant dense<{{\[}}[5.000000e-01, 0.000000e+00, 0.000000e+00, -2.500000e-01], [0.000000e+00, 5.000000e-01, 0.000000e+00, 0.000000e+00]]> : tensor<2x4xf32>
func.func @quantized(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %codebook = arith.constant dense<[0.5, -0.25, 0.5, 9.0]> : tensor<4xf32>
  %mask = arith.constant dense<[[1, 0, 0, 1], [0, 3, 0, 0]]> : tensor<2x4xi8>
  %index = arith.constant dense<[[0, 3, 3, 1], [1, 2, 0, 7]]> : tensor<2x4xi16>
  %empty = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%mask, %index : tensor<2x4xi8>, tensor<2x4xi16>) outs(%empty : tensor<2x4xf32>) {
  ^bb0(%m: i8, %i: i16, %o: f32):
    %zero = arith.constant 0.0 : f32
    %c0 = arith.constant 0 : i8
    %kept = arith.cmpi ne, %c0, %m : i8
    %j = arith.index_cast %i : i16 to index
    %v = tensor.extract %codebook[%j] : tensor<4xf32>
    %r = arith.select %kept, %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A pruned form with a kept weight of value 0.0 (training may reach it): it
// stays a kept entry (num_weights = 3), pruned positions are the mask's.
// CHECK-LABEL: func.func @pruned
// CHECK: dc.constant {codebook = array<f32: -7.500000e-01, 0.000000e+00, 2.500000e-01>, {{.*}}num_weights = 3 : i64
// VALUES-LABEL: func.func @pruned
// VALUES: arith.constant dense<{{\[}}[2.500000e-01, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, -7.500000e-01]]> : tensor<2x4xf32>
func.func @pruned(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %mask = arith.constant dense<[[1, 0, 1, 0], [0, 0, 0, 1]]> : tensor<2x4xi8>
  %values = arith.constant dense<[[0.25, 7.0, 0.0, 8.0], [9.0, 1.0, 2.0, -0.75]]> : tensor<2x4xf32>
  %empty = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%mask, %values : tensor<2x4xi8>, tensor<2x4xf32>) outs(%empty : tensor<2x4xf32>) {
  ^bb0(%m: i8, %v: f32, %o: f32):
    %c0 = arith.constant 0 : i8
    %kept = arith.cmpi ne, %m, %c0 : i8
    %zero = arith.constant 0.0 : f32
    %r = arith.select %kept, %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

