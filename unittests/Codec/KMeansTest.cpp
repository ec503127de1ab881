//===- KMeansTest.cpp - Tests of 1-D k-means ------------------------------===//

#include "dc/Codec/KMeans.h"
#include "dc/Base/Random.h"

#include "TestUtil.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

using namespace dc;
using namespace dc::codec;
using namespace dc::codec::test;

namespace {

/// The naive O(n k iterations) Lloyd with the same initialization.
KMeansResult referenceKMeans(const std::vector<float> &w,
                             const std::vector<uint8_t> &mask,
                             const KMeansOptions &o) {
  KMeansResult r;
  r.assignment.assign(w.size(), -1);
  std::vector<float> x;
  std::vector<size_t> where;
  for (size_t i = 0; i < w.size(); ++i)
    if (mask.empty() || mask[i]) {
      x.push_back(w[i]);
      where.push_back(i);
    }
  size_t m = x.size();
  if (m == 0)
    return r;
  std::vector<float> xs = x;
  std::sort(xs.begin(), xs.end());
  std::vector<float> c;
  if (o.init == KMeansInit::Linear) {
    if (o.k == 1) {
      double s = 0;
      for (float v : x)
        s += v;
      c.push_back(float(s / double(m)));
    } else {
      for (unsigned i = 0; i < o.k; ++i)
        c.push_back(float(double(xs[0]) + (double(xs[m - 1]) - double(xs[0])) *
                                              double(i) / double(o.k - 1)));
    }
  } else if (o.init == KMeansInit::Density) {
    for (unsigned i = 0; i < o.k; ++i)
      c.push_back(
          xs[std::min<size_t>(m - 1, size_t((i + 0.5) * double(m) / o.k))]);
  } else {
    size_t kk = std::min<size_t>(o.k, m);
    std::set<size_t> chosen;
    if (kk == m) {
      for (size_t i = 0; i < m; ++i)
        chosen.insert(i);
    } else {
      SplitMix64 rng(o.seed);
      for (size_t j = m - kk; j < m; ++j) {
        size_t t = size_t(rng.below(j + 1));
        chosen.insert(chosen.count(t) ? j : t);
      }
    }
    for (size_t p : chosen)
      c.push_back(xs[p]);
  }
  std::sort(c.begin(), c.end());
  std::vector<size_t> assign(m), prev;
  unsigned iters = 0;
  while (true) {
    for (size_t i = 0; i < m; ++i) {
      size_t best = 0;
      double bd = std::fabs(double(x[i]) - double(c[0]));
      for (size_t j = 1; j < c.size(); ++j) {
        double d = std::fabs(double(x[i]) - double(c[j]));
        if (d < bd) {
          bd = d;
          best = j;
        }
      }
      assign[i] = best;
    }
    if (assign == prev || iters >= o.maxIterations)
      break;
    std::vector<double> sum(c.size(), 0.0);
    std::vector<size_t> cnt(c.size(), 0);
    for (size_t i = 0; i < m; ++i) {
      sum[assign[i]] += x[i];
      ++cnt[assign[i]];
    }
    for (size_t j = 0; j < c.size(); ++j)
      if (cnt[j])
        c[j] = float(sum[j] / double(cnt[j]));
    std::sort(c.begin(), c.end());
    ++iters;
    prev = assign;
  }
  r.iterations = iters;
  std::set<float> used;
  for (size_t i = 0; i < m; ++i)
    used.insert(c[assign[i]]);
  r.centroids.assign(used.begin(), used.end());
  for (size_t i = 0; i < m; ++i)
    r.assignment[where[i]] = int32_t(
        std::lower_bound(r.centroids.begin(), r.centroids.end(), c[assign[i]]) -
        r.centroids.begin());
  return r;
}

void checkWellFormed(const KMeansResult &r, const std::vector<float> &w,
                     const std::vector<uint8_t> &mask, unsigned k) {
  ASSERT_LE(r.centroids.size(), k);
  for (size_t j = 1; j < r.centroids.size(); ++j)
    ASSERT_LT(r.centroids[j - 1], r.centroids[j]);
  std::vector<bool> used(r.centroids.size(), false);
  ASSERT_EQ(r.assignment.size(), w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    if (!mask.empty() && !mask[i]) {
      ASSERT_EQ(r.assignment[i], -1);
      continue;
    }
    ASSERT_GE(r.assignment[i], 0);
    ASSERT_LT(size_t(r.assignment[i]), r.centroids.size());
    used[r.assignment[i]] = true;
  }
  for (bool u : used)
    ASSERT_TRUE(u);
}

/// Dyadic values (multiples of 1/1024 in [-4, 4]): every double sum is
/// exact, so the sort-based and the naive Lloyd agree bit for bit.
std::vector<float> dyadicWeights(Rng &rng, size_t n, int spread) {
  std::vector<float> w(n);
  for (auto &v : w) {
    double g = 0;
    for (int i = 0; i < 4; ++i)
      g += rng.unit() - 0.5;
    v = float(std::round(g * spread) / 1024.0);
  }
  return w;
}

TEST(KMeans, MatchesNaiveLloyd) {
  Rng rng(100);
  const KMeansInit inits[] = {KMeansInit::Linear, KMeansInit::Density,
                              KMeansInit::Random};
  for (int iter = 0; iter < 240; ++iter) {
    size_t n = 1 + rng.below(iter % 4 == 0 ? 2000 : 200);
    std::vector<float> w = dyadicWeights(rng, n, iter % 5 == 0 ? 8 : 2048);
    std::vector<uint8_t> mask;
    if (iter % 3 == 0) {
      mask.resize(n);
      for (auto &m : mask)
        m = rng.chance(0.6);
    }
    KMeansOptions o;
    o.k = 1 + unsigned(rng.below(iter % 2 ? 8 : 70));
    o.init = inits[iter % 3];
    o.seed = rng.next();
    o.maxIterations = iter % 7 == 0 ? unsigned(rng.below(4)) : 100;
    SCOPED_TRACE("iteration " + std::to_string(iter) + " n " +
                 std::to_string(n) + " k " + std::to_string(o.k) + " init " +
                 std::to_string(int(o.init)));
    auto got = kmeans1D(w.data(), n, mask.empty() ? nullptr : mask.data(), o);
    ASSERT_TRUE(got.ok()) << got.message();
    KMeansResult want = referenceKMeans(w, mask, o);
    checkWellFormed(*got, w, mask, o.k);
    ASSERT_EQ(got->centroids, want.centroids);
    ASSERT_EQ(got->assignment, want.assignment);
    ASSERT_EQ(got->iterations, want.iterations);
  }
}

TEST(KMeans, GeneralFloatsCloseToNaive) {
  Rng rng(101);
  for (int iter = 0; iter < 30; ++iter) {
    size_t n = 500 + rng.below(500);
    std::vector<float> w(n);
    for (auto &v : w)
      v = float((rng.unit() - 0.5) * 0.1 + (rng.chance(0.5) ? 0.03 : -0.03));
    KMeansOptions o;
    o.k = 16;
    auto got = kmeans1D(w.data(), n, nullptr, o);
    ASSERT_TRUE(got.ok());
    checkWellFormed(*got, w, {}, o.k);
    KMeansResult want = referenceKMeans(w, {}, o);
    ASSERT_EQ(got->centroids.size(), want.centroids.size());
    for (size_t j = 0; j < want.centroids.size(); ++j)
      EXPECT_NEAR(got->centroids[j], want.centroids[j], 1e-6);
    // Every weight is at its nearest centroid.
    for (size_t i = 0; i < n; ++i) {
      float d = std::fabs(w[i] - got->centroids[got->assignment[i]]);
      for (float c : got->centroids)
        ASSERT_LE(d, std::fabs(w[i] - c) + 1e-7f);
    }
  }
}

TEST(KMeans, Deterministic) {
  Rng rng(102);
  std::vector<float> w = dyadicWeights(rng, 5000, 2048);
  KMeansOptions o;
  o.k = 32;
  o.init = KMeansInit::Random;
  o.seed = 7;
  auto a = kmeans1D(w.data(), w.size(), nullptr, o);
  auto b = kmeans1D(w.data(), w.size(), nullptr, o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->centroids, b->centroids);
  EXPECT_EQ(a->assignment, b->assignment);
  o.seed = 8;
  o.maxIterations = 0;
  auto c = kmeans1D(w.data(), w.size(), nullptr, o);
  o.seed = 7;
  auto d = kmeans1D(w.data(), w.size(), nullptr, o);
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_NE(c->centroids, d->centroids); // different initial picks
}

TEST(KMeans, EdgeCases) {
  KMeansOptions o;
  o.k = 4;
  // Empty input and all masked: no centroids, no error.
  auto r = kmeans1D(nullptr, 0, nullptr, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->centroids.empty());
  std::vector<float> w = {1.0f, 2.0f, 3.0f};
  std::vector<uint8_t> none = {0, 0, 0};
  r = kmeans1D(w.data(), 3, none.data(), o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->centroids.empty());
  EXPECT_EQ(r->assignment, (std::vector<int32_t>{-1, -1, -1}));
  // One distinct value.
  std::vector<float> same(10, 0.25f);
  for (KMeansInit init :
       {KMeansInit::Linear, KMeansInit::Density, KMeansInit::Random}) {
    o.init = init;
    r = kmeans1D(same.data(), same.size(), nullptr, o);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->centroids, std::vector<float>{0.25f});
    EXPECT_EQ(r->assignment, std::vector<int32_t>(10, 0));
  }
  // k = 1: the mean.
  o.k = 1;
  o.init = KMeansInit::Linear;
  r = kmeans1D(w.data(), 3, nullptr, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->centroids, std::vector<float>{2.0f});
  // k >= n: every distinct value is its own centroid.
  o.k = 8;
  for (KMeansInit init :
       {KMeansInit::Linear, KMeansInit::Density, KMeansInit::Random}) {
    o.init = init;
    r = kmeans1D(w.data(), 3, nullptr, o);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->centroids, w);
    EXPECT_EQ(r->assignment, (std::vector<int32_t>{0, 1, 2}));
  }
  // -0.0 and +0.0 are one value.
  std::vector<float> zeros = {-0.0f, 0.0f, 1.0f};
  o.k = 2;
  o.init = KMeansInit::Linear;
  r = kmeans1D(zeros.data(), 3, nullptr, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->assignment, (std::vector<int32_t>{0, 0, 1}));
  // Range checks.
  o.k = 0;
  EXPECT_FALSE(kmeans1D(w.data(), 3, nullptr, o).ok());
  o.k = 65537;
  EXPECT_FALSE(kmeans1D(w.data(), 3, nullptr, o).ok());
  o.k = 65536;
  EXPECT_TRUE(kmeans1D(w.data(), 3, nullptr, o).ok());
  // Non-finite weights are errors unless masked out.
  o.k = 2;
  std::vector<float> bad = {1.0f, std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::infinity()};
  EXPECT_FALSE(kmeans1D(bad.data(), 3, nullptr, o).ok());
  std::vector<uint8_t> m1 = {1, 0, 1};
  EXPECT_FALSE(kmeans1D(bad.data(), 3, m1.data(), o).ok());
  std::vector<uint8_t> m2 = {1, 0, 0};
  EXPECT_TRUE(kmeans1D(bad.data(), 3, m2.data(), o).ok());
}

