// RUN: mlir-opt %s --load-dialect-plugin=%dc_libs/libDCPlugin%shlibext --load-pass-plugin=%dc_libs/libDCPlugin%shlibext --pass-pipeline="builtin.module(dc-materialize)" | FileCheck %s
// RUN: mlir-opt %s --load-dialect-plugin=%dc_libs/libDCPlugin%shlibext | FileCheck %s --check-prefix=PARSE
// RUN: not mlir-opt %s --load-dialect-plugin=%dc_libs/libDCPlugin%shlibext --load-pass-plugin=%dc_libs/libDCPlugin%shlibext --dc-materialize 2>&1 | FileCheck %s --check-prefix=FLAG

// Stock mlir-opt loads dc as a plugin: the dialect parses and the passes run
// through --pass-pipeline (plugin passes are not mlir-opt flags).

// CHECK-LABEL: func @dense
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00], [-1.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
// PARSE-LABEL: func @dense
// PARSE: dc.decompress
// FLAG: Unknown command line argument '--dc-materialize'
func.func @dense() -> tensor<2x2xf32> {
  %w = dc.constant {codebook = array<f32: 0.0, 1.0, -1.0>, num_weights = 4 : i64,
                    weights = dense_resource<d_idx> : tensor<1xi8>}
      : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>>
  %d = dc.decompress %w : !dc.tensor<2x2xf32, #dc.encoding<dense, weightBits = 2>> -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      d_idx: "0x0100000061"
    }
  }
#-}
