//===- TestUtil.h - Helpers for the codec unit tests ------------*- C++ -*-===//
//
// A deterministic RNG and an independent LSB-first bit packer (written from
// docs/Format.md, not shared with lib/Codec) for hand-built streams.
//
//===----------------------------------------------------------------------===//

#ifndef DC_UNITTESTS_CODEC_TESTUTIL_H
#define DC_UNITTESTS_CODEC_TESTUTIL_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dc::codec::test {

/// splitmix64: deterministic on every platform.
class Rng {
public:
  explicit Rng(uint64_t seed) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /// Uniform-ish in [0, n), n >= 1.
  uint64_t below(uint64_t n) { return next() % n; }
  /// Uniform in [0, 1).
  double unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  bool chance(double p) { return unit() < p; }

private:
  uint64_t state;
};

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
