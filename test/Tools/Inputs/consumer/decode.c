/* A C program built with `pkg-config --cflags --libs dc-runtime` against an
 * installed dc (test/Tools/install.test): decodes the 2x2 dense layer of
 * test/Tools/plugin.mlir (codebook {0, 1, -1}, 2-bit indices 1 0 2 1 in the
 * byte 0x61) with libdc_runtime and prints it, then a refused header. */
#include <dc/Runtime/Decode.h>

#include <stdio.h>

static dcrt_memref1d memref(void *data, int64_t size) {
  dcrt_memref1d m = {data, data, 0, size, 1};
  return m;
}

int main(void) {
  unsigned char weights[] = {0x61};
  float codebook[] = {0.0f, 1.0f, -1.0f};
  float out[4];
  dcrt_memref1d w = memref(weights, 1), none = memref(0, 0),
                cb = memref(codebook, 3), o = memref(out, 4);
  int32_t rc = _mlir_ciface_dcrt_decode_dense(
      DCRT_LAYOUT_DENSE, /*weight_bits=*/2, /*index_bits=*/0,
      DCRT_ENTROPY_NONE, /*rows=*/2, /*cols=*/2, /*codebook_size=*/3,
      /*num_weights=*/4, /*num_gaps=*/0, &w, &none, &none, &none, &none, &cb,
      &o);
  printf("decode: %d:", rc);
  for (int i = 0; i < 4; ++i)
    printf(" %g", out[i]);
  printf("\n");
  /* 9 bits a weight is more than the format allows. */
  rc = _mlir_ciface_dcrt_decode_dense(DCRT_LAYOUT_DENSE, 9, 0,
                                      DCRT_ENTROPY_NONE, 2, 2, 3, 4, 0, &w,
                                      &none, &none, &none, &none, &cb, &o);
  printf("bad header: %d (DCRT_ERR_PARAMS is %d)\n", rc, DCRT_ERR_PARAMS);
  return 0;
}
