/* peers.c - the C + OpenBLAS peers of bench/whole-model.sh and the timing
 * loops of every C-side contender, built as libpeers.so and called by
 * bench/whole_model.py through ctypes (one call = one timed block of
 * `iters` calls, so no Python overhead is inside a measurement).
 *
 * The peers are the models dc-model-gen writes, as a C programmer with
 * OpenBLAS would write them, on the same weights (bench/export_weights.py):
 *   LeNet-300-100: fc 784-300-100-10 with ReLU; sgemv at batch 1, sgemm
 *     (X * W^T) above;
 *   LeNet-5 (Caffe): conv 1->20 5x5, max pool 2x2/2, conv 20->50 5x5, pool,
 *     fc 800-500, fc 500-10, ReLU after both convs and fc1; each conv is
 *     im2col (Caffe's [c*kh*kw, oh*ow] layout) + sgemm per image, bias in
 *     the same pass as ReLU. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* ---- dc libraries: <prefix>_forward(workspace, inputs..., outputs...) */

typedef int (*Forward1)(void *, const float *, float *);
typedef int (*Forward2)(void *, const float *, const float *, float *);

double time_dc1(void *fn, void *ws, const float *x, float *y, long iters) {
  Forward1 f = (Forward1)fn;
  double s = now();
  for (long i = 0; i < iters; ++i)
    f(ws, x, y);
  return now() - s;
}

double time_dc2(void *fn, void *ws, const float *a, const float *b, float *y,
                long iters) {
  Forward2 f = (Forward2)fn;
  double s = now();
  for (long i = 0; i < iters; ++i)
    f(ws, a, b, y);
  return now() - s;
}

/* ---- BLAS kernels alone (row-major) */

double time_sgemm(int m, int k, int n, const float *a, const float *b,
                  float *c, long iters) {
  double s = now();
  for (long i = 0; i < iters; ++i)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a,
                k, b, n, 0.0f, c, n);
  return now() - s;
}

/* y[n] = sum_k B[k][n] x[k], B stored [K][N] (the layout dc reads). */
double time_sgemv_t(int k, int n, const float *b, const float *x, float *y,
                    long iters) {
  double s = now();
  for (long i = 0; i < iters; ++i)
    cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1.0f, b, n, x, 1, 0.0f, y,
                1);
  return now() - s;
}

/* y[n] = sum_k W[n][k] x[k], W stored [N][K] (nn.Linear's layout). */
double time_sgemv_n(int n, int k, const float *w, const float *x, float *y,
                    long iters) {
  double s = now();
  for (long i = 0; i < iters; ++i)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, w, k, x, 1, 0.0f, y,
                1);
  return now() - s;
}

void set_threads(int n) { openblas_set_num_threads(n); }

/* ---- weights */

static float *load(const char *dir, const char *name, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.f32", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "peers: cannot open %s\n", path);
    return NULL;
  }
  float *w = malloc(n * sizeof(float));
  size_t got = fread(w, sizeof(float), n, f);
  int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != n || extra) {
    fprintf(stderr, "peers: %s holds the wrong number of floats\n", path);
    free(w);
    return NULL;
  }
  return w;
}

/* Fully connected layer over a batch: y[b][n] = relu?(x[b] . W[n] + bias[n]).
 */
static void fc(int batch, int k, int n, const float *x, const float *w,
               const float *bias, float *y, int relu) {
  if (batch == 1)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, w, k, x, 1, 0.0f, y,
                1);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, n, k, 1.0f, x,
                k, w, k, 0.0f, y, n);
  for (int b = 0; b < batch; ++b)
    for (int j = 0; j < n; ++j) {
      float v = y[b * n + j] + bias[j];
      y[b * n + j] = relu && v < 0 ? 0 : v;
    }
}

/* ---- LeNet-300-100 */

enum { MAXB = 64 };
static float *m1w, *m1b, *m2w, *m2b, *m3w, *m3b, *mh1, *mh2;

int peer_mlp_init(const char *dir) {
  m1w = load(dir, "fc1_weight", 300 * 784);
  m1b = load(dir, "fc1_bias", 300);
  m2w = load(dir, "fc2_weight", 100 * 300);
  m2b = load(dir, "fc2_bias", 100);
  m3w = load(dir, "fc3_weight", 10 * 100);
  m3b = load(dir, "fc3_bias", 10);
  mh1 = malloc(sizeof(float) * MAXB * 300);
  mh2 = malloc(sizeof(float) * MAXB * 100);
  return m1w && m1b && m2w && m2b && m3w && m3b ? 0 : 1;
}

