//===- ByteSpan.h - A read-only byte range ----------------------*- C++ -*-===//

#ifndef DC_BASE_BYTESPAN_H
#define DC_BASE_BYTESPAN_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dc {

/// A read-only byte range (like std::span<const uint8_t>, C++17-friendly).
struct ByteSpan {
  const uint8_t *data = nullptr;
  size_t size = 0;
  ByteSpan() = default;
  ByteSpan(const uint8_t *d, size_t n) : data(d), size(n) {}
  ByteSpan(const std::vector<uint8_t> &v) : data(v.data()), size(v.size()) {}
};

} // namespace dc

#endif // DC_BASE_BYTESPAN_H
