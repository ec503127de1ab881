//===- Bits.cpp - Bit-width helpers ---------------------------------------===//

#include "dc/Base/Bits.h"

unsigned dc::bitWidth(uint64_t v) {
  unsigned n = 0;
  while (v) {
    ++n;
    v >>= 1;
  }
  return n;
}
