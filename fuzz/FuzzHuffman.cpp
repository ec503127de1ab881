//===- FuzzHuffman.cpp - libFuzzer target for the Huffman coder -----------===//
//
// Input layout:
//   byte 0      mode: bit 0 set = build the table with buildCodeLengths from
//               the table bytes taken as symbol counts; clear = the table
//               bytes are the code lengths themselves
//   byte 1      alphabet size - 1 (1..256 symbols)
//   bytes 2..3  number of symbols to decode (u16, little-endian)
//   then        one table byte per symbol, then the stream
// Checks: an invalid table never decodes; a successful decode re-encodes to
// exactly the input stream (canonical codes, zero padding, no leftover);
// built tables are valid, within 15 bits and round-trip.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/Huffman.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace dc;
using namespace dc::codec;

namespace {

[[noreturn]] void failCheck(const char *what, const std::string &detail) {
  std::fprintf(stderr, "dc-fuzz-huffman: %s: %s\n", what, detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  bool build = data[0] & 1;
  size_t alphabet = size_t(data[1]) + 1;
  size_t count = size_t(data[2]) | size_t(data[3]) << 8;
  if (size < 4 + alphabet)
    return 0;
  const uint8_t *table = data + 4;
  ByteSpan stream(data + 4 + alphabet, size - 4 - alphabet);

  std::vector<uint8_t> lengths(table, table + alphabet);
  if (build) {
    std::vector<uint64_t> counts(alphabet);
    for (size_t s = 0; s < alphabet; ++s)
      counts[s] = uint64_t(table[s]) * table[s] * (s % 7 + 1);
    lengths = buildCodeLengths(counts);
    Status valid = verifyCodeLengths(ByteSpan(lengths));
    if (!valid.ok())
      failCheck("buildCodeLengths gave an invalid table", valid.message());
    // Round trip: one symbol per stream byte among the used ones.
    std::vector<uint32_t> used, symbols;
    for (size_t s = 0; s < alphabet; ++s) {
      if ((lengths[s] == 0) != (counts[s] == 0))
        failCheck("buildCodeLengths", "used symbols do not match the counts");
      if (lengths[s] > kMaxHuffmanCodeLength)
        failCheck("buildCodeLengths", "length above the limit");
      if (lengths[s])
        used.push_back(uint32_t(s));
    }
    if (!used.empty())
      for (size_t i = 0; i < stream.size; ++i)
        symbols.push_back(used[stream.data[i] % used.size()]);
    StatusOr<std::vector<uint8_t>> enc =
        huffmanEncode(symbols, ByteSpan(lengths));
    if (!enc.ok())
      failCheck("huffmanEncode", enc.message());
    std::vector<uint32_t> dec;
    Status st =
        huffmanDecode(ByteSpan(*enc), ByteSpan(lengths), symbols.size(), dec);
    if (!st.ok() || dec != symbols)
      failCheck("round trip", st.message());
  }

  Status valid = verifyCodeLengths(ByteSpan(lengths));
  std::vector<uint32_t> symbols;
  Status st = huffmanDecode(stream, ByteSpan(lengths), count, symbols);
  if (!valid.ok() && st.ok())
    failCheck("decode accepted an invalid table", valid.message());
  if (!st.ok())
    return 0;
  if (symbols.size() != count)
    failCheck("huffmanDecode", "wrong symbol count");
  StatusOr<std::vector<uint8_t>> enc =
      huffmanEncode(symbols, ByteSpan(lengths));
  if (!enc.ok())
    failCheck("re-encode failed", enc.message());
  if (enc->size() != stream.size ||
      (stream.size && std::memcmp(enc->data(), stream.data, stream.size) != 0))
    failCheck("re-encode", "bytes differ from the input stream");
  return 0;
}
