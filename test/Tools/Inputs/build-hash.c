/* Loads a dc-compile'd library at run time and compares its
 * <prefix>_build_hash() with the header's <PREFIX>_BUILD_HASH
 * (dc-compile-build-hash.test): what a program that dlopens a model should
 * check. Prints "match" (exit 0) or "mismatch" (exit 1).
 * Build: cc -DMODEL_H='"model.h"' -DHASH=MODEL_BUILD_HASH build-hash.c -ldl
 * Run:   ./check libmodel.so model_build_hash */
#include MODEL_H

#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  unsigned long long (*hash)(void) =
      (unsigned long long (*)(void))dlsym(library, argv[2]);
  if (!hash) {
    fprintf(stderr, "no %s\n", argv[2]);
    return 2;
  }
  if (hash() != HASH) {
    printf("mismatch: library %016llx, header %016llx\n", hash(),
           (unsigned long long)HASH);
    return 1;
  }
  printf("match %016llx\n", (unsigned long long)HASH);
  return 0;
}
