// A small MLP with compressed weights, the built-in default model of
// scripts/demo.sh until dc-compress lands (issue 4): y = W2 relu(W1 x).
// W1 (6x8) is pruned to 15 kept weights with a 4-entry codebook (2-bit
// indices) stored CSR with 2-bit gaps (row 2 is empty; row 4 needs escapes);
// W2 (3x6) is dense with a 5-entry codebook (3-bit indices). The payload
// follows docs/Format.md.

!w1 = !dc.tensor<6x8xf32, #dc.encoding<csr, weightBits = 2, indexBits = 2>>
!w2 = !dc.tensor<3x6xf32, #dc.encoding<dense, weightBits = 3>>

func.func @forward(%x: tensor<8x1xf32>) -> tensor<3x1xf32> {
  %cw1 = dc.constant {codebook = array<f32: -0.75, -0.25, 0.25, 0.75>,
                      num_weights = 15 : i64, num_gaps = 20 : i64,
                      row_ptr = dense_resource<w1_ptr> : tensor<3xi8>,
                      gaps = dense_resource<w1_gaps> : tensor<5xi8>,
                      weights = dense_resource<w1_idx> : tensor<4xi8>} : !w1
  %cw2 = dc.constant {codebook = array<f32: -1.0, -0.5, 0.0, 0.5, 1.0>,
                      num_weights = 18 : i64,
                      weights = dense_resource<w2_idx> : tensor<7xi8>} : !w2
  %w1 = dc.decompress %cw1 : !w1 -> tensor<6x8xf32>
  %w2 = dc.decompress %cw2 : !w2 -> tensor<3x6xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<6x1xf32>
  %a1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<6x1xf32>) -> tensor<6x1xf32>
  %h = linalg.matmul ins(%w1, %x : tensor<6x8xf32>, tensor<8x1xf32>)
                     outs(%a1 : tensor<6x1xf32>) -> tensor<6x1xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      outs(%h : tensor<6x1xf32>) {
    ^bb0(%v: f32):
      %m = arith.maximumf %v, %zero : f32
      linalg.yield %m : f32
  } -> tensor<6x1xf32>
  %e2 = tensor.empty() : tensor<3x1xf32>
  %a2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x1xf32>) -> tensor<3x1xf32>
  %y = linalg.matmul ins(%w2, %r : tensor<3x6xf32>, tensor<6x1xf32>)
                     outs(%a2 : tensor<3x1xf32>) -> tensor<3x1xf32>
  return %y : tensor<3x1xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w1_ptr: "0x01000000A5BAFD",
      w1_gaps: "0x010000001131C0C783",
      w1_idx: "0x01000000D073552F",
      w2_idx: "0x01000000800688D3842904"
    }
  }
#-}
