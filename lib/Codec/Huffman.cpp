//===- Huffman.cpp - Canonical length-limited Huffman codes ---------------===//
//
// docs/Format.md section 5. Code lengths come from package-merge (optimal
// under a length limit); codes are canonical (RFC 1951); decoding is one
// table lookup per symbol.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/Huffman.h"

#include "BitStream.h"

#include <algorithm>
#include <numeric>
#include <string>

using namespace dc;
using namespace dc::codec;
using namespace dc::codec::detail;

namespace {

uint64_t saturatingAdd(uint64_t a, uint64_t b) {
  uint64_t s = a + b;
  return s < a ? UINT64_MAX : s;
}

} // namespace

std::vector<uint8_t>
dc::codec::buildCodeLengths(const std::vector<uint64_t> &counts,
                            unsigned maxLength) {
  std::vector<uint8_t> lengths(counts.size(), 0);
  // Used symbols sorted by (count, symbol): deterministic.
  std::vector<uint32_t> used;
  for (size_t s = 0; s < counts.size(); ++s)
    if (counts[s] != 0)
      used.push_back(uint32_t(s));
  size_t n = used.size();
  if (n == 0)
    return lengths;
  if (n == 1) {
    lengths[used[0]] = 1;
    return lengths;
  }
  std::sort(used.begin(), used.end(), [&](uint32_t a, uint32_t b) {
    return counts[a] != counts[b] ? counts[a] < counts[b] : a < b;
  });
  // The limit must admit n leaves; widen it if the caller broke the contract
  // (never the case for the format's alphabets of at most 256 symbols).
  unsigned limit = std::max(1u, maxLength);
  while (limit < 63 && (uint64_t(1) << limit) < n)
    ++limit;

  // Package-merge (Larmore & Hirschberg). Level `limit` holds the leaves;
  // each higher level merges the leaves with the pairs ("packages") of the
  // level below. An item is a leaf (>= 0: position in `used`) or a package
  // (-1). Taking the first 2n-2 items of the top level, every leaf's code
  // length is the number of levels in which it is taken.
  std::vector<std::vector<int32_t>> items(limit + 1);
  std::vector<uint64_t> prevWeights, weights;
  for (unsigned level = limit; level >= 1; --level) {
    std::vector<int32_t> &list = items[level];
    weights.clear();
    list.reserve(2 * n);
    size_t numPackages = level == limit ? 0 : prevWeights.size() / 2;
    size_t li = 0, pi = 0;
    while (li < n || pi < numPackages) {
      uint64_t pw = pi < numPackages ? saturatingAdd(prevWeights[2 * pi],
                                                     prevWeights[2 * pi + 1])
                                     : UINT64_MAX;
      // Leaves first among equal weights.
      if (li < n && (pi >= numPackages || counts[used[li]] <= pw)) {
        list.push_back(int32_t(li));
        weights.push_back(counts[used[li]]);
        ++li;
      } else {
        list.push_back(-1);
        weights.push_back(pw);
        ++pi;
      }
    }
    prevWeights.swap(weights);
    if (level == 1)
      break;
  }
  size_t take = 2 * n - 2;
  for (unsigned level = 1; level <= limit && take > 0; ++level) {
    const std::vector<int32_t> &list = items[level];
    size_t packages = 0;
    for (size_t i = 0; i < take && i < list.size(); ++i) {
      if (list[i] >= 0)
        ++lengths[used[list[i]]];
      else
        ++packages;
    }
    take = 2 * packages;
  }
  return lengths;
}

