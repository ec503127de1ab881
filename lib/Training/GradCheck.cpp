//===- GradCheck.cpp - Gradients checked against central differences ------===//

#include "dc/Training/GradCheck.h"
#include "dc/Base/Random.h"
#include "dc/Training/Jit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::dc;

namespace {

bool isFloatTensor(Type t) {
  auto type = dyn_cast<RankedTensorType>(t);
  return type && type.hasStaticShape() &&
         (type.getElementType().isF32() || type.getElementType().isF64());
}

bool isLabelTensor(Type t) {
  auto type = dyn_cast<RankedTensorType>(t);
  return type && type.hasStaticShape() &&
         (type.getElementType().isInteger(64) ||
          type.getElementType().isInteger(32));
}

} // namespace

namespace {
/// A function and its gradient function, as the check needs them.
struct Pair {
  std::string name, grad;
  SmallVector<RankedTensorType> argTypes;
  /// The arguments the gradient function differentiates, in its order.
  SmallVector<unsigned> checked;
  RankedTensorType lossType;
};
} // namespace

static LogicalResult checkOne(JitModule &jit, const Pair &p,
                              const GradCheckOptions &o,
                              GradCheckResult &result, std::string &error) {
  result.function = p.name;
  std::vector<HostTensor> inputs;
  ::dc::SplitMix64 rng(o.seed);
  for (auto [i, t] : llvm::enumerate(p.argTypes)) {
    inputs.emplace_back(t);
    bool isChecked = llvm::is_contained(p.checked, unsigned(i));
    for (double &v : inputs.back().values) {
      if (inputs.back().type.getElementType().isInteger()) {
        v = double(rng.below(std::max(1u, o.labels)));
        continue;
      }
      // Unchecked floats (row weights) stay positive.
      double mag = o.minMagnitude + (1.0 - o.minMagnitude) * rng.unit();
      v = !isChecked || rng.chance(0.5) ? mag : -mag;
    }
  }
  auto call = [&](StringRef name, std::vector<HostTensor> &outs) -> bool {
    return succeeded(jit.call(name, inputs, outs, error));
  };
  auto loss = [&](double &value) {
    std::vector<HostTensor> outs = {HostTensor(p.lossType)};
    if (!call(p.name, outs))
      return false;
    value = outs[0].values[0];
    return true;
  };
  std::vector<HostTensor> grads = {HostTensor(p.lossType)};
  for (unsigned a : p.checked)
    grads.emplace_back(p.argTypes[a]);
  if (!call(p.grad, grads))
    return failure();
  double base;
  if (!loss(base))
    return failure();
  if (std::fabs(grads[0].values[0] - base) >
      o.atol + o.rtol * std::fabs(base)) {
    error = "@" + p.grad + " returns the loss " +
            std::to_string(grads[0].values[0]) + ", @" + p.name + " returns " +
            std::to_string(base);
    return failure();
  }
  auto ratio = [&](double gv, double nv) {
    return std::fabs(gv - nv) /
           (o.atol + o.rtol * std::max(std::fabs(gv), std::fabs(nv)));
  };
  llvm::raw_string_ostream log(result.log);
  bool ok = true;
  // The element checked by the negative control: the largest gradient.
  size_t controlArg = 0, controlIndex = 0;
  double controlMag = -1, controlNumeric = 0;
  for (size_t c = 0; c < p.checked.size(); ++c) {
    size_t a = p.checked[c];
    std::vector<double> &x = inputs[a].values;
    size_t n = x.size();
    size_t step = o.maxElements && n > o.maxElements ? n / o.maxElements : 1;
    double worst = 0;
    size_t checked = 0;
    for (size_t i = 0; i < n; i += step) {
      double saved = x[i], plus, minus;
      x[i] = saved + o.eps;
      if (!loss(plus))
        return failure();
      x[i] = saved - o.eps;
      if (!loss(minus))
        return failure();
      x[i] = saved;
      double numeric = (plus - minus) / (2 * o.eps);
      double analytic = grads[1 + c].values[i];
      double r = ratio(analytic, numeric);
      worst = std::max(worst, r);
      ++checked;
      if (r > 1) {
        ok = false;
        log << "  argument " << a << " element " << i << ": gradient "
            << llvm::format("%.12g", analytic) << ", central difference "
            << llvm::format("%.12g", numeric) << "\n";
      }
      if (std::fabs(analytic) > controlMag) {
        controlMag = std::fabs(analytic);
        controlArg = c;
        controlIndex = i;
        controlNumeric = numeric;
      }
    }
    result.elements += checked;
    result.maxError = std::max(result.maxError, worst);
    log << "  argument " << a << " (" << inputs[a].type << "): " << checked
        << " elements, worst " << llvm::format("%.3g", worst)
        << " of the bound\n";
  }
  // Random directions d: (f(x + eps d) - f(x - eps d)) / 2 eps = g . d.
  for (unsigned k = 0; k < o.directions; ++k) {
    std::vector<std::vector<double>> saved, dir;
    double dot = 0;
    for (size_t c = 0; c < p.checked.size(); ++c) {
      size_t a = p.checked[c];
      saved.push_back(inputs[a].values);
      dir.emplace_back(inputs[a].values.size());
      for (size_t i = 0; i < dir[c].size(); ++i) {
        dir[c][i] = rng.unit() * 2 - 1;
        dot += dir[c][i] * grads[1 + c].values[i];
      }
    }
    double plus, minus;
    for (int sign : {1, -1}) {
      for (size_t c = 0; c < p.checked.size(); ++c)
        for (size_t i = 0; i < dir[c].size(); ++i)
          inputs[p.checked[c]].values[i] =
              saved[c][i] + sign * o.eps * dir[c][i];
      if (!loss(sign > 0 ? plus : minus))
        return failure();
    }
    for (size_t c = 0; c < p.checked.size(); ++c)
      inputs[p.checked[c]].values = saved[c];
    double numeric = (plus - minus) / (2 * o.eps);
    double r = ratio(dot, numeric);
    result.maxError = std::max(result.maxError, r);
    ++result.directions;
    if (r > 1) {
      ok = false;
      log << "  direction " << k
          << ": gradient . d = " << llvm::format("%.12g", dot)
          << ", central difference " << llvm::format("%.12g", numeric) << "\n";
    }
  }
  if (o.negativeControl && controlMag > 0) {
    double perturbed = grads[1 + controlArg].values[controlIndex] * (1 + 1e-4);
    result.controlDetected = ratio(perturbed, controlNumeric) > 1;
    if (!result.controlDetected) {
      ok = false;
      log << "  negative control: a relative error of 1e-4 in argument "
          << controlArg << " element " << controlIndex
          << " passes the bound; the check is too loose\n";
    }
  }
  if (!ok) {
    error = "@" + p.name + ": gradients disagree with central differences:\n" +
            result.log;
    return failure();
  }
  return success();
}

