//===- BitStream.h - LSB-first bit streams and Huffman tables ---*- C++ -*-===//
//
// Internal helpers of the codec (docs/Format.md sections 4 and 5): a bit
// writer and a bounds-checked bit reader for LSB-first streams, canonical code
// assignment and a table-driven canonical Huffman decoder.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_CODEC_BITSTREAM_H
#define DC_LIB_CODEC_BITSTREAM_H

#include "dc/Base/Bits.h"
#include "dc/Codec/Format.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dc::codec::detail {

/// Appends fixed-width fields LSB-first (bit i of the stream is bit i % 8 of
/// byte i / 8). The last byte's unused high bits stay zero.
class BitWriter {
public:
  void reserveBits(uint64_t bits) { out.reserve(bytesForBits(bits)); }

  /// Appends the low `n` bits of `value`, least significant first. n <= 32.
  void write(uint64_t value, unsigned n) {
    if (n == 0)
      return;
    acc |= (value & ((uint64_t(1) << n) - 1)) << cnt;
    cnt += n;
    while (cnt >= 8) {
      out.push_back(uint8_t(acc));
      acc >>= 8;
      cnt -= 8;
    }
  }

  std::vector<uint8_t> finish() {
    if (cnt > 0)
      out.push_back(uint8_t(acc));
    acc = 0;
    cnt = 0;
    return std::move(out);
  }

private:
  std::vector<uint8_t> out;
  uint64_t acc = 0;
  unsigned cnt = 0;
};

/// Reads an LSB-first stream. Never touches memory outside [data, data+size).
/// Bits past the end read as zero; callers check bitsLeft() before consuming.
class BitReader {
public:
  BitReader() = default;
  explicit BitReader(ByteSpan s)
      : p(s.data), end(s.data + s.size), totalBits(uint64_t(s.size) * 8) {}

  /// Makes at least min(57, bitsLeft()) bits available to peek().
  void refill() {
    if (cnt > 56)
      return;
    if (end - p >= 8) {
      uint64_t w = 0;
      for (unsigned i = 0; i < 8; ++i)
        w |= uint64_t(p[i]) << (8 * i);
      buf |= w << cnt;
      p += (63 - cnt) >> 3;
      cnt |= 56;
      return;
    }
    while (cnt <= 56 && p < end) {
      buf |= uint64_t(*p++) << cnt;
      cnt += 8;
    }
  }

  /// The next `n` (<= 32) bits, after refill(); missing bits are zero.
  uint32_t peek(unsigned n) const {
    return uint32_t(buf & ((uint64_t(1) << n) - 1));
  }

  /// Drops `n` bits; requires n <= bitsLeft() and a preceding refill().
  void consume(unsigned n) {
    buf >>= n;
    cnt -= n;
    pos += n;
  }

  /// Reads `n` <= 32 bits; false if the stream has fewer left.
  bool read(unsigned n, uint32_t &v) {
    if (n == 0) {
      v = 0;
      return true;
    }
    if (bitsLeft() < n)
      return false;
    refill();
    v = peek(n);
    consume(n);
    return true;
  }

  uint64_t bitPos() const { return pos; }
  uint64_t bitsLeft() const { return totalBits - pos; }

  /// True if the bits from the current position to the end of the current
  /// byte are zero and no whole byte follows (exact consumption + padding).
  bool atPaddedEnd(const uint8_t *base) const {
    if (bytesForBits(pos) * 8 != totalBits)
      return false;
    if (pos % 8 == 0)
      return true;
    return (base[pos / 8] >> (pos % 8)) == 0;
  }

private:
  const uint8_t *p = nullptr, *end = nullptr;
  uint64_t buf = 0;
  unsigned cnt = 0;
  uint64_t pos = 0, totalBits = 0;
};

/// Canonical codes (RFC 1951 3.2.2) for a valid length table; 0 for unused
/// symbols. Codes are MSB-first values of `lengths[s]` bits.
inline std::vector<uint32_t> canonicalCodes(ByteSpan lengths) {
  unsigned count[kMaxHuffmanCodeLength + 2] = {0};
  for (size_t s = 0; s < lengths.size; ++s)
    if (lengths.data[s] <= kMaxHuffmanCodeLength)
      ++count[lengths.data[s]];
  count[0] = 0;
  uint32_t next[kMaxHuffmanCodeLength + 2] = {0};
  uint32_t code = 0;
  for (unsigned len = 1; len <= kMaxHuffmanCodeLength; ++len) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  std::vector<uint32_t> codes(lengths.size, 0);
  for (size_t s = 0; s < lengths.size; ++s) {
    unsigned len = lengths.data[s];
    if (len != 0 && len <= kMaxHuffmanCodeLength)
      codes[s] = next[len]++;
  }
  return codes;
}

