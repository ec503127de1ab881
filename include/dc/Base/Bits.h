//===- Bits.h - Bit-width helpers -------------------------------*- C++ -*-===//
//
// The bit arithmetic of the storage format (docs/Format.md) and its readers.
//
//===----------------------------------------------------------------------===//

#ifndef DC_BASE_BITS_H
#define DC_BASE_BITS_H

#include <cstdint>

namespace dc {

/// Number of bits needed to write `v` (0 for v == 0).
unsigned bitWidth(uint64_t v);

/// ceil(bits / 8) for bits < 2^63.
inline uint64_t bytesForBits(uint64_t bits) {
  return bits / 8 + (bits % 8 != 0);
}

/// Reverses the low `n` bits of `v`.
inline uint32_t reverseBits(uint32_t v, unsigned n) {
  uint32_t r = 0;
  for (unsigned i = 0; i < n; ++i) {
    r = (r << 1) | (v & 1);
    v >>= 1;
  }
  return r;
}

} // namespace dc

#endif // DC_BASE_BITS_H
