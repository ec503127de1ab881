// RUN: dc-opt %s -split-input-file --convert-dc-to-sparse-tensor | FileCheck %s

// A CSR weight read by a matmul becomes a sparse tensor of codebook indices
// assembled from run-time arrays (positions i32, coordinates i16, indices
// i8), and the matmul a linalg.generic whose body looks the codebook up in
// a sparse_tensor.unary present region. The weight is the 2x4 matrix
// [[0.25, 0, 0, -0.5], [0, 0.25, 0, 0]] of docs/Format.md.

// CHECK: #[[CSR:.*]] = #sparse_tensor.encoding<{ map = (d0, d1) -> (d0 : dense, d1 : compressed), posWidth = 32, crdWidth = 16 }>
// CHECK-LABEL: func @matmul
// CHECK-DAG: %[[POS:.*]] = arith.constant dense_resource<w_rt_pos> : tensor<3xi32>
// CHECK-DAG: %[[CRD:.*]] = arith.constant dense_resource<w_rt_crd> : tensor<3xi16>
// CHECK-DAG: %[[IDX:.*]] = arith.constant dense_resource<w_rt_idx> : tensor<3xi8>
// CHECK: %[[W:.*]] = sparse_tensor.assemble (%[[POS]], %[[CRD]]), %[[IDX]] : (tensor<3xi32>, tensor<3xi16>), tensor<3xi8> to tensor<2x4xi8, #[[CSR]]>
// CHECK: %[[CB:.*]] = arith.constant dense<[-5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK: %[[CBM:.*]] = bufferization.to_buffer %[[CB]] read_only : tensor<2xf32> to memref<2xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[W]] : tensor<1x2xf32>, tensor<2x4xi8, #[[CSR]]>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[I:.*]]: i8, %[[ACC:.*]]: f32):
// CHECK: %[[V:.*]] = sparse_tensor.unary %[[I]] : i8 to f32
// CHECK-NEXT: present = {
// CHECK-NEXT: ^bb0(%[[E:.*]]: i8):
// CHECK-NEXT: %[[J:.*]] = arith.index_castui %[[E]] : i8 to index
// CHECK-NEXT: %[[C:.*]] = memref.load %[[CBM]][%[[J]]] : memref<2xf32>
// CHECK-NEXT: sparse_tensor.yield %[[C]] : f32
// CHECK: absent = {
// CHECK-NEXT: }
// CHECK: arith.mulf %[[X]], %[[V]] : f32
// CHECK-NOT: dc.
// CHECK-DAG: w_rt_pos: "0x04000000000000000200000003000000"
// CHECK-DAG: w_rt_crd: "0x02000000000003000100"
// CHECK-DAG: w_rt_idx: "0x01000000010001"
func.func @matmul(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64, layer = "w",
                    row_ptr = dense_resource<csr_ptr> : tensor<1xi8>,
                    gaps = dense_resource<csr_gaps> : tensor<1xi8>,
                    weights = dense_resource<csr_idx> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %d : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      csr_ptr: "0x010000000E",
      csr_gaps: "0x0100000018",
      csr_idx: "0x0100000005"
    }
  }
#-}

// -----

// torch-mlir's nn.Linear: the transpose is absorbed into the weight's
// indexing map (the kernel reads W[n, k]) and disappears. CSC weights use a
// column-major sparse encoding.
// CHECK-DAG: #[[XMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[WMAP:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[CSC:.*]] = #sparse_tensor.encoding<{ map = (d0, d1) -> (d1 : dense, d0 : compressed), posWidth = 32, crdWidth = 16 }>
// CHECK-LABEL: func @linear
// CHECK-NOT: linalg.transpose
// CHECK: sparse_tensor.assemble {{.*}} to tensor<2x4xi8, #[[CSC]]>
// CHECK: linalg.generic {indexing_maps = [#[[XMAP]], #[[WMAP]], {{.*}}]
// CHECK-NOT: linalg.transpose
func.func @linear(%x: tensor<1x4xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<csc_ptr> : tensor<1xi8>,
                    gaps = dense_resource<csc_gaps> : tensor<1xi8>,
                    weights = dense_resource<csc_idx> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csc, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csc, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  %0 = tensor.empty() : tensor<4x2xf32>
  %t = linalg.transpose ins(%d : tensor<2x4xf32>) outs(%0 : tensor<4x2xf32>) permutation = [1, 0]
  %y = linalg.matmul ins(%x, %t : tensor<1x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      csc_ptr: "0x01000000E9",
      csc_gaps: "0x0100000004",
      csc_idx: "0x0100000003"
    }
  }
#-}

// -----

// A dense-layout weight, or one read by something other than a contraction
// (here also returned), is decoded once into a dense constant.
// CHECK-LABEL: func @fallback
// CHECK: %[[D:.*]] = arith.constant dense_resource<layer_dense> : tensor<2x2xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %[[D]] :
// CHECK: return {{.*}}, %[[D]]
// CHECK: layer_dense: "0x040000000000803F00000000000080BF0000803F"
func.func @fallback(%x: tensor<1x2xf32>, %acc: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<2x2xf32>) {
  %w = dc.constant {codebook = array<f32: 0.0, 1.0, -1.0>, num_weights = 4 : i64,
                    weights = dense_resource<d_idx> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %d : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y, %d : tensor<1x2xf32>, tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      d_idx: "0x0100000061"
    }
  }
#-}

// -----

// A hand-set #dc.runtime is what the weight becomes: the CSR weight of
// @matmul as the grid (its pruned positions index 2, a 0.0 entry), not the
// sparsifier's sparse tensor.
// CHECK-LABEL: func @hand_set_grid
// CHECK: %[[G:.*]] = arith.constant dense_resource<w_rt_idx> : tensor<8xi8>
// CHECK: %[[W:.*]] = tensor.expand_shape %[[G]] {{\[\[}}0, 1]] output_shape [2, 4] : tensor<8xi8> into tensor<2x4xi8>
// CHECK: arith.constant dense<[-5.000000e-01, 2.500000e-01, 0.000000e+00]> : tensor<3xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[W]] : tensor<1x2xf32>, tensor<2x4xi8>)
// CHECK-NOT: sparse_tensor
// CHECK: w_rt_idx: "0x010000000102020002010202"
func.func @hand_set_grid(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64, layer = "w",
                    row_ptr = dense_resource<csr_ptr> : tensor<1xi8>,
                    gaps = dense_resource<csr_gaps> : tensor<1xi8>,
                    weights = dense_resource<csr_idx> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w {dc.runtime = #dc.runtime<form = grid, kernel = dense_loops, indexBytes = 1, prunedEntry = true>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %d : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      csr_ptr: "0x010000000E",
      csr_gaps: "0x0100000018",
      csr_idx: "0x0100000005"
    }
  }
#-}
