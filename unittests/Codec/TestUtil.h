//===- TestUtil.h - Helpers for the codec unit tests ------------*- C++ -*-===//
//
// A deterministic RNG and an independent LSB-first bit packer (written from
// docs/Format.md, not shared with lib/Codec) for hand-built streams.
//
//===----------------------------------------------------------------------===//

#ifndef DC_UNITTESTS_CODEC_TESTUTIL_H
#define DC_UNITTESTS_CODEC_TESTUTIL_H

#include "dc/Base/Random.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dc::codec::test {

/// The tests' random numbers: dc's portable PRNG.
using Rng = ::dc::SplitMix64;

/// Packs fields LSB-first: bit i of the stream is bit i % 8 of byte i / 8.
class Packer {
public:
  void put(uint64_t v, unsigned bits) {
    for (unsigned i = 0; i < bits; ++i)
      putBit((v >> i) & 1);
  }
  /// A code of `len` bits, most significant bit first.
  void putCode(uint32_t code, unsigned len) {
    for (unsigned i = len; i-- > 0;)
      putBit((code >> i) & 1);
  }
  void putBit(unsigned b) {
    if (nbits % 8 == 0)
      bytes.push_back(0);
    bytes.back() |= uint8_t((b & 1) << (nbits % 8));
    ++nbits;
  }
  std::vector<uint8_t> bytes;
  uint64_t nbits = 0;
};

} // namespace dc::codec::test

#endif // DC_UNITTESTS_CODEC_TESTUTIL_H
