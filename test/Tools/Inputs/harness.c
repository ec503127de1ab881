/* Loads a dc-compile'd model through its C header, runs it on the input
 * dc-model-gen --emit-main uses (element i = sin(i + 1)) and prints the
 * output, one value a line. Also checks: a misaligned workspace is refused,
 * _strerror's messages, and two workspaces give the same result
 * (re-entrancy).
 * Build: cc -DMODEL_H='"model.h"' -DPREFIX=model harness.c -Ldir -lmodel -lm */
#include MODEL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAT(a, b) a##b
#define XCAT(a, b) CAT(a, b)
#define API(name) XCAT(PREFIX, name)

static size_t count(const long *shape, size_t rank) {
  size_t n = 1;
  for (size_t i = 0; i < rank; ++i)
    n *= (size_t)shape[i];
  return n;
}

int main(void) {
  size_t in =
      count(API(_input_shape), sizeof(API(_input_shape)) / sizeof(long));
  size_t out =
      count(API(_output_shape), sizeof(API(_output_shape)) / sizeof(long));
  size_t bytes = API(_workspace_size)();
  size_t padded = (bytes + 64 + 63) / 64 * 64;
  char *ws1 = aligned_alloc(64, padded), *ws2 = aligned_alloc(64, padded);
  float *x = malloc(in * sizeof(float));
  float *y1 = malloc(out * sizeof(float)), *y2 = malloc(out * sizeof(float));
  if (!ws1 || !ws2 || !x || !y1 || !y2)
    return 2;
  for (size_t i = 0; i < in; ++i)
    x[i] = (float)sin((double)(i + 1));
  if (API(_init)(ws1 + 4) != -1 || API(_forward)(ws1 + 4, x, y1) != -1) {
    fprintf(stderr, "a misaligned workspace was accepted\n");
    return 3;
  }
  if (strcmp(API(_strerror)(-1), "the workspace is not 64-byte aligned") != 0 ||
      strcmp(API(_strerror)(0), "success") != 0 ||
      strcmp(API(_strerror)(12345), "unknown error code") != 0) {
    fprintf(stderr, "strerror: wrong messages\n");
    return 7;
  }
  int rc = API(_init)(ws1);
  if (rc != 0 || API(_init)(ws2) != 0) {
    fprintf(stderr, "init failed: %d (%s)\n", rc, API(_strerror)(rc));
    return 4;
  }
  if (API(_forward)(ws1, x, y1) != 0 || API(_forward)(ws2, x, y2) != 0)
    return 5;
  if (memcmp(y1, y2, out * sizeof(float)) != 0) {
    fprintf(stderr, "two workspaces disagree\n");
    return 6;
  }
  printf("workspace %zu bytes\n", bytes);
  for (size_t i = 0; i < out; ++i)
    printf("%.9g\n", y1[i]);
  return 0;
}
