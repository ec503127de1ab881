// RUN: dc-opt %s --dc-inline-scalar-resources -split-input-file | FileCheck %s

// A rank-0 dense_resource becomes an inline dense<> of the same value.
// CHECK-LABEL: func.func @scalar
// CHECK: arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NOT: dense_resource
func.func @scalar() -> tensor<f32> {
  %c = arith.constant dense_resource<one> : tensor<f32>
  return %c : tensor<f32>
}
{-#
  dialect_resources: {
    builtin: {
      one: "0x040000000000803F"
    }
  }
#-}

// -----

// Other ranks keep their resource.
// CHECK-LABEL: func.func @vector
// CHECK: arith.constant dense_resource<two> : tensor<1xf32>
func.func @vector() -> tensor<1xf32> {
  %c = arith.constant dense_resource<two> : tensor<1xf32>
  return %c : tensor<1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      two: "0x0400000000000040"
    }
  }
#-}
