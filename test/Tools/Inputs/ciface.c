/* A C driver for a model lowered by stock mlir-opt with dc's plugin
 * (dc-lower-to-llvm), compiled with mlir-translate and clang, without
 * dc-compile's C API (docs/Lowering.md, "From stock mlir-opt"):
 * dc_workspace_size() gives the workspace bytes, _mlir_ciface_dc_init fills
 * it, _mlir_ciface_forward runs the model; memrefs are passed as MLIR's
 * descriptors. Runs dc-model-gen tiny (8 inputs -> 4 outputs) on the input
 * element i = sin(i + 1) and prints the outputs, one a line. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
  void *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} Memref1D;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} Memref2D;

int64_t _mlir_ciface_dc_workspace_size(void);
int32_t _mlir_ciface_dc_init(Memref1D *workspace);
void _mlir_ciface_forward(Memref2D *input, Memref2D *output,
                          Memref1D *workspace);

int main(void) {
  int64_t bytes = _mlir_ciface_dc_workspace_size();
  void *ws = aligned_alloc(64, (size_t)(bytes + 63) / 64 * 64);
  float x[8], y[4];
  for (int i = 0; i < 8; ++i)
    x[i] = (float)sin((double)(i + 1));
  Memref1D w = {ws, ws, 0, {bytes}, {1}};
  Memref2D in = {x, x, 0, {1, 8}, {8, 1}}, out = {y, y, 0, {1, 4}, {4, 1}};
  int32_t rc = _mlir_ciface_dc_init(&w);
  if (rc != 0) {
    fprintf(stderr, "dc_init failed: %d\n", rc);
    return 1;
  }
  _mlir_ciface_forward(&in, &out, &w);
  printf("workspace %lld bytes\n", (long long)bytes);
  for (int i = 0; i < 4; ++i)
    printf("%.9g\n", y[i]);
  free(ws);
  return 0;
}