LogicalResult mlir::dc::checkGradients(ModuleOp module,
                                       const GradCheckOptions &o,
                                       std::vector<GradCheckResult> &results,
                                       std::string &error) {
  std::vector<Pair> pairs;
  for (const std::string &entry : o.functions) {
    Pair p;
    StringRef name, grad;
    std::tie(name, grad) = StringRef(entry).split(':');
    p.name = name.str();
    p.grad = grad.empty() ? p.name + "_grad" : grad.str();
    auto f = module.lookupSymbol<func::FuncOp>(p.name);
    auto g = module.lookupSymbol<func::FuncOp>(p.grad);
    if (!f || !g) {
      error = "the module needs @" + p.name + " and @" + p.grad +
              " (run dc-differentiate first)";
      return failure();
    }
    bool anyParam = false;
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      anyParam |= bool(f.getArgAttr(i, "dc.param"));
    for (auto [i, t] : llvm::enumerate(f.getArgumentTypes())) {
      if (!isFloatTensor(t) && !isLabelTensor(t)) {
        error = "@" + p.name +
                " may only take static f32/f64 tensors and i32/i64 labels";
        return failure();
      }
      p.argTypes.push_back(cast<RankedTensorType>(t));
      // With dc.param arguments (a training step) those are differentiated,
      // else every floating-point argument.
      if (isFloatTensor(t) && (!anyParam || f.getArgAttr(i, "dc.param")))
        p.checked.push_back(i);
    }
    if (f.getNumResults() != 1 || !isFloatTensor(f.getResultTypes()[0]) ||
        cast<RankedTensorType>(f.getResultTypes()[0]).getRank() != 0 ||
        g.getNumResults() != 1 + p.checked.size() ||
        g.getArgumentTypes() != f.getArgumentTypes()) {
      error = "@" + p.grad + " does not have the shape of @" + p.name +
              "'s gradient function";
      return failure();
    }
    p.lossType = cast<RankedTensorType>(f.getResultTypes()[0]);
    pairs.push_back(std::move(p));
  }

  // Upstream's plain lowering: nothing of dc's pipeline is under test here.
  std::vector<std::string> names;
  for (const Pair &p : pairs) {
    names.push_back(p.name);
    names.push_back(p.grad);
  }
  FailureOr<std::unique_ptr<JitModule>> jit =
      JitModule::compile(module, names, error);
  if (failed(jit))
    return failure();
  for (const Pair &p : pairs)
    if (failed(checkOne(**jit, p, o, results.emplace_back(), error)))
      return failure();
  return success();
}
