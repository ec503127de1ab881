// A linalg.transpose whose permutation list is malformed (parser-hazards.test):
// MLIR 22's custom parser prints "expected ']'" and then dies with SIGSEGV.
func.func @forward(%a: tensor<16x64xf32>, %o: tensor<64x16xf32>) -> tensor<64x16xf32> {
  %r = linalg.transpose ins(%a: tensor<16x64xf32>) outs(%o: tensor<64x16xf32>) permutation = [1 0]
  return %r : tensor<64x16xf32>
}
