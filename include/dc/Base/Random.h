//===- Random.h - Portable deterministic random numbers ---------*- C++ -*-===//
//
// One small PRNG for everything in dc that must give the same numbers for
// the same seed on every platform: k-means random initialisation, the
// synthetic models, benchmarks and tests. (std::uniform_*_distribution is
// not portable across standard libraries.)
//
//===----------------------------------------------------------------------===//

#ifndef DC_BASE_RANDOM_H
#define DC_BASE_RANDOM_H

#include <cmath>
#include <cstdint>

namespace dc {

/// splitmix64 (Steele, Lea, Flood 2014).
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state(seed) {}

  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, bound) by multiply-high; bound >= 1.
  uint64_t below(uint64_t bound) {
    return uint64_t((unsigned __int128)next() * bound >> 64);
  }
  /// Uniform in [0, 1), 53 bits.
  double unit() { return double(next() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1], 53 bits.
  double unitOpenZero() { return double((next() >> 11) + 1) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

private:
  uint64_t state;
};

/// Standard normal deviates by Box-Muller over SplitMix64: the same
/// sequence for a seed wherever the C library's log, sin and cos agree.
class Gaussian {
public:
  explicit Gaussian(uint64_t seed) : rng(seed) {}
  double next() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u1 = rng.unitOpenZero(), u2 = rng.unitOpenZero();
    double r = std::sqrt(-2.0 * std::log(u1));
    spare = r * std::sin(2.0 * M_PI * u2);
    hasSpare = true;
    return r * std::cos(2.0 * M_PI * u2);
  }

private:
  SplitMix64 rng;
  double spare = 0;
  bool hasSpare = false;
};

} // namespace dc

#endif // DC_BASE_RANDOM_H
