// RUN: dc-opt %s --pass-pipeline='builtin.module(llvm.func(dc-strip-arg-attributes))' | FileCheck %s

// dc's argument attributes go; LLVM's stay.
// CHECK-LABEL: llvm.func @step
// CHECK-SAME: (%{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: i64)
// CHECK-NOT: dc.param
llvm.func @step(%w: !llvm.ptr {dc.param = "fc1.weight", dc.param_kind = "weight", llvm.noalias},
                %n: i64 {dc.param = "n"}) {
  llvm.return
}
