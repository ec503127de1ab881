/* Runs scalar-resource.mlir's library (prefix "scalar") on x = 1, 2, 3, 4. */
#include "scalar.h"
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  void *ws = aligned_alloc(64, 64 + scalar_workspace_size());
  float x[4] = {1, 2, 3, 4}, y[4];
  if (!ws || scalar_init(ws) != 0 || scalar_forward(ws, x, y) != 0)
    return 1;
  for (int i = 0; i < 4; ++i)
    printf("%g\n", y[i]);
  return 0;
}
