// RUN: dc-opt %s -split-input-file -convert-linalg-to-blas=report-unmatched -cse -verify-diagnostics | FileCheck %s

// A plain matmul: both operands as stored, C row-major, beta 1 (C += A B).
// Arguments: trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc.
// CHECK: func.func private @dcrt_host_sgemm(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @plain
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : i64
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : i64
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : i64
// CHECK: call @dcrt_host_sgemm(%[[C0]], %[[C0]], %[[C4]], %[[C3]], %[[C5]], %{{.*}}, %[[C5]], %{{.*}}, %[[C3]], %{{.*}}, %[[C3]])
// CHECK-NOT: linalg.matmul
func.func @plain(%a: memref<4x5xf32>, %b: memref<5x3xf32>, %c: memref<4x3xf32>) {
  linalg.matmul ins(%a, %b : memref<4x5xf32>, memref<5x3xf32>) outs(%c : memref<4x3xf32>)
  return
}

// -----

// x W^T with W stored [out, in] (a folded transpose): B is transposed,
// ldb is W's row length.
// CHECK-LABEL: func.func @transposed_weight
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : i64
// CHECK-DAG: %[[C300:.*]] = arith.constant 300 : i64
// CHECK-DAG: %[[C784:.*]] = arith.constant 784 : i64
// CHECK: call @dcrt_host_sgemm(%[[C0]], %[[C1]], %[[C64]], %[[C300]], %[[C784]], %{{.*}}, %[[C784]], %{{.*}}, %[[C784]], %{{.*}}, %[[C300]])
#x = affine_map<(m, n, k) -> (m, k)>
#w = affine_map<(m, n, k) -> (n, k)>
#y = affine_map<(m, n, k) -> (m, n)>
func.func @transposed_weight(%x: memref<64x784xf32>, %w: memref<300x784xf32>, %y: memref<64x300xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<64x784xf32>, memref<300x784xf32>) outs(%y : memref<64x300xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A weight gradient dW[n, k] = sum_m dY[m, n] x[m, k]: the loops are
// (n, k, m) and A (the operand with the M loop, here dY's n) is read
// transposed.
// CHECK-LABEL: func.func @weight_gradient
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : i64
// CHECK-DAG: %[[C100:.*]] = arith.constant 100 : i64
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : i64
// CHECK: call @dcrt_host_sgemm(%[[C1]], %[[C0]], %[[C10]], %[[C100]], %[[C64]], %{{.*}}, %[[C10]], %{{.*}}, %[[C100]], %{{.*}}, %[[C100]])
#dy = affine_map<(n, k, m) -> (m, n)>
#xm = affine_map<(n, k, m) -> (m, k)>
#dw = affine_map<(n, k, m) -> (n, k)>
func.func @weight_gradient(%dy: memref<64x10xf32>, %x: memref<64x100xf32>, %dw: memref<10x100xf32>) {
  linalg.generic {indexing_maps = [#dy, #xm, #dw], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%dy, %x : memref<64x10xf32>, memref<64x100xf32>) outs(%dw : memref<10x100xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %b, %a : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// An output stored transposed (its M stride is 1): computed as
// C^T += B^T A^T, so M and N swap and both inputs are transposed.
// CHECK-LABEL: func.func @transposed_output
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : i64
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : i64
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : i64
// CHECK: call @dcrt_host_sgemm(%[[C1]], %[[C1]], %[[C3]], %[[C4]], %[[C5]], %{{.*}}, %[[C3]], %{{.*}}, %[[C5]], %{{.*}}, %[[C4]])
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#ct = affine_map<(m, n, k) -> (n, m)>
func.func @transposed_output(%a: memref<4x5xf32>, %b: memref<5x3xf32>, %c: memref<3x4xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #ct], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x5xf32>, memref<5x3xf32>) outs(%c : memref<3x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A strided view with a static offset: the address moves by offset * 4
// bytes and the leading dimension is the view's row stride.
// CHECK-LABEL: func.func @subview
// CHECK: %[[V:.*]] = memref.subview %arg0
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[V]]
// CHECK: %[[I:.*]] = arith.index_cast %[[P]] : index to i64
// CHECK: %[[OFF:.*]] = arith.constant 40 : i64
// CHECK: %[[A:.*]] = arith.addi %[[I]], %[[OFF]] : i64
// CHECK: call @dcrt_host_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[A]], %{{.*}}
func.func @subview(%big: memref<8x10xf32>, %b: memref<5x3xf32>, %c: memref<4x3xf32>) {
  %a = memref.subview %big[1, 0] [4, 5] [1, 1] : memref<8x10xf32> to memref<4x5xf32, strided<[10, 1], offset: 10>>
  linalg.matmul ins(%a, %b : memref<4x5xf32, strided<[10, 1], offset: 10>>, memref<5x3xf32>) outs(%c : memref<4x3xf32>)
  return
}

// -----

// No unit stride in A: left to the loops.
// CHECK-LABEL: func.func @no_unit_stride
// CHECK: linalg.matmul
// CHECK-NOT: call @dcrt_host_sgemm
func.func @no_unit_stride(%big: memref<8x10xf32>, %b: memref<5x3xf32>, %c: memref<4x3xf32>) {
  %a = memref.subview %big[0, 0] [4, 5] [2, 2] : memref<8x10xf32> to memref<4x5xf32, strided<[20, 2]>>
  // expected-remark @below {{contraction left to the loops: an input has no unit stride}}
  linalg.matmul ins(%a, %b : memref<4x5xf32, strided<[20, 2]>>, memref<5x3xf32>) outs(%c : memref<4x3xf32>)
  return
}

// -----

// f64 contractions stay loops.
// CHECK-LABEL: func.func @not_sgemm
// CHECK: linalg.matmul
// CHECK-NOT: call @dcrt_host_sgemm
func.func @not_sgemm(%a: memref<4x5xf64>, %b: memref<5x3xf64>, %c: memref<4x3xf64>) {
  // expected-remark @below {{contraction left to the loops: the body is not out + a * b in f32}}
  linalg.matmul ins(%a, %b : memref<4x5xf64>, memref<5x3xf64>) outs(%c : memref<4x3xf64>)
  return
}

// -----

// A batch loop runs around the call; each operand's address moves by its
// batch stride (A 20, B 15, C 12 elements).
// CHECK-LABEL: func.func @batched
// CHECK: scf.for %[[B:.*]] = %c0 to %c2 step %c1 {
// CHECK: %[[I:.*]] = arith.index_cast %[[B]] : index to i64
// CHECK: arith.muli %[[I]], %c80_i64
// CHECK: arith.muli %{{.*}}, %c60_i64
// CHECK: arith.muli %{{.*}}, %c48_i64
// CHECK: call @dcrt_host_sgemm(%c0_i64, %c0_i64, %c4_i64, %c3_i64, %c5_i64,
func.func @batched(%x: memref<2x4x5xf32>, %y: memref<2x5x3xf32>, %z: memref<2x4x3xf32>) {
  linalg.batch_matmul ins(%x, %y : memref<2x4x5xf32>, memref<2x5x3xf32>) outs(%z : memref<2x4x3xf32>)
  return
}

// -----

// An im2col'd NCHW convolution (dc-conv-to-im2col): patches [n, oh, ow, c,
// kh, kw], W [f, c, kh, kw], Y [n, f, oh, ow]. K = (c, kh, kw) and M =
// (oh, ow) collapse (their strides nest), n does not nest in Y and runs
// around the call; Y is (f, oh*ow) per image, so it is computed as
// Y^T = W patches^T: M = F = 4, N = OH*OW = 9, K = C*KH*KW = 18.
// CHECK-LABEL: func.func @im2col_conv
// CHECK: scf.for
// CHECK: call @dcrt_host_sgemm(%c0_i64, %c1_i64, %c4_i64, %c9_i64, %c18_i64, %{{.*}}, %c18_i64, %{{.*}}, %c18_i64, %{{.*}}, %c9_i64)
#p = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, oh, ow, c, kh, kw)>
#w4 = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#y4 = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @im2col_conv(%patches: memref<2x3x3x2x3x3xf32>, %w: memref<4x2x3x3xf32>, %y: memref<2x4x3x3xf32>) {
  linalg.generic {indexing_maps = [#p, #w4, #y4], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%patches, %w : memref<2x3x3x2x3x3xf32>, memref<4x2x3x3xf32>) outs(%y : memref<2x4x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Tensors are not touched (the pass runs after bufferization).
// CHECK-LABEL: func.func @tensors
// CHECK: linalg.matmul
func.func @tensors(%a: tensor<4x5xf32>, %b: tensor<5x3xf32>, %c: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x5xf32>, tensor<5x3xf32>) outs(%c : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
