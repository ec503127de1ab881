// RUN: dc-opt %s -split-input-file --dc-encode -verify-diagnostics

#id = affine_map<(d0, d1) -> (d0, d1)>

// A kept index outside the codebook is an error at the index constant.
func.func @out_of_range(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %codebook = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %mask = arith.constant dense<[[1, 0, 0, 1], [0, 1, 0, 0]]> : tensor<2x4xi8>
  // expected-error @+1 {{layer 'layer0' index 2 at position 5 is outside its codebook of 2 values}}
  %index = arith.constant dense<[[0, 0, 0, 1], [0, 2, 0, 0]]> : tensor<2x4xi8>
  %empty = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%mask, %index : tensor<2x4xi8>, tensor<2x4xi8>) outs(%empty : tensor<2x4xf32>) {
  ^bb0(%m: i8, %i: i8, %o: f32):
    %c0 = arith.constant 0 : i8
    %kept = arith.cmpi ne, %m, %c0 : i8
    %j = arith.index_castui %i : i8 to index
    %v = tensor.extract %codebook[%j] : tensor<2xf32>
    %zero = arith.constant 0.0 : f32
    %r = arith.select %kept, %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A centroid in use that is not finite cannot be stored.
func.func @nan_centroid(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %codebook = arith.constant dense<[0.5, 0x7FC00000]> : tensor<2xf32>
  %mask = arith.constant dense<[[1, 0, 0, 1], [0, 1, 0, 0]]> : tensor<2x4xi8>
  // expected-error @+1 {{layer 'layer0' codebook entry 1 is not finite}}
  %index = arith.constant dense<[[0, 0, 0, 1], [0, 0, 0, 0]]> : tensor<2x4xi8>
  %empty = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%mask, %index : tensor<2x4xi8>, tensor<2x4xi8>) outs(%empty : tensor<2x4xf32>) {
  ^bb0(%m: i8, %i: i8, %o: f32):
    %c0 = arith.constant 0 : i8
    %kept = arith.cmpi ne, %m, %c0 : i8
    %j = arith.index_castui %i : i8 to index
    %v = tensor.extract %codebook[%j] : tensor<2xf32>
    %zero = arith.constant 0.0 : f32
    %r = arith.select %kept, %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