/// A canonical Huffman decoder: a table indexed by the next
/// min(maxLen, kRootBits) stream bits resolves codes up to kRootBits long in
/// one lookup; longer codes (rare: they have tiny counts) take a canonical
/// first-code/count walk over the remaining lengths.
class HuffmanTable {
public:
  static constexpr unsigned kRootBits = 10;

  /// `lengths` must be valid (verifyCodeLengths).
  void build(ByteSpan lengths) {
    maxLen = 0;
    for (size_t s = 0; s < lengths.size; ++s)
      if (lengths.data[s] > maxLen && lengths.data[s] <= kMaxHuffmanCodeLength)
        maxLen = lengths.data[s];
    rootBits = maxLen < kRootBits ? maxLen : kRootBits;
    root.assign(size_t(1) << rootBits, 0);
    sorted.clear();
    for (unsigned len = 0; len <= kMaxHuffmanCodeLength; ++len)
      count[len] = first[len] = index[len] = 0;
    if (maxLen == 0)
      return;
    std::vector<uint32_t> codes = canonicalCodes(lengths);
    for (size_t s = 0; s < lengths.size; ++s)
      if (lengths.data[s] != 0)
        ++count[lengths.data[s]];
    // Symbols sorted by (length, symbol): canonical order.
    uint32_t idx = 0;
    for (unsigned len = 1; len <= maxLen; ++len) {
      index[len] = idx;
      idx += count[len];
    }
    sorted.resize(idx);
    uint32_t fill[kMaxHuffmanCodeLength + 1];
    for (unsigned len = 1; len <= maxLen; ++len)
      fill[len] = index[len];
    for (size_t s = 0; s < lengths.size; ++s) {
      unsigned len = lengths.data[s];
      if (len == 0 || len > kMaxHuffmanCodeLength)
        continue;
      if (fill[len] == index[len])
        first[len] = codes[s]; // the smallest code of this length
      sorted[fill[len]++] = uint32_t(s);
      if (len <= rootBits) {
        uint32_t rev = reverseBits(codes[s], len);
        uint32_t entry = (uint32_t(s) << 4) | len;
        for (size_t i = rev; i < root.size(); i += size_t(1) << len)
          root[i] = entry;
      } else {
        root[reverseBits(codes[s] >> (len - rootBits), rootBits)] = kLong;
      }
    }
  }

  enum Result { Ok = 0, EndsEarly = 1, NoCode = 2 };

  /// Decodes one symbol from `br`.
  Result decode(BitReader &br, uint32_t &sym) const {
    uint64_t left = br.bitsLeft();
    if (left == 0)
      return EndsEarly;
    br.refill();
    uint32_t e = root[br.peek(rootBits)];
    unsigned len = e & 15;
    if (e == kLong)
      return decodeLong(br, left, sym);
    if (len == 0)
      return NoCode;
    if (len > left)
      return EndsEarly;
    br.consume(len);
    sym = e >> 4;
    return Ok;
  }

  unsigned maxLength() const { return maxLen; }

private:
  static constexpr uint32_t kLong = 0xffffffffu;

  Result decodeLong(BitReader &br, uint64_t left, uint32_t &sym) const {
    uint32_t bits = br.peek(maxLen), code = 0;
    for (unsigned len = 1; len <= maxLen; ++len) {
      code = (code << 1) | ((bits >> (len - 1)) & 1);
      if (code - first[len] < count[len]) {
        if (len > left)
          return EndsEarly;
        br.consume(len);
        sym = sorted[index[len] + (code - first[len])];
        return Ok;
      }
    }
    return NoCode;
  }

  unsigned maxLen = 0, rootBits = 0;
  std::vector<uint32_t> root;
  std::vector<uint32_t> sorted;
  uint32_t count[kMaxHuffmanCodeLength + 1] = {0};
  uint32_t first[kMaxHuffmanCodeLength + 1] = {0};
  uint32_t index[kMaxHuffmanCodeLength + 1] = {0};
};

} // namespace dc::codec::detail

#endif // DC_LIB_CODEC_BITSTREAM_H
