/* Prints what <prefix>_init returns and its _strerror text
 * (dc-compile-cpu-check.test).
 * Build: cc -DMODEL_H='"model.h"' -DPREFIX=model init-code.c -Ldir -lmodel */
#include MODEL_H

#include <stdio.h>
#include <stdlib.h>

#define CAT(a, b) a##b
#define XCAT(a, b) CAT(a, b)
#define API(name) XCAT(PREFIX, name)

int main(void) {
  void *ws = aligned_alloc(64, (API(_workspace_size)() + 127) / 64 * 64);
  if (!ws)
    return 2;
  int rc = API(_init)(ws);
  printf("init: %d (%s)\n", rc, API(_strerror)(rc));
  return 0;
}