TEST(KMeans, TinyValuesAndSignedZeros) {
  // Midpoints between denormals and zeros exercise the key-space thresholds
  // of the final assignment.
  std::vector<float> w = {-1e-40f, -0.0f,  0.0f,   1e-40f,  2e-40f,
                          -3e-45f, 1e-38f, 3e-45f, -2e-40f, 0.0f};
  for (unsigned k = 1; k <= 8; ++k)
    for (KMeansInit init :
         {KMeansInit::Linear, KMeansInit::Density, KMeansInit::Random}) {
      KMeansOptions o;
      o.k = k;
      o.init = init;
      o.seed = k;
      auto got = kmeans1D(w.data(), w.size(), nullptr, o);
      ASSERT_TRUE(got.ok());
      checkWellFormed(*got, w, {}, k);
      KMeansResult want = referenceKMeans(w, {}, o);
      EXPECT_EQ(got->centroids, want.centroids) << "k " << k;
      EXPECT_EQ(got->assignment, want.assignment) << "k " << k;
    }
}

TEST(KMeans, BimodalConverges) {
  std::vector<float> w;
  for (int i = 0; i < 100; ++i) {
    w.push_back(-1.0f + 0.001f * float(i % 10));
    w.push_back(1.0f + 0.001f * float(i % 10));
  }
  KMeansOptions o;
  o.k = 2;
  auto r = kmeans1D(w.data(), w.size(), nullptr, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->centroids.size(), 2u);
  EXPECT_NEAR(r->centroids[0], -0.9955f, 1e-5);
  EXPECT_NEAR(r->centroids[1], 1.0045f, 1e-5);
  EXPECT_LT(r->iterations, 5u);
}

} // namespace
