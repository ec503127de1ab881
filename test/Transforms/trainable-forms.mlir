// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=0.5 form=trainable" | FileCheck %s --check-prefix=PRUNE
// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=0.5 form=trainable" --dc-prune="sparsity=0.75 form=trainable" | FileCheck %s --check-prefix=ITER
// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=0.5 form=trainable" --dc-prune="sparsity=0.75 form=trainable" --dc-quantize="fc-bits=1 form=trainable" | FileCheck %s --check-prefix=QUANT
// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=0.5 form=trainable" --dc-prune="sparsity=0.75 form=trainable" --dc-quantize="fc-bits=1 form=trainable" --dc-encode --dc-materialize | FileCheck %s --check-prefix=QVALUES
// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=0.5 form=trainable" --dc-encode --dc-materialize | FileCheck %s --check-prefix=PVALUES
// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=0.5 form=trainable" --dc-prune="sparsity=0.5" | FileCheck %s --check-prefix=TODENSE
// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=0.5 form=trainable" --dc-quantize="fc-bits=1 form=trainable" --dc-quantize --dc-prune="sparsity=0.9" | FileCheck %s --check-prefix=LEFT
// RUN: dc-opt %s -split-input-file --dc-prune="sparsity=0.5 form=trainable" --dc-quantize="fc-bits=1 form=trainable" --dc-report | FileCheck %s --check-prefix=REPORT

// The trainable forms (docs/Training.md). dc-prune{form=trainable} turns a
// weight into select(mask != 0, w, 0) over an i8 mask and the weight
// (pruned entries zeroed), one linalg.generic; the consumer is unchanged.
// PRUNE-LABEL: func.func @forward
// PRUNE: %[[M:.*]] = arith.constant {dc.layer = "fc"} dense_resource<fc_mask> : tensor<3x4xi8>
// PRUNE: %[[W:.*]] = arith.constant {dc.layer = "fc"} dense_resource<fc_weight> : tensor<3x4xf32>
// PRUNE: %[[F:.*]] = linalg.generic {{.*}} ins(%[[M]], %[[W]] : tensor<3x4xi8>, tensor<3x4xf32>)
// PRUNE: ^bb0(%[[IM:.*]]: i8, %[[IW:.*]]: f32, %{{.*}}: f32):
// PRUNE: %[[Z8:.*]] = arith.constant 0 : i8
// PRUNE: %[[NZ:.*]] = arith.cmpi ne, %[[IM]], %[[Z8]] : i8
// PRUNE: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// PRUNE: %[[S:.*]] = arith.select %[[NZ]], %[[IW]], %[[Z]] : f32
// PRUNE: linalg.yield %[[S]] : f32
// PRUNE: linalg.transpose ins(%[[F]] :
// The 6 largest magnitudes kept: 1.0, -1.0, 0.875, -0.8125, 0.75, 0.5.
// PRUNE: fc_mask: "0x04000000010000010101000000000101"
// PRUNE: fc_weight: "0x040000000000003F00000000000000000000803F000080BF0000403F000000000000000000000000000000000000603F000050BF"

// Pruning a pruned form prunes among its kept weights (75% of the layer).
// ITER: fc_mask{{.*}}: "0x04000000000000010100000000000100"

// dc-quantize{form=trainable}: k-means over the 3 kept weights only, the
// codebook exactly the 2 centroids (no 0.0 entry), the mask unchanged.
// QUANT: %[[M:.*]] = arith.constant {dc.layer = "fc"} dense_resource<fc_mask{{.*}}> : tensor<3x4xi8>
// QUANT: %[[I:.*]] = arith.constant {dc.layer = "fc"} dense_resource<fc_index> : tensor<3x4xi8>
// QUANT: %[[C:.*]] = arith.constant {dc.layer = "fc"} dense_resource<fc_codebook> : tensor<2xf32>
// QUANT: linalg.generic {{.*}} ins(%[[M]], %[[I]] : tensor<3x4xi8>, tensor<3x4xi8>)
// QUANT: ^bb0(%[[IM:.*]]: i8, %[[II:.*]]: i8, %{{.*}}: f32):
// QUANT: %[[NZ:.*]] = arith.cmpi ne, %[[IM]], %{{.*}} : i8
// QUANT: %[[AT:.*]] = arith.index_castui %[[II]] : i8 to index
// QUANT: %[[V:.*]] = tensor.extract %[[C]][%[[AT]]] : tensor<2xf32>
// QUANT: arith.select %[[NZ]], %[[V]], %{{.*}} : f32
// QUANT: fc_mask{{.*}}: "0x04000000000000010100000000000100"
// QUANT: fc_index: "0x04000000000000010000000000000100"
// QUANT: fc_codebook: "0x04000000000080BF0000703F"

// dc-encode stores both forms exactly: -1 and 0.9375 (= (1 + 0.875) / 2) at
// the kept positions; the pruned form's kept values unchanged.
// QVALUES: arith.constant dense<{{\[}}[0.000000e+00, 0.000000e+00, 0.000000e+00, 9.375000e-01], [-1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 9.375000e-01, 0.000000e+00]]> : tensor<3x4xf32>
// QVALUES-NOT: linalg.generic
// PVALUES: arith.constant dense<{{\[}}[5.000000e-01, 0.000000e+00, 0.000000e+00, 1.000000e+00], [-1.000000e+00, 7.500000e-01, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 8.750000e-01, -8.125000e-01]]> : tensor<3x4xf32>

// form=dense (the default) writes an ordinary constant, also from a form.
// TODENSE: arith.constant {dc.layer = "fc"} dense_resource<fc_pruned> : tensor<3x4xf32>
// TODENSE-NOT: linalg.generic
// TODENSE: fc_pruned: "0x040000000000003F00000000000000000000803F000080BF0000403F000000000000000000000000000000000000603F000050BF"

// A quantized form (centroids -0.90625 and 0.78125) is left alone by
// dc-quantize and dc-prune.
// LEFT: tensor.extract
// LEFT: fc_codebook: "0x04000000000068BF0000483F"

// dc-report lists forms not stored yet with what dc-encode would store.
// REPORT: Layer  Shape
// REPORT-NEXT: fc*   3x4    fc              12   50.0  csr         1
// REPORT: * not stored yet (a trainable form or codebook gather)
func.func @forward(%x: tensor<1x4xf32>, %acc: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<[[0.5, -0.25, 0.125, 1.0], [-1.0, 0.75, 0.0625, -0.5], [0.375, -0.1875, 0.875, -0.8125]]> : tensor<3x4xf32>
  %e = tensor.empty() : tensor<4x3xf32>
  %wt = linalg.transpose ins(%w : tensor<3x4xf32>) outs(%e : tensor<4x3xf32>) permutation = [1, 0]
  %y = linalg.matmul ins(%x, %wt : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32> loc("fc")
  return %y : tensor<1x3xf32>
}
