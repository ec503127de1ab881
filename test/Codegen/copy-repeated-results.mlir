// RUN: dc-opt %s --pass-pipeline='builtin.module(func.func(dc-copy-repeated-results))' -split-input-file | FileCheck %s

// The second and third return of %a get buffers of their own, each filled
// by a linalg.copy; the first, and %b, stay as they are.
// CHECK-LABEL: func.func @twice
// CHECK-SAME: (%[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>)
// CHECK: %[[C1:.*]] = memref.alloc() : memref<4xf32>
// CHECK: linalg.copy ins(%[[A]] : memref<4xf32>) outs(%[[C1]] : memref<4xf32>)
// CHECK: %[[C2:.*]] = memref.alloc() : memref<4xf32>
// CHECK: linalg.copy ins(%[[A]] : memref<4xf32>) outs(%[[C2]] : memref<4xf32>)
// CHECK: return %[[A]], %[[C1]], %[[B]], %[[C2]]
func.func @twice(%a: memref<4xf32>, %b: memref<4xf32>)
    -> (memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>) {
  return %a, %a, %b, %a : memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>
}

// -----

// A dynamic buffer's copy has its sizes.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[D:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<?xf32>
// CHECK: memref.alloc(%[[D]]) : memref<?xf32>
// CHECK: linalg.copy
func.func @dynamic(%a: memref<?xf32>) -> (memref<?xf32>, memref<?xf32>) {
  return %a, %a : memref<?xf32>, memref<?xf32>
}

// -----

// Nothing repeated: nothing changes.
// CHECK-LABEL: func.func @once
// CHECK-NOT: memref.alloc
// CHECK: return
func.func @once(%a: memref<4xf32>, %b: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
  return %a, %b : memref<4xf32>, memref<4xf32>
}
