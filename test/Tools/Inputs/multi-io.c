/* Calls a dc-compile'd model with two inputs and two outputs through its
 * header (dc-compile-multi-io.test): x0[i] = sin(i + 1), x1[i] = cos(i + 1);
 * prints y0 then y1, one value a line. */
#include "two.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  float x0[TWO_INPUT0_SIZE], x1[TWO_INPUT1_SIZE];
  float y0[TWO_OUTPUT0_SIZE], y1[TWO_OUTPUT1_SIZE];
  for (int i = 0; i < TWO_INPUT0_SIZE; ++i)
    x0[i] = (float)sin(i + 1.0);
  for (int i = 0; i < TWO_INPUT1_SIZE; ++i)
    x1[i] = (float)cos(i + 1.0);
  void *ws = aligned_alloc(64, (two_workspace_size() + 63) / 64 * 64 + 64);
  if (!ws || two_init(ws) != 0 || two_forward(ws, x0, x1, y0, y1) != 0)
    return 1;
  if (TWO_NUM_INPUTS != 2 || TWO_NUM_OUTPUTS != 2 ||
      two_input1_shape[1] != 3 || two_output0_shape[1] != 4)
    return 2;
  for (int i = 0; i < TWO_OUTPUT0_SIZE; ++i)
    printf("%.9g\n", y0[i]);
  for (int i = 0; i < TWO_OUTPUT1_SIZE; ++i)
    printf("%.9g\n", y1[i]);
  return 0;
}