Status dc::codec::verifyCodeLengths(ByteSpan lengths, unsigned maxLength) {
  if (maxLength > kMaxHuffmanCodeLength)
    maxLength = kMaxHuffmanCodeLength;
  if (lengths.size > 0 && !lengths.data)
    return Status::error("huffman table: null data");
  size_t used = 0, single = 0;
  uint64_t kraft = 0; // in units of 2^-maxLength
  for (size_t s = 0; s < lengths.size; ++s) {
    unsigned len = lengths.data[s];
    if (len == 0)
      continue;
    if (len > maxLength)
      return Status::error("huffman table: symbol " + std::to_string(s) +
                           " has code length " + std::to_string(len) +
                           " > limit " + std::to_string(maxLength));
    ++used;
    single = s;
    kraft += uint64_t(1) << (maxLength - len);
  }
  if (used == 0)
    return Status::success();
  if (used == 1) {
    if (lengths.data[single] != 1)
      return Status::error("huffman table: the only used symbol " +
                           std::to_string(single) + " has code length " +
                           std::to_string(lengths.data[single]) +
                           " (must be 1)");
    return Status::success();
  }
  uint64_t full = uint64_t(1) << maxLength;
  if (kraft > full)
    return Status::error("huffman table: over-subscribed (Kraft sum " +
                         std::to_string(kraft) + "/" + std::to_string(full) +
                         " > 1)");
  if (kraft < full)
    return Status::error("huffman table: incomplete (Kraft sum " +
                         std::to_string(kraft) + "/" + std::to_string(full) +
                         " < 1)");
  return Status::success();
}

StatusOr<std::vector<uint8_t>>
dc::codec::huffmanEncode(const std::vector<uint32_t> &symbols,
                         ByteSpan lengths) {
  if (Status st = verifyCodeLengths(lengths); !st.ok())
    return st;
  std::vector<uint32_t> codes = canonicalCodes(lengths);
  for (size_t s = 0; s < codes.size(); ++s)
    codes[s] = reverseBits(codes[s], lengths.data[s]);
  BitWriter bw;
  for (size_t i = 0; i < symbols.size(); ++i) {
    uint32_t s = symbols[i];
    if (s >= lengths.size || lengths.data[s] == 0)
      return Status::error("huffman encode: symbol " + std::to_string(s) +
                           " at position " + std::to_string(i) +
                           " has no code");
    bw.write(codes[s], lengths.data[s]);
  }
  return bw.finish();
}

Status dc::codec::huffmanDecode(ByteSpan stream, ByteSpan lengths, size_t count,
                                std::vector<uint32_t> &symbols) {
  symbols.clear();
  if (Status st = verifyCodeLengths(lengths); !st.ok())
    return st;
  if (stream.size > 0 && !stream.data)
    return Status::error("huffman stream: null data");
  // Every code has at least one bit: reject before allocating.
  if (uint64_t(count) > uint64_t(stream.size) * 8)
    return Status::error("huffman stream: " + std::to_string(stream.size) +
                         " bytes cannot hold " + std::to_string(count) +
                         " symbols");
  HuffmanTable table;
  table.build(lengths);
  BitReader br(stream);
  symbols.resize(count);
  for (size_t i = 0; i < count; ++i) {
    uint32_t sym = 0;
    HuffmanTable::Result r = table.decode(br, sym);
    if (r != HuffmanTable::Ok) {
      symbols.clear();
      return Status::error(
          std::string("huffman stream: ") +
          (r == HuffmanTable::EndsEarly ? "ends early" : "no code matches") +
          " at bit " + std::to_string(br.bitPos()) + " (symbol " +
          std::to_string(i) + " of " + std::to_string(count) + ")");
    }
    symbols[i] = sym;
  }
  if (!br.atPaddedEnd(stream.data)) {
    uint64_t used = bytesForBits(br.bitPos());
    symbols.clear();
    if (used != stream.size)
      return Status::error(
          "huffman stream: " + std::to_string(stream.size - used) +
          " bytes left over after " + std::to_string(count) + " symbols");
    return Status::error("huffman stream: non-zero padding bits in the last "
                         "byte");
  }
  return Status::success();
}

uint64_t dc::codec::huffmanBits(const std::vector<uint64_t> &counts,
                                ByteSpan lengths) {
  uint64_t bits = 0;
  size_t n = std::min(counts.size(), lengths.size);
  for (size_t s = 0; s < n; ++s)
    bits += counts[s] * lengths.data[s];
  return bits;
}
