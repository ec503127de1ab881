//===- Optimizer.h - PyTorch's optimizers over one parameter arena -*- C++
//-*-===//
//
// MLIR-free (docs/Training.md, "Optimizers"). dc-train keeps every trained
// parameter in one float arena and updates it with these, which follow
// torch.optim (PyTorch 1.13) operation by operation in float32:
//
//   SGD:  d = g + wd p;  b = d (first step) or mu b + (1 - dampening) d;
//         d = nesterov ? d + mu b : b;  p -= lr d
//   Adam: g = g + wd p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//         p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//
// and learning-rate schedules per epoch: constant, cosine (annealing to 0
// over the run, CosineAnnealingLR's closed form) and step:N:G (times G every
// N epochs, StepLR).
//
//===----------------------------------------------------------------------===//

#ifndef DC_OPTIM_OPTIMIZER_H
#define DC_OPTIM_OPTIMIZER_H

#include "dc/Base/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dc::optim {

enum class Kind { SGD, Adam };

struct Options {
  Kind kind = Kind::SGD;
  double momentum = 0.0, dampening = 0.0, weightDecay = 0.0;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

/// Checks the ranges PyTorch checks (momentum, weight decay >= 0, betas in
/// [0, 1), eps >= 0, nesterov needs momentum and no dampening).
Status verifyOptions(const Options &options);

class Optimizer {
public:
  /// State for an arena of `size` parameters (momentum buffers, moments).
  Optimizer(const Options &options, size_t size);

  /// One step at learning rate `lr` (> 0): `params` updated in place from
  /// `grads`, both `size` floats.
  void step(float *params, const float *grads, double lr);

  uint64_t steps() const { return t; }
  /// The state, for checkpoints: the buffers, then the step count.
  std::vector<float> &buffer(unsigned i) { return i == 0 ? first : second; }
  void setSteps(uint64_t steps) { t = steps; }

private:
  Options o;
  size_t n;
  std::vector<float> first, second; ///< SGD: momentum; Adam: m and v
  uint64_t t = 0;
};

/// A learning-rate schedule over epochs.
class Schedule {
public:
  /// "constant", "cosine", or "step:N:G" (N >= 1 epochs, G > 0).
  static StatusOr<Schedule> parse(const std::string &text);
  /// The learning rate of epoch `epoch` (0-based) of `epochs`.
  double at(double base, unsigned epoch, unsigned epochs) const;

private:
  enum class Kind { Constant, Cosine, Step } kind = Kind::Constant;
  unsigned every = 1;
  double gamma = 1.0;
};

} // namespace dc::optim

#endif // DC_OPTIM_OPTIMIZER_H
