//===- OptimizerTest.cpp - Optimizers and schedules -----------------------===//
//
// Golden values measured with torch.optim (PyTorch 1.13, torch_golden.py in
// this folder prints them), closed forms (Adam's first step, momentum under
// a constant gradient), option checks and schedules.
//
//===----------------------------------------------------------------------===//

#include "dc/Optim/Optimizer.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace dc;
using namespace dc::optim;

namespace {

const float kStart[4] = {0.5f, -1.25f, 2.0f, 0.125f};
const float kGrads[3][4] = {{0.1f, -0.2f, 0.3f, -0.4f},
                            {0.25f, 0.5f, -0.75f, 1.0f},
                            {-0.3f, 0.1f, 0.2f, 0.05f}};

std::vector<float> run(const Options &o, double lr) {
  std::vector<float> p(kStart, kStart + 4);
  Optimizer opt(o, 4);
  for (const float *g : kGrads)
    opt.step(p.data(), g, lr);
  return p;
}

void expectNear(const std::vector<float> &got, std::vector<float> want) {
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 2e-7 * std::fabs(want[i]) + 1e-9) << i;
}

TEST(Optimizer, MatchesTorchSGDWithMomentumAndWeightDecay) {
  Options o;
  o.momentum = 0.9;
  o.weightDecay = 0.01;
  expectNear(run(o, 0.1),
             {0.452660382f, -1.29381955f, 2.03002858f, 0.0376473963f});
}

TEST(Optimizer, MatchesTorchNesterov) {
  Options o;
  o.momentum = 0.8;
  o.nesterov = true;
  expectNear(run(o, 0.05),
             {0.481739998f, -1.29048002f, 2.0292201f, 0.0575400032f});
}

TEST(Optimizer, MatchesTorchAdamWithWeightDecay) {
  Options o;
  o.kind = Kind::Adam;
  o.weightDecay = 0.01;
  expectNear(run(o, 1e-3),
             {0.498025984f, -1.24983454f, 1.9995501f, 0.125183567f});
}

TEST(Optimizer, ClosedForms) {
  // Adam's first step moves each parameter by lr * g / (|g| + eps).
  Options adam;
  adam.kind = Kind::Adam;
  std::vector<float> p = {1.0f, 1.0f};
  float g[2] = {3.0f, -0.5f};
  Optimizer a(adam, 2);
  a.step(p.data(), g, 0.01);
  EXPECT_NEAR(p[0], 1.0f - 0.01f, 1e-7);
  EXPECT_NEAR(p[1], 1.0f + 0.01f, 1e-7);
  EXPECT_EQ(a.steps(), 1u);
  // Momentum under a constant gradient: after k steps the buffer is
  // g (1 + mu + ... + mu^(k-1)).
  Options sgd;
  sgd.momentum = 0.5;
  std::vector<float> q = {0.0f};
  float c[1] = {1.0f};
  Optimizer s(sgd, 1);
  for (int k = 0; k < 3; ++k)
    s.step(q.data(), c, 1.0);
  EXPECT_FLOAT_EQ(q[0], -(1.0f + 1.5f + 1.75f));
  // Plain SGD: p - lr g.
  Optimizer plain(Options(), 1);
  std::vector<float> r = {2.0f};
  plain.step(r.data(), c, 0.25);
  EXPECT_FLOAT_EQ(r[0], 1.75f);
}

TEST(Optimizer, ChecksOptions) {
  Options o;
  EXPECT_TRUE(verifyOptions(o).ok());
  o.momentum = -1;
  EXPECT_FALSE(verifyOptions(o).ok());
  o = Options();
  o.nesterov = true;
  EXPECT_EQ(verifyOptions(o).message(),
            "optimizer: nesterov needs momentum > 0 and dampening 0");
  o = Options();
  o.beta2 = 1.0;
  EXPECT_FALSE(verifyOptions(o).ok());
}

TEST(Schedule, ConstantCosineStep) {
  auto constant = Schedule::parse("constant");
  ASSERT_TRUE(constant.ok());
  EXPECT_EQ(constant->at(0.1, 7, 10), 0.1);
  auto cosine = Schedule::parse("cosine");
  ASSERT_TRUE(cosine.ok());
  EXPECT_DOUBLE_EQ(cosine->at(0.1, 0, 4), 0.1);
  EXPECT_NEAR(cosine->at(0.1, 2, 4), 0.05, 1e-15);
  EXPECT_NEAR(cosine->at(0.1, 4, 4), 0.0, 1e-15);
  auto step = Schedule::parse("step:2:0.5");
  ASSERT_TRUE(step.ok()) << step.message();
  EXPECT_EQ(step->at(1.0, 1, 9), 1.0);
  EXPECT_EQ(step->at(1.0, 2, 9), 0.5);
  EXPECT_EQ(step->at(1.0, 5, 9), 0.25);
  for (const char *bad : {"cosin", "step:0:0.5", "step:2", "step:2:0",
                          "step:2:0.5x", "step:-1:2"})
    EXPECT_FALSE(Schedule::parse(bad).ok()) << bad;
  EXPECT_EQ(Schedule::parse("linear").message(),
            "schedule 'linear': expected constant, cosine or step:N:G (N >= 1 "
            "epochs, G > 0)");
}

} // namespace
