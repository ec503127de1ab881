//===- Step.h - dc-train's compiled step, and its parameters -----*- C++
//-*-===//
//
// The MLIR side of dc-train (docs/Training.md, "dc-train"): a parametrized
// model becomes a host library with train_step and forward at batch B
// (dc-rebatch, dc-differentiate, dc-compile's lowering with the host BLAS),
// cached by a hash of the step's IR, the options and the run-time objects;
// the parameter values move between @forward.params and a float arena.
//
//===----------------------------------------------------------------------===//

#ifndef DC_TRAIN_STEP_H
#define DC_TRAIN_STEP_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::dc {

/// The exported names of a step library (include/dc/TrainLoop/StepLibrary.h).
inline constexpr llvm::StringLiteral kStepPrefix = "dc_step";
inline constexpr llvm::StringLiteral kStepEntry = "train_step";
inline constexpr llvm::StringLiteral kForwardEntry = "forward";

struct StepOptions {
  int64_t batch = 64;
  /// Where libraries are kept ("" = $DC_CACHE_DIR, else
  /// $XDG_CACHE_HOME/dc, else ~/.cache/dc).
  std::string cacheDir;
  /// dc's run-time objects (x86_64/Decode.o, host/HostBlas.o).
  std::string runtimeDir;
  std::string linker = "ld.lld-22";
  /// The loss: the softmax cross-entropy, or with distill the distillation
  /// loss (1 - alpha) CE + alpha T^2 KL against teacher logits, which
  /// train_step then takes as its last argument.
  bool distill = false;
  double temperature = 4, alpha = 0.5;
};

struct StepLibraryInfo {
  std::string path;
  bool cached = false; ///< found in the cache, not compiled
  double compileSeconds = 0;
};

/// Builds (or finds) the step library of `model`, whose @forward must be
/// parametrized (dc-parametrize) and return logits [1 or B, C]. `model` is
/// not changed.
llvm::Expected<StepLibraryInfo> buildStepLibrary(ModuleOp model,
                                                 const StepOptions &options);

/// A dc.param argument of @forward with its value from @forward.params.
struct ParameterValue {
  std::string name, kind;
  SmallVector<int64_t> shape;
  std::vector<float> values;
};

/// The parameters of a parametrized @forward, in argument order.
llvm::Expected<std::vector<ParameterValue>> readParameters(ModuleOp model);

/// Gives the constants of @forward.params new values (`values[i]` for
/// parameter i, exactly its element count), keeping each constant's kind of
/// storage (a dense_resource blob keeps its key).
llvm::Error writeParameters(ModuleOp model,
                            ArrayRef<std::vector<float>> values);

} // namespace mlir::dc

#endif // DC_TRAIN_STEP_H
