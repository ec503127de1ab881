/* Times one fully connected layer at batch 1, three ways, in one run:
 *   dc    - the dc-compile'd compressed layer (sparse, codebook lookup fused)
 *   dense - the same layer dc-compile'd without compression (dense weights)
 *   blas  - OpenBLAS cblas_sgemv on a dense matrix of the same shape
 * Prints the median of REPS timed calls each (after warm-up) and ratios.
 * Build: see bench/fc-layer.sh. */
#include "fc6.h"
#include "fc6dense.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { REPS = 41 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef void (*Run)(void *ctx);
static double median(Run run, void *ctx) {
  double t[REPS];
  for (int i = 0; i < 3; ++i)
    run(ctx);
  for (int i = 0; i < REPS; ++i) {
    double s = now();
    run(ctx);
    t[i] = now() - s;
  }
  qsort(t, REPS, sizeof(double), cmp);
  return t[REPS / 2];
}

static void *ws, *wsDense;
static float *x, *y, *w;
static void runDC(void *c) { (void)c; fc6_forward(ws, x, y); }
static void runDense(void *c) { (void)c; fc6dense_forward(wsDense, x, y); }
static void runBlas(void *c) {
  (void)c;
  cblas_sgemv(CblasRowMajor, CblasNoTrans, FC6_OUTPUT_SIZE, FC6_INPUT_SIZE,
              1.0f, w, FC6_INPUT_SIZE, x, 1, 0.0f, y, 1);
}

int main(void) {
  openblas_set_num_threads(1);
  ws = aligned_alloc(64, (fc6_workspace_size() + 63) / 64 * 64);
  wsDense = aligned_alloc(64, (fc6dense_workspace_size() + 63) / 64 * 64 + 64);
  x = malloc(sizeof(float) * FC6_INPUT_SIZE);
  y = malloc(sizeof(float) * FC6_OUTPUT_SIZE);
  w = malloc(sizeof(float) * (size_t)FC6_INPUT_SIZE * FC6_OUTPUT_SIZE);
  if (!ws || !wsDense || !x || !y || !w || fc6_init(ws) ||
      fc6dense_init(wsDense))
    return 1;
  for (int i = 0; i < FC6_INPUT_SIZE; ++i)
    x[i] = (float)sin(i + 1.0);
  for (size_t i = 0; i < (size_t)FC6_INPUT_SIZE * FC6_OUTPUT_SIZE; ++i)
    w[i] = (float)sin((double)i) * 0.01f;
  double dc = median(runDC, 0), dense = median(runDense, 0),
         blas = median(runBlas, 0);
  printf("fc6 %dx%d, batch 1, median of %d calls, 1 thread\n",
         FC6_OUTPUT_SIZE, FC6_INPUT_SIZE, REPS);
  printf("  dc compressed    %9.3f ms   %5.2fx faster than OpenBLAS sgemv\n",
         dc * 1e3, blas / dc);
  printf("  dc dense         %9.3f ms   %5.2fx\n", dense * 1e3, blas / dense);
  printf("  OpenBLAS sgemv   %9.3f ms   1.00x\n", blas * 1e3);
  return 0;
}
