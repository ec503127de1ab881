//===- HuffmanTest.cpp - Tests of the canonical Huffman codes -------------===//

#include "dc/Codec/Huffman.h"

#include "TestUtil.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <functional>
#include <queue>

using namespace dc;
using namespace dc::codec;
using namespace dc::codec::test;

namespace {

uint64_t cost(const std::vector<uint64_t> &counts,
              const std::vector<uint8_t> &lengths) {
  return huffmanBits(counts, ByteSpan(lengths));
}

/// Plain (unlimited) Huffman: the optimal cost.
uint64_t plainHuffmanCost(const std::vector<uint64_t> &counts,
                          unsigned *maxDepth) {
  struct Node {
    uint64_t w;
    unsigned depth;
  };
  auto cmp = [](const Node &a, const Node &b) { return a.w > b.w; };
  std::priority_queue<Node, std::vector<Node>, decltype(cmp)> q(cmp);
  for (uint64_t c : counts)
    if (c)
      q.push({c, 0});
  *maxDepth = q.size() == 1 ? 1 : 0;
  if (q.size() == 1)
    return q.top().w;
  uint64_t total = 0;
  while (q.size() > 1) {
    Node a = q.top();
    q.pop();
    Node b = q.top();
    q.pop();
    total += a.w + b.w; // each merge adds one bit to all leaves below it
    unsigned d = std::max(a.depth, b.depth) + 1;
    *maxDepth = std::max(*maxDepth, d);
    q.push({a.w + b.w, d});
  }
  return total;
}

/// The cheapest complete code with lengths in [1, limit], by enumeration.
uint64_t bruteForceLimitedCost(const std::vector<uint64_t> &counts,
                               unsigned limit) {
  std::vector<uint64_t> used;
  for (uint64_t c : counts)
    if (c)
      used.push_back(c);
  if (used.size() == 1)
    return used[0];
  uint64_t best = UINT64_MAX;
  std::vector<unsigned> len(used.size(), 1);
  std::function<void(size_t, uint64_t, uint64_t)> rec =
      [&](size_t i, uint64_t kraft, uint64_t c) {
        if (kraft > (uint64_t(1) << limit))
          return;
        if (i == used.size()) {
          if (kraft == (uint64_t(1) << limit))
            best = std::min(best, c);
          return;
        }
        for (unsigned l = 1; l <= limit; ++l)
          rec(i + 1, kraft + (uint64_t(1) << (limit - l)), c + used[i] * l);
      };
  rec(0, 0, 0);
  return best;
}

TEST(Huffman, BuildTrivial) {
  EXPECT_EQ(buildCodeLengths({}), std::vector<uint8_t>{});
  EXPECT_EQ(buildCodeLengths({0, 0, 0}), (std::vector<uint8_t>{0, 0, 0}));
  EXPECT_EQ(buildCodeLengths({0, 7, 0}), (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_EQ(buildCodeLengths({3, 0, 9}), (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(buildCodeLengths({1, 1, 2}), (std::vector<uint8_t>{2, 2, 1}));
  EXPECT_EQ(buildCodeLengths({1, 1, 1, 1}), (std::vector<uint8_t>{2, 2, 2, 2}));
}

TEST(Huffman, OptimalWithoutLimit) {
  Rng rng(1);
  for (int iter = 0; iter < 2000; ++iter) {
    size_t n = 1 + rng.below(40);
    std::vector<uint64_t> counts(n);
    for (auto &c : counts)
      c = rng.chance(0.2) ? 0 : 1 + rng.below(iter % 2 ? 10 : 100000);
    unsigned depth = 0;
    uint64_t want = plainHuffmanCost(counts, &depth);
    std::vector<uint8_t> lengths = buildCodeLengths(counts);
    ASSERT_TRUE(verifyCodeLengths(ByteSpan(lengths)).ok());
    for (size_t s = 0; s < n; ++s)
      ASSERT_EQ(lengths[s] == 0, counts[s] == 0);
    if (depth <= kMaxHuffmanCodeLength)
      ASSERT_EQ(cost(counts, lengths), want) << "iteration " << iter;
    else
      ASSERT_GE(cost(counts, lengths), want);
  }
}

TEST(Huffman, OptimalUnderSmallLimits) {
  Rng rng(2);
  for (int iter = 0; iter < 300; ++iter) {
    size_t n = 2 + rng.below(6);
    std::vector<uint64_t> counts(n);
    for (auto &c : counts)
      c = 1 + rng.below(iter % 3 ? 50 : 1000);
    unsigned limit = 3 + unsigned(rng.below(2));
    if ((size_t(1) << limit) < n)
      continue;
    std::vector<uint8_t> lengths = buildCodeLengths(counts, limit);
    for (uint8_t l : lengths)
      ASSERT_LE(l, limit);
    ASSERT_TRUE(verifyCodeLengths(ByteSpan(lengths), limit).ok());
    ASSERT_EQ(cost(counts, lengths), bruteForceLimitedCost(counts, limit));
  }
}

TEST(Huffman, LengthLimitOnFibonacciCounts) {
  std::vector<uint64_t> counts = {1, 1};
  while (counts.size() < 40)
    counts.push_back(counts[counts.size() - 1] + counts[counts.size() - 2]);
  unsigned depth = 0;
  plainHuffmanCost(counts, &depth);
  EXPECT_GT(depth, 30u); // an unlimited code would be 39 deep
  std::vector<uint8_t> lengths = buildCodeLengths(counts);
  EXPECT_EQ(*std::max_element(lengths.begin(), lengths.end()), 15);
  EXPECT_TRUE(verifyCodeLengths(ByteSpan(lengths)).ok());
  // Same counts, same table.
  EXPECT_EQ(buildCodeLengths(counts), lengths);
  // Long codes (past the decoder's root table) round-trip, also at the very
  // end of a stream.
  std::vector<uint32_t> symbols;
  for (uint32_t rep = 0; rep < 3; ++rep)
    for (uint32_t s = 0; s < counts.size(); ++s)
      symbols.push_back((s * 7 + rep) % uint32_t(counts.size()));
  for (size_t n = 0; n <= symbols.size(); n += 13) {
    std::vector<uint32_t> part(symbols.begin(), symbols.begin() + n);
    auto enc = huffmanEncode(part, ByteSpan(lengths));
    ASSERT_TRUE(enc.ok());
    std::vector<uint32_t> dec;
    Status st = huffmanDecode(ByteSpan(*enc), ByteSpan(lengths), n, dec);
    ASSERT_TRUE(st.ok()) << st.message();
    ASSERT_EQ(dec, part);
    if (!enc->empty()) {
      std::vector<uint8_t> cut(enc->begin(), enc->end() - 1);
      ASSERT_FALSE(
          huffmanDecode(ByteSpan(cut), ByteSpan(lengths), n, dec).ok());
    }
  }
  // A limited code for the first 8 with limit 4 is optimal.
  std::vector<uint64_t> small(counts.begin(), counts.begin() + 8);
  std::vector<uint8_t> l4 = buildCodeLengths(small, 4);
  EXPECT_EQ(cost(small, l4), bruteForceLimitedCost(small, 4));
  // 256 used symbols with Fibonacci-like counts still fit 15 bits.
  std::vector<uint64_t> many(256);
  for (size_t i = 0; i < many.size(); ++i)
    many[i] = i < 40 ? counts[i] : counts[39] + i;
  std::vector<uint8_t> lm = buildCodeLengths(many);
  EXPECT_TRUE(verifyCodeLengths(ByteSpan(lm)).ok());
  EXPECT_LE(*std::max_element(lm.begin(), lm.end()), 15);
}

TEST(Huffman, CanonicalCodesGolden) {
  // Lengths {2,1,3,3}: codes 1 -> 0, 0 -> 10, 2 -> 110, 3 -> 111, written
  // most significant code bit first into the LSB-first stream.
  std::vector<uint8_t> lengths = {2, 1, 3, 3};
  auto enc = huffmanEncode({1, 0, 3, 2}, ByteSpan(lengths));
  ASSERT_TRUE(enc.ok()) << enc.message();
  EXPECT_EQ(*enc, (std::vector<uint8_t>{0xFA, 0x00}));
  std::vector<uint32_t> dec;
  ASSERT_TRUE(huffmanDecode(ByteSpan(*enc), ByteSpan(lengths), 4, dec).ok());
  EXPECT_EQ(dec, (std::vector<uint32_t>{1, 0, 3, 2}));
  // Single used symbol: the code is the bit 0.
  std::vector<uint8_t> one = {0, 0, 1};
  auto e1 = huffmanEncode({2, 2, 2}, ByteSpan(one));
  ASSERT_TRUE(e1.ok());
  EXPECT_EQ(*e1, (std::vector<uint8_t>{0x00}));
}

TEST(Huffman, CanonicalMatchesIndependentAssignment) {
  Rng rng(3);
  for (int iter = 0; iter < 200; ++iter) {
    size_t n = 2 + rng.below(60);
    std::vector<uint64_t> counts(n);
    for (auto &c : counts)
      c = rng.chance(0.3) ? 0 : 1 + rng.below(1000);
    std::vector<uint8_t> lengths = buildCodeLengths(counts);
    // Independent canonical assignment: sort by (length, symbol).
    std::vector<uint32_t> order;
    for (uint32_t s = 0; s < n; ++s)
      if (lengths[s])
        order.push_back(s);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return lengths[a] != lengths[b] ? lengths[a] < lengths[b] : a < b;
    });
    std::vector<uint32_t> code(n, 0);
    uint32_t c = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      if (i > 0)
        c = (c + 1) << (lengths[order[i]] - lengths[order[i - 1]]);
      code[order[i]] = c;
    }
    std::vector<uint32_t> symbols;
    Packer pk;
    for (int i = 0; i < 100 && !order.empty(); ++i) {
      uint32_t s = order[rng.below(order.size())];
      symbols.push_back(s);
      pk.putCode(code[s], lengths[s]);
    }
    auto enc = huffmanEncode(symbols, ByteSpan(lengths));
    ASSERT_TRUE(enc.ok());
    ASSERT_EQ(*enc, pk.bytes);
  }
}

TEST(Huffman, RoundTripRandom) {
  Rng rng(4);
  for (int iter = 0; iter < 300; ++iter) {
    size_t alphabet = 1 + rng.below(256);
    size_t count = rng.below(iter % 10 == 0 ? 20000 : 500);
    std::vector<uint32_t> symbols(count);
    // Skewed distribution.
    for (auto &s : symbols) {
      uint64_t r = rng.below(alphabet);
      s = uint32_t(rng.chance(0.5) ? r / 4 : r);
    }
    std::vector<uint64_t> counts(alphabet, 0);
    for (uint32_t s : symbols)
      ++counts[s];
    std::vector<uint8_t> lengths = buildCodeLengths(counts);
    auto enc = huffmanEncode(symbols, ByteSpan(lengths));
    ASSERT_TRUE(enc.ok()) << enc.message();
    uint64_t bits = huffmanBits(counts, ByteSpan(lengths));
    ASSERT_EQ(enc->size(), (bits + 7) / 8);
    std::vector<uint32_t> dec;
    Status st = huffmanDecode(ByteSpan(*enc), ByteSpan(lengths), count, dec);
    ASSERT_TRUE(st.ok()) << st.message();
    ASSERT_EQ(dec, symbols);
  }
}

TEST(Huffman, VerifyRejectsInvalidTables) {
  auto bad = [](std::vector<uint8_t> l, const char *what) {
    Status st = verifyCodeLengths(ByteSpan(l));
    EXPECT_FALSE(st.ok()) << what;
    return st.message();
  };
  EXPECT_TRUE(verifyCodeLengths(ByteSpan()).ok());
  EXPECT_TRUE(verifyCodeLengths(ByteSpan(std::vector<uint8_t>{0, 0})).ok());
  EXPECT_TRUE(verifyCodeLengths(ByteSpan(std::vector<uint8_t>{0, 1})).ok());
  EXPECT_TRUE(verifyCodeLengths(ByteSpan(std::vector<uint8_t>{1, 1})).ok());
  EXPECT_NE(bad({1, 1, 1}, "over").find("over-subscribed"), std::string::npos);
  EXPECT_NE(bad({1, 2}, "incomplete").find("incomplete"), std::string::npos);
  EXPECT_NE(bad({0, 2, 0}, "single").find("must be 1"), std::string::npos);
  EXPECT_NE(bad({0, 15}, "single15").find("must be 1"), std::string::npos);
  EXPECT_NE(bad({1, 16}, "16").find("> limit"), std::string::npos);
  EXPECT_NE(bad({255, 1}, "255").find("> limit"), std::string::npos);
  // Valid 15-bit code: 1,2,...,14,15,15.
  std::vector<uint8_t> deep;
  for (uint8_t l = 1; l <= 15; ++l)
    deep.push_back(l);
  deep.push_back(15);
  EXPECT_TRUE(verifyCodeLengths(ByteSpan(deep)).ok());
  deep.back() = 0;
  bad(deep, "deep incomplete");
  // A custom limit.
  EXPECT_FALSE(verifyCodeLengths(ByteSpan(deep), 14).ok());
}

TEST(Huffman, DecodeRejectsCorruptStreams) {
  std::vector<uint8_t> lengths = {2, 1, 3, 3};
  std::vector<uint32_t> out;
  auto decode = [&](std::vector<uint8_t> s, size_t n) {
    return huffmanDecode(ByteSpan(s), ByteSpan(lengths), n, out);
  };
  EXPECT_TRUE(decode({0xFA, 0x00}, 4).ok());
  // Ends early: the 7 zero bits after the 9 code bits are 7 more 1s (code
  // 0); a 12th symbol is missing.
  EXPECT_TRUE(decode({0xFA, 0x00}, 11).ok());
  Status st = decode({0xFA, 0x00}, 12);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("ends early"), std::string::npos) << st.message();
  EXPECT_FALSE(decode({0xFA}, 4).ok());
  // Leftover byte.
  st = decode({0xFA, 0x00, 0x00}, 4);
  EXPECT_NE(st.message().find("left over"), std::string::npos) << st.message();
  // Non-zero padding.
  st = decode({0xFA, 0x02}, 4);
  EXPECT_NE(st.message().find("padding"), std::string::npos) << st.message();
  // Count exceeding 8 bits per byte is rejected before decoding.
  EXPECT_FALSE(decode({0xFA, 0x00}, 17).ok());
  // Empty stream with zero symbols, any valid table.
  EXPECT_TRUE(decode({}, 0).ok());
  EXPECT_FALSE(decode({0x00}, 0).ok());
  // Single-symbol code: a 1 bit matches no code.
  lengths = {0, 1};
  EXPECT_TRUE(decode({0x00}, 8).ok());
  EXPECT_EQ(out, std::vector<uint32_t>(8, 1));
  st = decode({0x04}, 8);
  EXPECT_NE(st.message().find("no code"), std::string::npos) << st.message();
  // No used symbol: only zero symbols.
  lengths = {0, 0};
  EXPECT_TRUE(decode({}, 0).ok());
  EXPECT_FALSE(decode({0x00}, 1).ok());
  // Invalid table.
  lengths = {1, 1, 1};
  EXPECT_FALSE(decode({0x00}, 1).ok());
  // Encoding a symbol without a code fails.
  lengths = {1, 1, 0};
  EXPECT_FALSE(huffmanEncode({2}, ByteSpan(lengths)).ok());
  EXPECT_FALSE(huffmanEncode({3}, ByteSpan(lengths)).ok());
}

TEST(Huffman, DecodeRandomGarbageIsSafe) {
  Rng rng(5);
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<uint64_t> counts(1 + rng.below(20));
    for (auto &c : counts)
      c = rng.below(30);
    std::vector<uint8_t> lengths = buildCodeLengths(counts);
    std::vector<uint8_t> stream(rng.below(16));
    for (auto &b : stream)
      b = uint8_t(rng.next());
    std::vector<uint32_t> out;
    size_t count = rng.below(40);
    Status st = huffmanDecode(ByteSpan(stream), ByteSpan(lengths), count, out);
    if (st.ok()) {
      ASSERT_EQ(out.size(), count);
      auto enc = huffmanEncode(out, ByteSpan(lengths));
      ASSERT_TRUE(enc.ok());
      ASSERT_EQ(*enc, stream);
    } else {
      ASSERT_TRUE(out.empty());
    }
  }
}

} // namespace
