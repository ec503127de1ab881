//===- Optimizer.cpp - PyTorch's optimizers over one parameter arena ------===//

#include "dc/Optim/Optimizer.h"

#include <cctype>
#include <cmath>
#include <cstdio>

using namespace dc::optim;
using dc::Status;
using dc::StatusOr;

Status dc::optim::verifyOptions(const Options &o) {
  auto bad = [](const std::string &what) {
    return Status::error("optimizer: " + what);
  };
  if (!(o.momentum >= 0) || !(o.weightDecay >= 0) || !(o.dampening >= 0))
    return bad("momentum, dampening and weight decay must be >= 0");
  if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
    return bad("nesterov needs momentum > 0 and dampening 0");
  if (!(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1))
    return bad("betas must be in [0, 1)");
  if (!(o.eps >= 0))
    return bad("eps must be >= 0");
  return Status::success();
}

Optimizer::Optimizer(const Options &options, size_t size)
    : o(options), n(size) {
  if (o.kind == Kind::Adam) {
    first.assign(n, 0.0f);
    second.assign(n, 0.0f);
  } else if (o.momentum != 0) {
    first.assign(n, 0.0f);
  }
}

void Optimizer::step(float *p, const float *g, double lr) {
  ++t;
  // Scalars enter float32 arithmetic as floats, as in PyTorch's kernels.
  const float wd = float(o.weightDecay);
  if (o.kind == Kind::SGD) {
    const float mu = float(o.momentum), keep = float(1.0 - o.dampening);
    const float rate = float(lr);
    for (size_t i = 0; i < n; ++i) {
      float d = wd != 0 ? g[i] + wd * p[i] : g[i];
      if (mu != 0) {
        float &b = first[i];
        b = t == 1 ? d : mu * b + keep * d;
        d = o.nesterov ? d + mu * b : b;
      }
      p[i] -= rate * d;
    }
    return;
  }
  const float b1 = float(o.beta1), b2 = float(o.beta2);
  const float a1 = float(1.0 - o.beta1), a2 = float(1.0 - o.beta2);
  // Bias corrections in double, as Python computes them.
  double bc1 = 1.0 - std::pow(o.beta1, double(t));
  double bc2 = 1.0 - std::pow(o.beta2, double(t));
  const float stepSize = float(lr / bc1);
  const float bc2Sqrt = float(std::sqrt(bc2));
  const float eps = float(o.eps);
  for (size_t i = 0; i < n; ++i) {
    float gi = wd != 0 ? g[i] + wd * p[i] : g[i];
    float &m = first[i], &v = second[i];
    m = m * b1 + a1 * gi;
    v = v * b2 + a2 * gi * gi;
    float denom = std::sqrt(v) / bc2Sqrt + eps;
    p[i] -= stepSize * (m / denom);
  }
}

StatusOr<Schedule> Schedule::parse(const std::string &text) {
  Schedule s;
  if (text == "constant")
    return s;
  if (text == "cosine") {
    s.kind = Kind::Cosine;
    return s;
  }
  unsigned every = 0;
  double gamma = 0;
  char tail = 0;
  if (text.rfind("step:", 0) == 0 && text.size() > 5 &&
      std::isdigit(static_cast<unsigned char>(text[5])) &&
      std::sscanf(text.c_str() + 5, "%u:%lf%c", &every, &gamma, &tail) == 2 &&
      every >= 1 && gamma > 0 && std::isfinite(gamma)) {
    s.kind = Kind::Step;
    s.every = every;
    s.gamma = gamma;
    return s;
  }
  return Status::error("schedule '" + text +
                       "': expected constant, cosine or step:N:G (N >= 1 "
                       "epochs, G > 0)");
}

double Schedule::at(double base, unsigned epoch, unsigned epochs) const {
  switch (kind) {
  case Kind::Constant:
    return base;
  case Kind::Cosine:
    return epochs == 0 ? base
                       : base * (1 + std::cos(M_PI * epoch / epochs)) / 2;
  case Kind::Step:
    return base * std::pow(gamma, double(epoch / every));
  }
  return base;
}
