// Input of dc-compile-external.test: a call the run-time objects cannot satisfy.
func.func @forward(%x: tensor<4x4xf32>) -> tensor<2x2xf32> {
  %m = bufferization.to_buffer %x : tensor<4x4xf32> to memref<4x4xf32>
  %s = memref.subview %m[0, 0] [2, 2] [2, 2] : memref<4x4xf32> to memref<2x2xf32, strided<[8, 2]>>
  %o = memref.alloc() : memref<2x2xf32>
  memref.copy %s, %o : memref<2x2xf32, strided<[8, 2]>> to memref<2x2xf32>
  %t = bufferization.to_tensor %o restrict : memref<2x2xf32> to tensor<2x2xf32>
  return %t : tensor<2x2xf32>
}
