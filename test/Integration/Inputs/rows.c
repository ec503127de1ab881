/* Checks a dc-rebatch'ed model against the batch-1 model, both compiled by
 * dc-compile (headers one.h / many.h, prefixes one / many): each of the B
 * rows of the batched model's output equals the batch-1 model's output for
 * that row's input (element i of row r is sin(r * N + i + 1)). */
#include "many.h"
#include "one.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  size_t n = ONE_INPUT_SIZE, m = ONE_OUTPUT_SIZE;
  size_t rows = MANY_INPUT_SIZE / n;
  if (rows * n != MANY_INPUT_SIZE || rows * m != MANY_OUTPUT_SIZE ||
      rows < 2) {
    fprintf(stderr, "shapes do not match a rebatched model\n");
    return 2;
  }
  void *ws1 = aligned_alloc(64, (one_workspace_size() + 63) / 64 * 64 + 64);
  void *wsb = aligned_alloc(64, (many_workspace_size() + 63) / 64 * 64 + 64);
  float *x = malloc(MANY_INPUT_SIZE * sizeof(float));
  float *y = malloc(MANY_OUTPUT_SIZE * sizeof(float));
  float *y1 = malloc(m * sizeof(float));
  if (!ws1 || !wsb || !x || !y || !y1 || one_init(ws1) || many_init(wsb))
    return 3;
  for (size_t i = 0; i < MANY_INPUT_SIZE; ++i)
    x[i] = (float)sin((double)(i + 1));
  if (many_forward(wsb, x, y))
    return 4;
  int bad = 0;
  for (size_t r = 0; r < rows; ++r) {
    if (one_forward(ws1, x + r * n, y1))
      return 5;
    for (size_t j = 0; j < m; ++j)
      if (!(fabsf(y[r * m + j] - y1[j]) <= 1e-5f * (1 + fabsf(y1[j])))) {
        fprintf(stderr, "row %zu output %zu: %g, batch 1 gives %g\n", r, j,
                y[r * m + j], y1[j]);
        bad = 1;
      }
  }
  printf("%zu rows of %zu outputs %s\n", rows, m, bad ? "DIFFER" : "agree");
  return bad;
}
