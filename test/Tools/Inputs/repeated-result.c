/* Calls a model that returns one tensor twice and its input
 * (dc-compile-repeated-results.test): x[i] = i - 1.5; prints y0, y1, y2. */
#include "rep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  float x[REP_INPUT_SIZE];
  float y0[REP_OUTPUT0_SIZE], y1[REP_OUTPUT1_SIZE], y2[REP_OUTPUT2_SIZE];
  for (int i = 0; i < REP_INPUT_SIZE; ++i)
    x[i] = (float)i - 1.5f;
  memset(y0, 0xff, sizeof y0);
  memset(y1, 0xff, sizeof y1);
  memset(y2, 0xff, sizeof y2);
  void *ws = aligned_alloc(64, (rep_workspace_size() + 63) / 64 * 64 + 64);
  if (!ws || rep_init(ws) != 0 || rep_forward(ws, x, y0, y1, y2) != 0)
    return 1;
  for (int i = 0; i < REP_OUTPUT0_SIZE; ++i)
    printf("%g\n", y0[i]);
  for (int i = 0; i < REP_OUTPUT1_SIZE; ++i)
    printf("%g\n", y1[i]);
  for (int i = 0; i < REP_OUTPUT2_SIZE; ++i)
    printf("%g\n", y2[i]);
  return 0;
}
