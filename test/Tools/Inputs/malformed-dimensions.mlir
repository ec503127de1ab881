// A linalg.broadcast whose dimensions list is not closed (parser-hazards.test).
func.func @f(%a: tensor<16xf32>, %o: tensor<64x16xf32>) -> tensor<64x16xf32> {
  %r = linalg.broadcast ins(%a: tensor<16xf32>) outs(%o: tensor<64x16xf32>) dimensions = [0
  return %r : tensor<64x16xf32>
}
