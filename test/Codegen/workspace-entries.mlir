// RUN: dc-opt %s --dc-workspace=entry=train_step,forward | FileCheck %s

// Several entries (a step library's train_step and forward) share one
// workspace: each gets it as its last argument, sized for the larger, and
// their scratch starts at the same offset (they never run at once). Within
// a function, buffers live at once get their own memory (the larger first).
// CHECK-LABEL: func @train_step
// CHECK-SAME: %[[WS:.*]]: memref<192xi8>) attributes {dc.workspace_bytes = 192 : i64, llvm.emit_c_interface}
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: memref.view %[[WS]][%[[C128]]][] : memref<192xi8> to memref<16xf32>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[WS]][%[[C0]]][] : memref<192xi8> to memref<32xf32>
// CHECK-NOT: memref.alloc
// CHECK-LABEL: func @forward
// CHECK-SAME: %[[WS2:.*]]: memref<192xi8>) attributes {dc.workspace_bytes = 192 : i64, llvm.emit_c_interface}
// CHECK: %[[Z:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[WS2]][%[[Z]]][] : memref<192xi8> to memref<4xf32>
// CHECK-NOT: memref.alloc
// CHECK-LABEL: func @other
// CHECK: memref.alloc() : memref<4xf32>
func.func @train_step() {
  %a = memref.alloc() : memref<16xf32>
  %b = memref.alloc() : memref<32xf32>
  %i = arith.constant 0 : index
  %f = memref.load %a[%i] : memref<16xf32>
  memref.store %f, %b[%i] : memref<32xf32>
  %g = memref.load %a[%i] : memref<16xf32>
  memref.dealloc %a : memref<16xf32>
  return
}
func.func @forward() {
  %a = memref.alloc() : memref<4xf32>
  %i = arith.constant 0 : index
  %f = memref.load %a[%i] : memref<4xf32>
  return
}
func.func @other() {
  %a = memref.alloc() : memref<4xf32>
  return
}
