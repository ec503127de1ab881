/* workspace LIBRARY PREFIX: prints <PREFIX>_workspace_size() of a
 * dc-compile'd library (loaded with dlopen), for the memory tests. */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: workspace LIBRARY PREFIX\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "workspace: %s\n", dlerror());
    return 1;
  }
  char name[256];
  snprintf(name, sizeof name, "%s_workspace_size", argv[2]);
  size_t (*size)(void) = (size_t(*)(void))dlsym(lib, name);
  if (!size) {
    fprintf(stderr, "workspace: no %s\n", name);
    return 1;
  }
  printf("%zu\n", size());
  return 0;
}
