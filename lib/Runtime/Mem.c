/*===- Mem.c - mem* routines for libraries without libc -------------------===*\
|*                                                                            *|
|* LLVM turns zero-fill and copy loops of generated code into memset/memcpy   *|
|* calls. dc-compile's libraries link no libc, so they carry their own,       *|
|* hidden (bound inside the library, never interposing on the host's).       *|
|* Built with -ffreestanding so these loops are not turned into calls of      *|
|* themselves.                                                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include <stddef.h>

#define DCRT_HIDDEN __attribute__((visibility("hidden")))

DCRT_HIDDEN void *memset(void *dst, int value, size_t n) {
  unsigned char *d = (unsigned char *)dst;
  for (size_t i = 0; i < n; ++i)
    d[i] = (unsigned char)value;
  return dst;
}

DCRT_HIDDEN void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = (unsigned char *)dst;
  const unsigned char *s = (const unsigned char *)src;
  for (size_t i = 0; i < n; ++i)
    d[i] = s[i];
  return dst;
}

DCRT_HIDDEN void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = (unsigned char *)dst;
  const unsigned char *s = (const unsigned char *)src;
  if (d < s)
    for (size_t i = 0; i < n; ++i)
      d[i] = s[i];
  else
    for (size_t i = n; i > 0; --i)
      d[i - 1] = s[i - 1];
  return dst;
}
