// A dense_resource blob whose alignment (its first 4 bytes) is 0: MLIR 22's
// blob parser aborts on it, dc's tools refuse it first (found by
// dc-fuzz-dialect-parser).
func.func @f() -> tensor<2xf32> {
  %c = arith.constant dense_resource<ok> : tensor<2xf32>
  %d = arith.constant dense_resource<bad> : tensor<2xf32>
  return %d : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      ok: "0x040000000000803F00000040",
      bad: "0x000000000000803F00000040"
    }
  }
#-}
