/*===- HostBlas.c - The host BLAS behind dc-train's step libraries --------===*\
|*                                                                            *|
|* Linked into the training-step libraries dc-train builds for the host,      *|
|* together with OpenBLAS; never into dc-compile's self-contained libraries.  *|
|* The CBLAS declarations are written out here (the values are the CBLAS      *|
|* standard's) so the object needs no BLAS headers to build.                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "dc/Runtime/Decode.h"

enum { kRowMajor = 101, kNoTrans = 111, kTrans = 112 };

void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k,
                 float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc);
void openblas_set_num_threads(int threads);

void dcrt_host_sgemm(int64_t trans_a, int64_t trans_b, int64_t m, int64_t n,
                     int64_t k, int64_t a, int64_t lda, int64_t b, int64_t ldb,
                     int64_t c, int64_t ldc) {
  cblas_sgemm(kRowMajor, trans_a ? kTrans : kNoTrans,
              trans_b ? kTrans : kNoTrans, (int)m, (int)n, (int)k, 1.0f,
              (const float *)(intptr_t)a, (int)lda, (const float *)(intptr_t)b,
              (int)ldb, 1.0f, (float *)(intptr_t)c, (int)ldc);
}

/* Exported from the step library: dc-train calls it through dlsym. */
__attribute__((visibility("default"))) void
dcrt_host_set_threads(int64_t threads) {
  openblas_set_num_threads(threads < 1 ? 1 : (int)threads);
}
