//===- GradCheck.cpp - Gradients checked against central differences ------===//

#include "dc/Autodiff/GradCheck.h"
#include "dc/Autodiff/Passes.h"
#include "dc/Base/Random.h"
#include "dc/Execution/Jit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
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

llvm::Error fail(const Twine &message) {
  return llvm::createStringError(message);
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

namespace {
/// One function's check: its inputs, gradients and the running verdict.
class Checker {
public:
  Checker(JitModule &jit, const Pair &p, const GradCheckOptions &o,
          GradCheckResult &result)
      : jit(jit), p(p), o(o), result(result), rng(o.seed), log(result.log) {}

  llvm::Error run();

private:
  void drawInputs();
  /// The loss at the current inputs.
  llvm::Error loss(double &value) {
    std::vector<HostTensor> outs = {HostTensor(p.lossType)};
    if (llvm::Error e = jit.call(p.name, inputs, outs))
      return e;
    value = outs[0].values[0];
    return llvm::Error::success();
  }
  double ratio(double gv, double nv) const {
    return std::fabs(gv - nv) /
           (o.atol + o.rtol * std::max(std::fabs(gv), std::fabs(nv)));
  }
  llvm::Error checkElements();
  llvm::Error checkDirections();
  void checkControl();

  JitModule &jit;
  const Pair &p;
  const GradCheckOptions &o;
  GradCheckResult &result;
  ::dc::SplitMix64 rng;
  llvm::raw_string_ostream log;
  std::vector<HostTensor> inputs, grads;
  bool ok = true;
  // The element checked by the negative control: the largest gradient.
  size_t controlArg = 0, controlIndex = 0;
  double controlMag = -1, controlNumeric = 0;
};
} // namespace

void Checker::drawInputs() {
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
}

llvm::Error Checker::checkElements() {
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
      if (llvm::Error e = loss(plus))
        return e;
      x[i] = saved - o.eps;
      if (llvm::Error e = loss(minus))
        return e;
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
  return llvm::Error::success();
}

/// Random directions d: (f(x + eps d) - f(x - eps d)) / 2 eps = g . d.
llvm::Error Checker::checkDirections() {
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
      if (llvm::Error e = loss(sign > 0 ? plus : minus))
        return e;
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
  return llvm::Error::success();
}

void Checker::checkControl() {
  if (!o.negativeControl || controlMag <= 0)
    return;
  double perturbed = grads[1 + controlArg].values[controlIndex] * (1 + 1e-4);
  result.controlDetected = ratio(perturbed, controlNumeric) > 1;
  if (!result.controlDetected) {
    ok = false;
    log << "  negative control: a relative error of 1e-4 in argument "
        << controlArg << " element " << controlIndex
        << " passes the bound; the check is too loose\n";
  }
}

llvm::Error Checker::run() {
  result.function = p.name;
  drawInputs();
  grads = {HostTensor(p.lossType)};
  for (unsigned a : p.checked)
    grads.emplace_back(p.argTypes[a]);
  if (llvm::Error e = jit.call(p.grad, inputs, grads))
    return e;
  double base;
  if (llvm::Error e = loss(base))
    return e;
  if (std::fabs(grads[0].values[0] - base) > o.atol + o.rtol * std::fabs(base))
    return fail("@" + p.grad + " returns the loss " +
                std::to_string(grads[0].values[0]) + ", @" + p.name +
                " returns " + std::to_string(base));
  if (llvm::Error e = checkElements())
    return e;
  if (llvm::Error e = checkDirections())
    return e;
  checkControl();
  if (!ok)
    return fail("@" + p.name +
                ": gradients disagree with central differences:\n" +
                result.log);
  return llvm::Error::success();
}

llvm::Expected<std::vector<GradCheckResult>>
mlir::dc::checkGradients(ModuleOp module, const GradCheckOptions &o) {
  std::vector<Pair> pairs;
  for (const std::string &entry : o.functions) {
    Pair p;
    StringRef name, grad;
    std::tie(name, grad) = StringRef(entry).split(':');
    p.name = name.str();
    p.grad = grad.empty() ? p.name + "_grad" : grad.str();
    auto f = module.lookupSymbol<func::FuncOp>(p.name);
    auto g = module.lookupSymbol<func::FuncOp>(p.grad);
    if (!f || !g)
      return fail("the module needs @" + p.name + " and @" + p.grad + " (run " +
                  differentiatePassName() + " first)");
    bool anyParam = false;
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      anyParam |= bool(f.getArgAttr(i, "dc.param"));
    for (auto [i, t] : llvm::enumerate(f.getArgumentTypes())) {
      if (!isFloatTensor(t) && !isLabelTensor(t))
        return fail("@" + p.name +
                    " may only take static f32/f64 tensors and i32/i64 "
                    "labels");
      p.argTypes.push_back(cast<RankedTensorType>(t));
      // With dc.param arguments (a training step) those are differentiated,
      // else every floating-point argument.
      if (isFloatTensor(t) && (!anyParam || f.getArgAttr(i, "dc.param")))
        p.checked.push_back(i);
    }
    if (f.getNumResults() != 1 || !isFloatTensor(f.getResultTypes()[0]) ||
        cast<RankedTensorType>(f.getResultTypes()[0]).getRank() != 0 ||
        g.getNumResults() != 1 + p.checked.size() ||
        g.getArgumentTypes() != f.getArgumentTypes())
      return fail("@" + p.grad + " does not have the shape of @" + p.name +
                  "'s gradient function");
    p.lossType = cast<RankedTensorType>(f.getResultTypes()[0]);
    pairs.push_back(std::move(p));
  }

  // Upstream's plain lowering: nothing of dc's pipeline is under test here.
  std::vector<std::string> names;
  for (const Pair &p : pairs) {
    names.push_back(p.name);
    names.push_back(p.grad);
  }
  auto jit = JitModule::compile(module, names);
  if (!jit)
    return jit.takeError();
  std::vector<GradCheckResult> results;
  for (const Pair &p : pairs)
    if (llvm::Error e = Checker(**jit, p, o, results.emplace_back()).run())
      return std::move(e);
  return results;
}
