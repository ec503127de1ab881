// RUN: dc-opt %s --dc-compress="index-bits=2 layout=csr entropy=none" | FileCheck %s
// RUN: dc-opt %s --dc-encode="index-bits=2 layout=csr entropy=none" | FileCheck %s
// RUN: dc-opt %s --dc-prune="sparsity=0.9" --dc-quantize | FileCheck %s --check-prefix=UNTOUCHED
// RUN: dc-opt %s --dc-compress --dc-materialize | FileCheck %s --check-prefix=VALUES

// An externally trained codebook and index tensor (weight = codebook[index],
// here as a linalg.generic with tensor.extract) is encoded with that
// codebook as it is: dc-compress neither prunes nor re-clusters it; entries
// whose codebook value is 0.0 are the pruned positions. dc-prune and
// dc-quantize leave it alone.

// CHECK-LABEL: func @forward
// CHECK: %[[W:.*]] = dc.constant {codebook = array<f32: -5.000000e-01, 2.500000e-01>, gaps = dense_resource<fc_gaps> : tensor<1xi8>, layer = "fc", num_gaps = 3 : i64, num_weights = 3 : i64, row_ptr = dense_resource<fc_ptr> : tensor<1xi8>, weights = dense_resource<fc_idx> : tensor<1xi8>} : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
// CHECK: %[[D:.*]] = dc.decompress %[[W]]
// CHECK: linalg.matmul ins(%{{.*}}, %[[D]] :
// CHECK-NOT: linalg.generic
// CHECK-NOT: tensor.extract
// UNTOUCHED: linalg.generic
// UNTOUCHED: tensor.extract
// VALUES: arith.constant dense<{{\[}}[2.500000e-01, 0.000000e+00, 0.000000e+00, -5.000000e-01], [0.000000e+00, 2.500000e-01, 0.000000e+00, 0.000000e+00]]> : tensor<2x4xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @forward(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %codebook = arith.constant dense<[0.0, 0.25, -0.5]> : tensor<3xf32>
  %index = arith.constant dense<[[1, 0, 0, 2], [0, 1, 0, 0]]> : tensor<2x4xi8>
  %empty = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%index : tensor<2x4xi8>) outs(%empty : tensor<2x4xf32>) {
  ^bb0(%i: i8, %o: f32):
    %j = arith.index_cast %i : i8 to index
    %v = tensor.extract %codebook[%j] : tensor<3xf32>
    linalg.yield %v : f32
  } -> tensor<2x4xf32> loc("fc")
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
