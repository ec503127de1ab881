//===- PruneTest.cpp - Tests of magnitude pruning -------------------------===//

#include "dc/Codec/Prune.h"

#include "TestUtil.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace dc;
using namespace dc::codec;
using namespace dc::codec::test;

namespace {

size_t countKept(const std::vector<uint8_t> &m) {
  return size_t(std::count(m.begin(), m.end(), 1));
}

TEST(Prune, ExactCountsAndOrder) {
  Rng rng(200);
  for (int iter = 0; iter < 300; ++iter) {
    size_t n = rng.below(iter % 10 == 0 ? 20000 : 300);
    std::vector<float> w(n);
    for (auto &v : w) {
      // Few distinct magnitudes so that ties are common.
      v = iter % 2 ? float(int(rng.below(9)) - 4) * 0.5f
                   : float(rng.unit() - 0.5);
    }
    double s = rng.unit();
    auto m = pruneBySparsity(w.data(), n, s);
    ASSERT_TRUE(m.ok()) << m.message();
    size_t want = size_t(std::ceil((1.0 - s) * double(n) - 1e-9));
    ASSERT_EQ(countKept(*m), want) << "n " << n << " s " << s;
    // Every kept magnitude >= every pruned one; among equal magnitudes at
    // the boundary, kept positions come first.
    float minKept = INFINITY, maxPruned = -1;
    for (size_t i = 0; i < n; ++i) {
      if ((*m)[i])
        minKept = std::min(minKept, std::fabs(w[i]));
      else
        maxPruned = std::max(maxPruned, std::fabs(w[i]));
    }
    ASSERT_GE(minKept, maxPruned);
    if (minKept == maxPruned) {
      bool seenPruned = false;
      for (size_t i = 0; i < n; ++i) {
        if (std::fabs(w[i]) != minKept)
          continue;
        if (!(*m)[i])
          seenPruned = true;
        else
          ASSERT_FALSE(seenPruned) << "tie kept after a pruned tie at " << i;
      }
    }
  }
}

TEST(Prune, TiesAndBounds) {
  std::vector<float> w = {1, -1, 1, -1, 1, -1};
  auto m = pruneBySparsity(w.data(), w.size(), 0.5);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (std::vector<uint8_t>{1, 1, 1, 0, 0, 0}));
  std::vector<float> v = {0.1f, -3.0f, 0.5f, -0.5f, 0.5f, 2.0f, 0.0f, -0.0f};
  m = pruneBySparsity(v.data(), v.size(), 0.5); // keep 4: 3, 2, then 0.5s
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (std::vector<uint8_t>{0, 1, 1, 1, 0, 1, 0, 0}));
  m = pruneBySparsity(v.data(), v.size(), 0.0);
  EXPECT_EQ(countKept(*m), 8u);
  m = pruneBySparsity(v.data(), v.size(), 1.0);
  EXPECT_EQ(countKept(*m), 0u);
  m = pruneBySparsity(v.data(), v.size(), 0.99); // ceil(0.08) = 1
  EXPECT_EQ(*m, (std::vector<uint8_t>{0, 1, 0, 0, 0, 0, 0, 0}));
  // (1 - 0.7) * 10 is 3.0000000000000004 in doubles: keeps 3.
  std::vector<float> ten(10);
  for (int i = 0; i < 10; ++i)
    ten[i] = float(i);
  m = pruneBySparsity(ten.data(), 10, 0.7);
  EXPECT_EQ(countKept(*m), 3u);
  m = pruneBySparsity(ten.data(), 10, 0.92);
  EXPECT_EQ(countKept(*m), 1u);
  // LeNet fc1 at 92% sparsity keeps 18816 of 235200.
  std::vector<float> fc1(235200);
  for (size_t i = 0; i < fc1.size(); ++i)
    fc1[i] = float(i % 1000);
  m = pruneBySparsity(fc1.data(), fc1.size(), 0.92);
  EXPECT_EQ(countKept(*m), 18816u);
  // Empty input.
  m = pruneBySparsity(nullptr, 0, 0.5);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->empty());
  // Invalid arguments.
  EXPECT_FALSE(pruneBySparsity(v.data(), v.size(), -0.01).ok());
  EXPECT_FALSE(pruneBySparsity(v.data(), v.size(), 1.01).ok());
  EXPECT_FALSE(pruneBySparsity(v.data(), v.size(), std::nan("")).ok());
  v[3] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(pruneBySparsity(v.data(), v.size(), 0.5).ok());
  // Infinite magnitudes are the largest.
  v[3] = -INFINITY;
  m = pruneBySparsity(v.data(), v.size(), 0.875);
  EXPECT_EQ(*m, (std::vector<uint8_t>{0, 0, 0, 1, 0, 0, 0, 0}));
}

TEST(Prune, Quality) {
  std::vector<float> w = {-2, -1, 0, 1, 2};
  EXPECT_DOUBLE_EQ(standardDeviation(w.data(), w.size()), std::sqrt(2.0));
  EXPECT_EQ(standardDeviation(nullptr, 0), 0.0);
  auto m = pruneByQuality(w.data(), w.size(), 1.0); // |w| > 1.414
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (std::vector<uint8_t>{1, 0, 0, 0, 1}));
  m = pruneByQuality(w.data(), w.size(), 0.0); // |w| > 0
  EXPECT_EQ(*m, (std::vector<uint8_t>{1, 1, 0, 1, 1}));
  m = pruneByQuality(w.data(), w.size(), 10.0);
  EXPECT_EQ(countKept(*m), 0u);
  EXPECT_FALSE(pruneByQuality(w.data(), w.size(), -1.0).ok());
  EXPECT_FALSE(pruneByQuality(w.data(), w.size(), std::nan("")).ok());
  w[2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(pruneByQuality(w.data(), w.size(), 1.0).ok());
  m = pruneByQuality(nullptr, 0, 1.0);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->empty());
}

} // namespace
