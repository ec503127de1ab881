// RUN: dc-opt %s --dc-quantize="fc-bits=2" | FileCheck %s
// RUN: dc-opt %s --dc-quantize="fc-bits=2 layer=linalg.matvec:bits=1" | FileCheck %s --check-prefix=ONEBIT
// RUN: dc-opt %s --dc-quantize="fc-bits=1 init=density" | FileCheck %s --check-prefix=ONEBIT
// RUN: dc-opt %s --dc-quantize="fc-bits=8 init=random seed=3" | FileCheck %s --check-prefix=IDENTITY
// RUN: dc-opt %s --dc-quantize="fc-bits=2 max-iterations=0" | FileCheck %s --check-prefix=NOITER

// dc-quantize replaces every non-zero weight by its k-means centroid; zeros
// (pruned weights) stay zero. Weights [1.2, 1.4, -2, -2, 0, 0, 4, 4]:
// with 2 bits (linear init -2, 0, 2, 4) 1.2 and 1.4 share 1.3
// (0x3FA66666); with 1 bit, 1.2, 1.4, 4, 4 share 2.65 (0x4029999A); with 8
// bits every distinct value keeps its own centroid.

// CHECK-LABEL: func @matvec
// CHECK: %[[W:.*]] = arith.constant {dc.layer = "layer0"} dense_resource<layer0_shared> : tensor<2x4xf32>
// CHECK: linalg.matvec ins(%[[W]], %{{.*}} :
// CHECK: layer0_shared: "0x040000006666A63F6666A63F000000C0000000C000000000000000000000804000008040"
// ONEBIT: layer0_shared: "0x040000009A9929409A992940000000C0000000C000000000000000009A9929409A992940"
// With no Lloyd iteration the weights take the initial centroids: 1.2 and
// 1.4 become 2.0.
// NOITER: layer0_shared: "0x040000000000004000000040000000C0000000C000000000000000000000804000008040"
// IDENTITY: layer0_shared: "0x040000009A99993F3333B33F000000C0000000C000000000000000000000804000008040"
func.func @matvec(%x: tensor<4xf32>, %acc: tensor<2xf32>) -> tensor<2xf32> {
  %w = arith.constant dense<[[1.2, 1.4, -2.0, -2.0], [0.0, 0.0, 4.0, 4.0]]> : tensor<2x4xf32>
  %y = linalg.matvec ins(%w, %x : tensor<2x4xf32>, tensor<4xf32>) outs(%acc : tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
