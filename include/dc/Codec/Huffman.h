//===- Huffman.h - Canonical length-limited Huffman codes -------*- C++ -*-===//
//
// docs/Format.md section 5: code-length tables, canonical codes, MSB-first
// codes in an LSB-first bit stream.
//
//===----------------------------------------------------------------------===//

#ifndef DC_CODEC_HUFFMAN_H
#define DC_CODEC_HUFFMAN_H

#include "dc/Codec/Format.h"

#include <cstdint>
#include <vector>

namespace dc::codec {

/// Optimal code lengths (package-merge) for `counts`, no length above
/// `maxLength`. Symbols with count 0 get length 0; a single used symbol gets
/// length 1. Deterministic. Requires the number of used symbols to be at most
/// 2^maxLength.
std::vector<uint8_t>
buildCodeLengths(const std::vector<uint64_t> &counts,
                 unsigned maxLength = kMaxHuffmanCodeLength);

/// Checks a code-length table (section 5 "Validity").
Status verifyCodeLengths(ByteSpan lengths,
                         unsigned maxLength = kMaxHuffmanCodeLength);

/// Encodes `symbols` with the canonical code of `lengths` (which must be
/// valid and give every occurring symbol a non-zero length).
StatusOr<std::vector<uint8_t>>
huffmanEncode(const std::vector<uint32_t> &symbols, ByteSpan lengths);

/// Decodes exactly `count` symbols; fails on an invalid table, a bit sequence
/// that matches no code, a short stream, or bytes/padding bits left over.
Status huffmanDecode(ByteSpan stream, ByteSpan lengths, size_t count,
                     std::vector<uint32_t> &symbols);

/// Number of bits `symbols` take under `lengths` (without padding).
uint64_t huffmanBits(const std::vector<uint64_t> &counts, ByteSpan lengths);

} // namespace dc::codec

#endif // DC_CODEC_HUFFMAN_H
