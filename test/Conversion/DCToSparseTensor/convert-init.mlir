// RUN: dc-opt %s --convert-dc-to-sparse-tensor="decode-at=init" | FileCheck %s
// RUN: not dc-opt %s --convert-dc-to-sparse-tensor="decode-at=later" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: for the --decode-at option: Cannot find option named 'later'!

// decode-at=init: the kernels read named workspace slots (dc.slot), which
// the generated @dc_init fills by calling the run-time decoder on the stored
// streams; a dense-layout weight is decoded into its codebook indices (one
// i8 a weight, the dense-quantized form), which the matmul looks up.

// CHECK-LABEL: func.func private @dcrt_decode_indices(i64, i64, i64, i64, i64, i64, i64, i64, i64, memref<?xi8>, memref<?xi8>, memref<?xi8>, memref<?xi8>, memref<?xi8>, i64, i64, memref<?xi8>) -> i32 attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func private @dcrt_decode_csr(i64, i64, i64, i64, i64, i64, i64, i64, i64, memref<?xi8>, memref<?xi8>, memref<?xi8>, memref<?xi8>, memref<?xi8>, i64, i64, memref<?xi8>, memref<?xi8>, memref<?xi8>) -> i32 attributes {llvm.emit_c_interface}
// CHECK-LABEL: func @forward
// CHECK: %[[P:.*]] = memref.alloc() {alignment = 64 : i64, dc.slot = "w_rt_pos"} : memref<12xi8>
// CHECK: %[[PV:.*]] = memref.view %[[P]][%{{.*}}][] : memref<12xi8> to memref<3xi32>
// CHECK: %[[PT:.*]] = bufferization.to_tensor %[[PV]] restrict : memref<3xi32> to tensor<3xi32>
// CHECK: memref.alloc() {alignment = 64 : i64, dc.slot = "w_rt_crd"} : memref<6xi8>
// CHECK: memref.alloc() {alignment = 64 : i64, dc.slot = "w_rt_idx"} : memref<3xi8>
// CHECK: sparse_tensor.assemble (%[[PT]], %{{.*}}), %{{.*}} : (tensor<3xi32>, tensor<3xi16>), tensor<3xi8> to tensor<2x4xi8, #{{.*}}>
// CHECK: %[[D:.*]] = memref.alloc() {alignment = 64 : i64, dc.slot = "d_rt_idx"} : memref<4xi8>
// CHECK: memref.view %[[D]][%{{.*}}][] : memref<4xi8> to memref<2x2xi8>
// CHECK: linalg.generic
// CHECK: arith.index_castui
// CHECK: memref.load
// CHECK-NOT: 2x2xf32>
// CHECK-NOT: dc.constant
// CHECK-LABEL: func.func @dc_init() -> i32
// CHECK: %[[W:.*]] = arith.constant dense_resource<csr_idx> : tensor<1xi8>
// The first failing layer's code is the result.
// CHECK: %[[R1:.*]] = call @dcrt_decode_csr(
// CHECK: %[[C1:.*]] = arith.cmpi eq, %[[S0:.*]], %{{.*}} : i32
// CHECK: %[[S1:.*]] = arith.select %[[C1]], %[[R1]], %[[S0]] : i32
// CHECK: %[[R2:.*]] = call @dcrt_decode_indices(
// CHECK: %[[C2:.*]] = arith.cmpi eq, %[[S1]], %{{.*}} : i32
// CHECK: %[[S2:.*]] = arith.select %[[C2]], %[[R2]], %[[S1]] : i32
// CHECK: return %[[S2]] : i32
func.func @forward(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>, %acc2: tensor<1x2xf32>) -> (tensor<1x4xf32>, tensor<1x2xf32>) {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64, layer = "w",
                    row_ptr = dense_resource<csr_ptr> : tensor<1xi8>,
                    gaps = dense_resource<csr_gaps> : tensor<1xi8>,
                    weights = dense_resource<csr_idx> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %d : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  %v = dc.constant {codebook = array<f32: 0.0, 1.0, -1.0>, num_weights = 4 : i64, layer = "d",
                    weights = dense_resource<d_idx> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  %e = dc.decompress %v : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x2xf32>
  %z = linalg.matmul ins(%x, %e : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc2 : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y, %z : tensor<1x4xf32>, tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      csr_ptr: "0x010000000E",
      csr_gaps: "0x0100000018",
      csr_idx: "0x0100000005",
      d_idx: "0x0100000061"
    }
  }
#-}
