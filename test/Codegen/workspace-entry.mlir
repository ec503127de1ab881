// RUN: dc-opt %s --dc-workspace=entry=predict | FileCheck %s

// The `entry` option names the function to plan; others are left alone.
// CHECK-LABEL: func @predict
// CHECK-SAME: %[[WS:.*]]: memref<64xi8>) attributes {dc.workspace_bytes = 64 : i64, llvm.emit_c_interface}
// CHECK: memref.view %[[WS]]
// CHECK-LABEL: func @forward
// CHECK: memref.alloc() : memref<4xf32>
// The workspace size, C-callable after lowering.
// CHECK-LABEL: func.func @dc_workspace_size() -> i64 attributes {llvm.emit_c_interface}
// CHECK: %[[N:.*]] = arith.constant 64 : i64
// CHECK: return %[[N]] : i64
func.func @predict() {
  %a = memref.alloc() : memref<4xf32>
  return
}
func.func @forward() {
  %a = memref.alloc() : memref<4xf32>
  return
}
