// RUN: dc-opt %s --pass-pipeline='builtin.module(func.func(dc-math-approximation))' | FileCheck %s

// exp, tanh and powf become polynomials in arith: nothing is left for libm,
// and no math.fma (a call of fmaf without FMA instructions).
// CHECK-LABEL: func.func @functions
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.powf
// CHECK-NOT: math.log
// CHECK-NOT: math.fma
// CHECK: return
func.func @functions(%x: f32, %y: f32) -> (f32, f32, f32) {
  %e = math.exp %x : f32
  %t = math.tanh %x : f32
  %p = math.powf %x, %y : f32
  return %e, %t, %p : f32, f32, f32
}
