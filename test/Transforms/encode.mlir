// RUN: dc-opt %s -split-input-file --dc-encode="index-bits=2 layout=csr entropy=none" | FileCheck %s
// RUN: dc-opt %s -split-input-file --dc-encode="index-bits=2 layout=csc entropy=none" | FileCheck %s --check-prefix=CSC
// RUN: dc-opt %s -split-input-file --dc-encode="index-bits=2 layout=dense entropy=none" | FileCheck %s --check-prefix=DENSE
// RUN: dc-opt %s -split-input-file --dc-encode="index-bits=2 layout=csr entropy=none" --dc-materialize | FileCheck %s --check-prefix=BACK
// RUN: dc-opt %s -split-input-file --dc-encode="index-bits=2 layout=csr entropy=none report=-" -o /dev/null | FileCheck %s --check-prefix=REPORT

// dc-encode stores quantized weights (at most 256 distinct non-zero values;
// zeros are pruned positions) as dc.constant + dc.decompress. The 2x4 weight
// [[0.25, 0, 0, -0.5], [0, 0.25, 0, 0]] gives exactly the payload worked out
// by hand in docs/Format.md and test/Dialect/DC/roundtrip.mlir.

// CHECK-LABEL: func @matmul
// CHECK: %[[W:.*]] = dc.constant {codebook = array<f32: -5.000000e-01, 2.500000e-01>, gaps = dense_resource<layer0_gaps> : tensor<1xi8>, layer = "layer0", num_gaps = 3 : i64, num_weights = 3 : i64, row_ptr = dense_resource<layer0_ptr> : tensor<1xi8>, weights = dense_resource<layer0_idx> : tensor<1xi8>} : !dc.tensor<2x4xf32, #dc.encoding<csr, weightBits = 1, indexBits = 2>>
// CHECK: %[[D:.*]] = dc.decompress %[[W]] : {{.*}} -> tensor<2x4xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %[[D]] :
// CHECK-DAG: layer0_ptr: "0x010000000E"
// CHECK-DAG: layer0_gaps: "0x0100000018"
// CHECK-DAG: layer0_idx: "0x0100000005"

// The same matrix column by column (see test/Transforms/materialize.mlir).
// CSC: !dc.tensor<2x4xf32, #dc.encoding<csc, weightBits = 1, indexBits = 2>>
// CSC-DAG: layer0_ptr: "0x01000000E9"
// CSC-DAG: layer0_gaps: "0x0100000004"
// CSC-DAG: layer0_idx: "0x0100000003"

// Dense: 0.0 joins the codebook; 2-bit indices 2,1,1,0 / 1,2,1,1.
// DENSE: dc.constant {codebook = array<f32: -5.000000e-01, 0.000000e+00, 2.500000e-01>, layer = "layer0", num_weights = 8 : i64, weights = dense_resource<layer0_idx> : tensor<2xi8>} : !dc.tensor<2x4xf32, #dc.encoding<dense, weightBits = 2>>
// DENSE: layer0_idx: "0x010000001659"

// BACK-LABEL: func @matmul
// BACK: arith.constant dense<{{\[}}[2.500000e-01, 0.000000e+00, 0.000000e+00, -5.000000e-01], [0.000000e+00, 2.500000e-01, 0.000000e+00, 0.000000e+00]]> : tensor<2x4xf32>

// REPORT: Layer   Shape  Kind       Weights  Kept%  Layout  WBits  WBits(H)  IBits  IBits(H)     Bytes   Bytes P+Q  Bytes P+Q+H   Ratio P+Q  Ratio P+Q+H
// REPORT-NEXT: layer0  2x4    fc                8   37.5  csr         1      1.00      2      2.00        32          47           47        0.7x         0.7x
// REPORT-NEXT: Total                            8   37.5                                                  32          47           47        0.7x         0.7x
func.func @matmul(%x: tensor<1x2xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %w = arith.constant dense<[[0.25, 0.0, 0.0, -0.5], [0.0, 0.25, 0.0, 0.0]]> : tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
