// RUN: dc-opt %s -emit-bytecode -o %t.mlirbc
// RUN: dc-opt %t.mlirbc | FileCheck %s
// RUN: dc-opt %t.mlirbc -emit-bytecode | cmp - %t.mlirbc

// dc.constant and its blobs survive MLIR bytecode, and writing bytecode is
// deterministic.

// CHECK-LABEL: func @csr
// CHECK: dc.constant {codebook = array<f32: -5.000000e-01, 2.500000e-01>, gaps = dense_resource<csr_gaps> : tensor<1xi8>, num_gaps = 3 : i64, num_weights = 3 : i64, row_ptr = dense_resource<csr_ptr> : tensor<1xi8>, weights = dense_resource<csr_idx> : tensor<1xi8>} : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
// CHECK-DAG: csr_gaps: "0x0100000018"
// CHECK-DAG: csr_idx: "0x0100000005"
// CHECK-DAG: csr_ptr: "0x010000000E"
func.func @csr() -> tensor<2x4xf32> {
  %w = dc.constant {codebook = array<f32: -0.5, 0.25>, num_weights = 3 : i64,
                    num_gaps = 3 : i64,
                    row_ptr = dense_resource<csr_ptr> : tensor<1xi8>,
                    gaps = dense_resource<csr_gaps> : tensor<1xi8>,
                    weights = dense_resource<csr_idx> : tensor<1xi8>}
      : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
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
