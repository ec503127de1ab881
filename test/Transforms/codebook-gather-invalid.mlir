// RUN: dc-opt %s --dc-encode -verify-diagnostics

// An index outside the codebook is reported at the index tensor.
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @forward(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %codebook = arith.constant dense<[0.0, 0.25, -0.5]> : tensor<3xf32>
  // expected-error @+1 {{layer 'layer0' index 3 at position 3 is outside its codebook of 3 values}}
  %index = arith.constant dense<[[1, 0, 0, 3], [0, 1, 0, 0]]> : tensor<2x4xi8>
  %empty = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%index : tensor<2x4xi8>) outs(%empty : tensor<2x4xf32>) {
  ^bb0(%i: i8, %o: f32):
    %j = arith.index_cast %i : i8 to index
    %v = tensor.extract %codebook[%j] : tensor<3xf32>
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
