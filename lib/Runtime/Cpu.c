/*===- Cpu.c - Does this CPU run the library's code? ----------------------===*\
|*                                                                            *|
|* dcrt_check_cpu (include/dc/Runtime/Decode.h): CPUID and XGETBV against the *|
|* bits dc-compile recorded for the target features it compiled for.         *|
|* Freestanding: no libc.                                                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "dc/Runtime/Decode.h"

#if defined(__x86_64__)
#include <cpuid.h>

static uint64_t xgetbv0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

int32_t dcrt_check_cpu(const uint32_t *required) {
  uint32_t have[DCRT_CPU_WORDS] = {0};
  uint32_t a, b, c, d;
  uint32_t max = __get_cpuid_max(0, 0);
  if (max >= 1) {
    __cpuid(1, a, b, c, d);
    have[DCRT_CPU_LEAF1_ECX] = c;
    have[DCRT_CPU_LEAF1_EDX] = d;
  }
  if (max >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    have[DCRT_CPU_LEAF7_EBX] = b;
    have[DCRT_CPU_LEAF7_ECX] = c;
    have[DCRT_CPU_LEAF7_EDX] = d;
  }
  if (__get_cpuid_max(0x80000000u, 0) >= 0x80000001u) {
    __cpuid(0x80000001u, a, b, c, d);
    have[DCRT_CPU_EXT1_ECX] = c;
  }
  /* OSXSAVE (leaf 1 ECX bit 27): XGETBV is allowed. */
  if (have[DCRT_CPU_LEAF1_ECX] & (1u << 27))
    have[DCRT_CPU_XCR0] = (uint32_t)xgetbv0();
  for (int w = 0; w < DCRT_CPU_WORDS; ++w)
    if ((have[w] & required[w]) != required[w])
      return DCRT_ERR_CPU;
  return DCRT_OK;
}
#else
int32_t dcrt_check_cpu(const uint32_t *required) {
  (void)required;
  return DCRT_OK;
}
#endif
