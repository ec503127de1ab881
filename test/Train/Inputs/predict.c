/* predict LIBRARY PREFIX IMAGES FEATURES CLASSES MEAN STD [LOGITS [INPUTS]]
 *
 * Loads a dc-compile'd model library (batch 1) with dlopen and prints the
 * predicted class of every image of IMAGES (raw u8, FEATURES bytes per
 * image), one per line: pixels / 255, then (x - MEAN) / STD, as dc-train
 * normalises them; ties go to the lowest class, as in dc-train and
 * torch.argmax. With LOGITS, every image's logits are also written there
 * (raw f32, CLASSES per image); with INPUTS, the normalised images (raw f32)
 * the library was given, for a reference to run on (scripts/evaluate.py). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 8 || argc > 10) {
    fprintf(stderr, "usage: predict LIBRARY PREFIX IMAGES FEATURES CLASSES "
                    "MEAN STD [LOGITS [INPUTS]]\n");
    return 2;
  }
  FILE *logits = argc > 8 ? fopen(argv[8], "wb") : NULL;
  FILE *inputs = argc > 9 ? fopen(argv[9], "wb") : NULL;
  if ((argc > 8 && !logits) || (argc > 9 && !inputs)) {
    fprintf(stderr, "predict: cannot write %s\n", argv[logits ? 9 : 8]);
    return 1;
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
    if (forward(ws, x, y) != 0) {
      fprintf(stderr, "predict: forward failed\n");
      return 1;
    }
    if ((logits && fwrite(y, sizeof(float), classes, logits) != (size_t)classes) ||
        (inputs && fwrite(x, sizeof(float), features, inputs) != (size_t)features)) {
      fprintf(stderr, "predict: write failed\n");
      return 1;
    }
    long best = 0;
    for (long c = 1; c < classes; ++c)
      if (y[c] > y[best])
        best = c;
    printf("%ld\n", best);
  }
  fclose(f);
  if ((logits && fclose(logits) != 0) || (inputs && fclose(inputs) != 0)) {
    fprintf(stderr, "predict: write failed\n");
    return 1;
  }
  return 0;
}
