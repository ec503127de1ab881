//===- GradCheck.h - Gradients against central differences ----*- C++ -*-===//
//
// Compiles a module in process (upstream's plain bufferize-and-loops lowering
// and the MLIR ExecutionEngine, independent of dc's own lowering), then
// compares the gradient function dc-differentiate built with central
// differences of the function, element by element and along random
// directions; a negative control perturbs one gradient element by a relative
// 1e-4 and requires the check to fail on it, so a bound too loose to see
// such an error is itself an error.
//
//===----------------------------------------------------------------------===//

#ifndef DC_AUTODIFF_GRADCHECK_H
#define DC_AUTODIFF_GRADCHECK_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::dc {

struct GradCheckOptions {
  /// Functions returning one 0-d f32/f64 tensor, each as "f" (its gradient
  /// function is @f_grad, dc-differentiate's default name) or "f:g". The
  /// gradient function returns the value and the gradient of every
  /// floating-point argument, or, when @f has dc.param arguments (a training
  /// step), of those.
  std::vector<std::string> functions = {"forward"};
  /// Integer arguments (labels) are drawn uniformly from [0, labels).
  unsigned labels = 1;
  double eps = 1e-6;               ///< central-difference step
  double rtol = 1e-6, atol = 1e-9; ///< |g - n| <= atol + rtol * max(|g|, |n|)
  uint64_t seed = 1;
  /// Inputs are drawn with |x| in [minMagnitude, 1] and a random sign, so
  /// that elementwise kinks at 0 (relu) are not within eps.
  double minMagnitude = 0.1;
  unsigned maxElements = 0; ///< elements checked per argument (0 = all)
  unsigned directions = 4;  ///< random directional checks
  bool negativeControl = true;
};

struct GradCheckResult {
  std::string function;
  size_t elements = 0, directions = 0;
  double maxError = 0; ///< largest |g - n| / (atol + rtol * max(|g|, |n|))
  bool controlDetected = false;
  std::string log; ///< one line per argument and per failure
};

/// Lowers `module` in place once (include/dc/Execution/Jit.h) and checks
/// every function. The error says why the module cannot be compiled or
/// which gradient disagrees.
llvm::Expected<std::vector<GradCheckResult>>
checkGradients(ModuleOp module, const GradCheckOptions &options);

} // namespace mlir::dc

#endif // DC_AUTODIFF_GRADCHECK_H