void peer_mlp(int batch, const float *x, float *y) {
  fc(batch, 784, 300, x, m1w, m1b, mh1, 1);
  fc(batch, 300, 100, mh1, m2w, m2b, mh2, 1);
  fc(batch, 100, 10, mh2, m3w, m3b, y, 0);
}

double time_peer_mlp(int batch, const float *x, float *y, long iters) {
  double s = now();
  for (long i = 0; i < iters; ++i)
    peer_mlp(batch, x, y);
  return now() - s;
}

/* ---- LeNet-5 */

static float *c1w, *c1b, *c2w, *c2b, *f1w, *f1b, *f2w, *f2b;
static float *col, *a1, *p1, *a2, *p2, *h1;

int peer_lenet5_init(const char *dir) {
  c1w = load(dir, "conv1_weight", 20 * 25);
  c1b = load(dir, "conv1_bias", 20);
  c2w = load(dir, "conv2_weight", 50 * 20 * 25);
  c2b = load(dir, "conv2_bias", 50);
  f1w = load(dir, "fc1_weight", 500 * 800);
  f1b = load(dir, "fc1_bias", 500);
  f2w = load(dir, "fc2_weight", 10 * 500);
  f2b = load(dir, "fc2_bias", 10);
  col = malloc(sizeof(float) * 20 * 25 * 64 > sizeof(float) * 25 * 576
                   ? sizeof(float) * 20 * 25 * 64
                   : sizeof(float) * 25 * 576);
  a1 = malloc(sizeof(float) * 20 * 576);
  p1 = malloc(sizeof(float) * 20 * 144);
  a2 = malloc(sizeof(float) * 50 * 64);
  p2 = malloc(sizeof(float) * MAXB * 800);
  h1 = malloc(sizeof(float) * MAXB * 500);
  return c1w && c1b && c2w && c2b && f1w && f1b && f2w && f2b ? 0 : 1;
}

/* x [c][h][w] -> col [c*k*k][oh*ow], stride 1, no padding. */
static void im2col(const float *x, int c, int h, int w, int k, float *out) {
  int oh = h - k + 1, ow = w - k + 1;
  for (int ci = 0; ci < c; ++ci)
    for (int kh = 0; kh < k; ++kh)
      for (int kw = 0; kw < k; ++kw) {
        float *row = out + ((ci * k + kh) * k + kw) * oh * ow;
        for (int y = 0; y < oh; ++y)
          memcpy(row + y * ow, x + (ci * h + y + kh) * w + kw,
                 sizeof(float) * ow);
      }
}

/* conv (im2col + sgemm), then bias and ReLU in one pass. */
static void conv(const float *x, int c, int h, int w, const float *weight,
                 const float *bias, int f, float *y) {
  int k = 5, p = (h - k + 1) * (w - k + 1);
  im2col(x, c, h, w, k, col);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, f, p, c * k * k,
              1.0f, weight, c * k * k, col, p, 0.0f, y, p);
  for (int o = 0; o < f; ++o)
    for (int i = 0; i < p; ++i) {
      float v = y[o * p + i] + bias[o];
      y[o * p + i] = v < 0 ? 0 : v;
    }
}

static void maxpool(const float *x, int c, int h, int w, float *y) {
  for (int ci = 0; ci < c; ++ci)
    for (int i = 0; i < h / 2; ++i)
      for (int j = 0; j < w / 2; ++j) {
        const float *s = x + (ci * h + 2 * i) * w + 2 * j;
        float m = s[0];
        m = s[1] > m ? s[1] : m;
        m = s[w] > m ? s[w] : m;
        m = s[w + 1] > m ? s[w + 1] : m;
        y[(ci * (h / 2) + i) * (w / 2) + j] = m;
      }
}

void peer_lenet5(int batch, const float *x, float *y) {
  for (int b = 0; b < batch; ++b) {
    conv(x + b * 784, 1, 28, 28, c1w, c1b, 20, a1);
    maxpool(a1, 20, 24, 24, p1);
    conv(p1, 20, 12, 12, c2w, c2b, 50, a2);
    maxpool(a2, 50, 8, 8, p2 + b * 800);
  }
  fc(batch, 800, 500, p2, f1w, f1b, h1, 1);
  fc(batch, 500, 10, h1, f2w, f2b, y, 0);
}

double time_peer_lenet5(int batch, const float *x, float *y, long iters) {
  double s = now();
  for (long i = 0; i < iters; ++i)
    peer_lenet5(batch, x, y);
  return now() - s;
}
