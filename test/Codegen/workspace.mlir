// RUN: dc-opt %s -split-input-file --dc-workspace -verify-diagnostics | FileCheck %s

// The static allocations of @forward become views into one workspace
// argument at 64-byte aligned offsets; deallocs go; callers provide it.
// Buffers whose live ranges (first to last use, views included) do not
// overlap share memory: %b is used only after %a's last use, so it takes
// %a's offset; %c is live while both are, so it gets its own.

// CHECK-LABEL: func @forward
// CHECK-SAME: (%[[X:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>, %[[WS:.*]]: memref<192xi8>)
// CHECK-SAME: attributes {dc.workspace_bytes = 192 : i64, llvm.emit_c_interface}
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[WS]][%[[C0]]][] : memref<192xi8> to memref<4xf32>
// CHECK: %[[C0B:.*]] = arith.constant 0 : index
// CHECK: %[[B:.*]] = memref.view %[[WS]][%[[C0B]]][] : memref<192xi8> to memref<100xi8>
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[C:.*]] = memref.view %[[WS]][%[[C128]]][] : memref<192xi8> to memref<4xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK: return
// CHECK-LABEL: func @main
// CHECK: %[[W:.*]] = memref.alloc() {alignment = 64 : i64} : memref<192xi8>
// CHECK: call @forward(%{{.*}}, %{{.*}}, %[[W]])
// CHECK: memref.dealloc %[[W]]
func.func @forward(%x: memref<4xf32>, %out: memref<4xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  %b = memref.alloc() : memref<100xi8>
  %c = memref.alloc() : memref<4xf32>
  %i = arith.constant 0 : index
  %v = arith.constant 7 : i8
  memref.copy %x, %a : memref<4xf32> to memref<4xf32>
  memref.copy %a, %c : memref<4xf32> to memref<4xf32>
  memref.store %v, %b[%i] : memref<100xi8>
  %l = memref.load %b[%i] : memref<100xi8>
  memref.copy %c, %out : memref<4xf32> to memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  memref.dealloc %b : memref<100xi8>
  memref.dealloc %c : memref<4xf32>
  return
}
func.func @main(%x: memref<4xf32>, %out: memref<4xf32>) {
  call @forward(%x, %out) : (memref<4xf32>, memref<4xf32>) -> ()
  return
}

// -----

// Nothing to place: an empty workspace, still passed.
// CHECK-LABEL: func @forward
// CHECK-SAME: memref<0xi8>
// CHECK-SAME: dc.workspace_bytes = 0
func.func @forward(%x: memref<4xf32>) {
  return
}

// -----

func.func @forward(%n: index) {
  // expected-error @+1 {{cannot be placed in the workspace}}
  %a = memref.alloc(%n) : memref<?xf32>
  return
}

// -----

func.func @forward(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @+1 {{cannot be placed in the workspace}}
    %a = memref.alloc() : memref<4xf32>
  }
  return
}

// -----

// expected-error @+1 {{dc-workspace: no function @forward with a body}}
module {
  func.func private @forward(memref<4xf32>)
}

// -----

// Named slots (filled by @dc_init, read by @forward) share one offset in
// both functions; scratch follows the slots. A caller gets one workspace,
// initialised by a checked @dc_init.
// CHECK-LABEL: func @forward
// CHECK-SAME: %[[WS:.*]]: memref<192xi8>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[WS]][%[[C0]]][] : memref<192xi8> to memref<100xi8>
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: memref.view %[[WS]][%[[C128]]][] : memref<192xi8> to memref<8xf32>
// CHECK-LABEL: func @dc_init
// CHECK-SAME: %[[IWS:.*]]: memref<192xi8>
// CHECK: %[[Z:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[IWS]][%[[Z]]][] : memref<192xi8> to memref<100xi8>
// CHECK-LABEL: func @main
// CHECK: %[[W:.*]] = memref.alloc() {alignment = 64 : i64} : memref<192xi8>
// CHECK: %[[RC:.*]] = call @dc_init(%[[W]]) : (memref<192xi8>) -> i32
// CHECK: cf.assert %{{.*}}, "dc_init: a payload does not decode"
// CHECK: call @forward(%[[W]])
// CHECK: memref.dealloc %[[W]]
// CHECK-NEXT: return
func.func @forward() {
  %s = memref.alloc() {dc.slot = "layer_rt_idx"} : memref<100xi8>
  %t = memref.alloc() : memref<8xf32>
  return
}
func.func @dc_init() -> i32 {
  %s = memref.alloc() {dc.slot = "layer_rt_idx"} : memref<100xi8>
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}
func.func @main() {
  call @forward() : () -> ()
  return
}

// -----

func.func @forward() {
  %s = memref.alloc() {dc.slot = "x"} : memref<100xi8>
  return
}
func.func @dc_init() -> i32 {
  // expected-error @+1 {{slot 'x' has 100 bytes elsewhere}}
  %s = memref.alloc() {dc.slot = "x"} : memref<99xi8>
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}
