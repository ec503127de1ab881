/* predict LIBRARY PREFIX IMAGES FEATURES CLASSES MEAN STD
 *
 * Loads a dc-compile'd model library (batch 1) with dlopen and prints the
 * predicted class of every image of IMAGES (raw u8, FEATURES bytes per
 * image), one per line: pixels / 255, then (x - MEAN) / STD, as dc-train
 * normalises them; ties go to the lowest class, as in dc-train and
 * torch.argmax. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: predict LIBRARY PREFIX IMAGES FEATURES CLASSES "
                    "MEAN STD\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "predict: %s\n", dlerror());
    return 1;
  }
  char name[256];
  snprintf(name, sizeof name, "%s_workspace_size", argv[2]);
  size_t (*size)(void) = (size_t(*)(void))dlsym(lib, name);
  snprintf(name, sizeof name, "%s_init", argv[2]);
  int (*init)(void *) = (int (*)(void *))dlsym(lib, name);
  snprintf(name, sizeof name, "%s_forward", argv[2]);
  int (*forward)(void *, const float *, float *) =
      (int (*)(void *, const float *, float *))dlsym(lib, name);
  if (!size || !init || !forward) {
    fprintf(stderr, "predict: %s lacks the model API\n", argv[1]);
    return 1;
  }
  long features = atol(argv[4]), classes = atol(argv[5]);
  double mean = strtod(argv[6], NULL), std = strtod(argv[7], NULL);
  FILE *f = fopen(argv[3], "rb");
  if (!f || features <= 0 || classes <= 0) {
    fprintf(stderr, "predict: cannot read %s\n", argv[3]);
    return 1;
  }
  size_t bytes = (size() + 63) / 64 * 64;
  void *ws = aligned_alloc(64, bytes ? bytes : 64);
  if (init(ws) != 0) {
    fprintf(stderr, "predict: init failed\n");
    return 1;
  }
  unsigned char *pixels = malloc(features);
  float *x = malloc(features * sizeof(float));
  float *y = malloc(classes * sizeof(float));
  while (fread(pixels, 1, features, f) == (size_t)features) {
    for (long i = 0; i < features; ++i)
      x[i] = (float)(((double)pixels[i] / 255.0 - mean) / std);
    forward(ws, x, y);
    long best = 0;
    for (long c = 1; c < classes; ++c)
      if (y[c] > y[best])
        best = c;
    printf("%ld\n", best);
  }
  fclose(f);
  return 0;
}
