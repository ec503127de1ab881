//===- GradCheck.cpp - Gradients checked against central differences ------===//

#include "dc/Training/GradCheck.h"
#include "dc/Codec/Random.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::dc;

namespace {

/// A dense tensor argument or result in memory, and its memref descriptor.
struct Buffer {
  RankedTensorType type;
  std::vector<double> values; ///< as doubles, whatever the element type
  std::vector<char> storage;  ///< the element bytes the code sees
  std::vector<int64_t> descriptor;
  void *descriptorPtr = nullptr;

  explicit Buffer(RankedTensorType t) : type(t) {
    values.assign(t.getNumElements(), 0.0);
  }
  bool isF32() const { return type.getElementType().isF32(); }
  bool isInt() const { return type.getElementType().isInteger(); }
  size_t width() const { return type.getElementTypeBitWidth() / 8; }
  void prepare() {
    size_t w = width();
    storage.assign(values.size() * w + 64, 0);
    char *data = storage.data() +
                 (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64) % 64;
    for (size_t i = 0; i < values.size(); ++i) {
      if (isInt()) {
        int64_t v = int64_t(values[i]);
        std::memcpy(data + w * i, &v, w); // little-endian: the low bytes
      } else if (isF32()) {
        float f = float(values[i]);
        std::memcpy(data + 4 * i, &f, 4);
      } else {
        std::memcpy(data + 8 * i, &values[i], 8);
      }
    }
    int64_t rank = type.getRank();
    descriptor.assign(3 + 2 * rank, 0);
    std::memcpy(&descriptor[0], &data, sizeof(void *));
    std::memcpy(&descriptor[1], &data, sizeof(void *));
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      descriptor[3 + d] = type.getDimSize(d);
      descriptor[3 + rank + d] = stride;
      stride *= type.getDimSize(d);
    }
    descriptorPtr = descriptor.data();
  }
  void read() {
    char *data;
    std::memcpy(&data, &descriptor[1], sizeof(void *));
    for (size_t i = 0; i < values.size(); ++i) {
      if (isF32()) {
        float f;
        std::memcpy(&f, data + 4 * i, 4);
        values[i] = f;
      } else {
        std::memcpy(&values[i], data + 8 * i, 8);
      }
    }
  }
};

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

static LogicalResult checkOne(ExecutionEngine &engine, const Pair &p,
                              const GradCheckOptions &o,
                              GradCheckResult &result, std::string &error) {
  result.function = p.name;
  std::vector<Buffer> inputs;
  ::dc::codec::SplitMix64 rng(o.seed);
  for (auto [i, t] : llvm::enumerate(p.argTypes)) {
    inputs.emplace_back(t);
    bool isChecked = llvm::is_contained(p.checked, unsigned(i));
    for (double &v : inputs.back().values) {
      if (inputs.back().isInt()) {
        v = double(rng.below(std::max(1u, o.labels)));
        continue;
      }
      // Unchecked floats (row weights) stay positive.
      double mag = o.minMagnitude + (1.0 - o.minMagnitude) * rng.unit();
      v = !isChecked || rng.chance(0.5) ? mag : -mag;
    }
  }
  auto call = [&](StringRef name, std::vector<Buffer> &outs) -> bool {
    SmallVector<void *> args;
    for (Buffer &b : inputs) {
      b.prepare();
      args.push_back(&b.descriptorPtr);
    }
    for (Buffer &b : outs) {
      b.prepare();
      args.push_back(&b.descriptorPtr);
    }
    if (llvm::Error e =
            engine.invokePacked(("_mlir_ciface_" + name).str(), args)) {
      error =
          "JIT call of @" + name.str() + ": " + llvm::toString(std::move(e));
      return false;
    }
    for (Buffer &b : outs)
      b.read();
    return true;
  };
  auto loss = [&](double &value) {
    std::vector<Buffer> outs = {Buffer(p.lossType)};
    if (!call(p.name, outs))
      return false;
    value = outs[0].values[0];
    return true;
  };
  std::vector<Buffer> grads = {Buffer(p.lossType)};
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
    for (func::FuncOp fn : {f, g})
      fn->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
    pairs.push_back(std::move(p));
  }

  // Upstream's plain lowering: nothing of dc's pipeline is under test here.
  PassManager pm(module.getContext());
  if (failed(parsePassPipeline(
          "one-shot-bufferize{bufferize-function-boundaries "
          "function-boundary-type-conversion=identity-layout-map},"
          "buffer-results-to-out-params{modify-public-functions},"
          "buffer-deallocation-pipeline,"
          "convert-linalg-to-loops,expand-strided-metadata,lower-affine,"
          "convert-scf-to-cf,convert-math-to-llvm,convert-math-to-libm,"
          "convert-to-llvm,reconcile-unrealized-casts",
          pm, llvm::errs())) ||
      failed(pm.run(module))) {
    error = "the module does not lower (see the diagnostics above)";
    return failure();
  }
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  ExecutionEngineOptions engineOptions;
  auto transformer = makeOptimizingTransformer(0, 0, nullptr);
  engineOptions.transformer = transformer;
  auto engine = ExecutionEngine::create(module, engineOptions);
  if (!engine) {
    error = "JIT: " + llvm::toString(engine.takeError());
    return failure();
  }
  for (const Pair &p : pairs)
    if (failed(checkOne(**engine, p, o, results.emplace_back(), error)))
      return failure();
  return success();
}
