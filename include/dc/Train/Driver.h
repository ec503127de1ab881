//===- Driver.h - dc-train's flow ---------------------------------*- C++
//-*-===//
//
// docs/Training.md, "dc-train": read the model, parametrize it, load the
// data, build (or find) the step library, train, write the model back at
// the batch and in the form it came in. tools/dc-train parses the command
// line into TrainOptions and calls runTrain.
//
//===----------------------------------------------------------------------===//

#ifndef DC_TRAIN_DRIVER_H
#define DC_TRAIN_DRIVER_H

#include "dc/Optim/Optimizer.h"

#include "mlir/Support/LLVM.h"
#include "llvm/Support/LogicalResult.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::dc {

struct TrainOptions {
  std::string model = "-", data, output, log, predictions;
  unsigned epochs = 1;
  int64_t batch = 64;
  double lr = 1e-3;
  ::dc::optim::Options optimizer;
  std::string schedule = "constant";
  uint64_t seed = 0;
  double mean = 0.0, std = 1.0;
  uint32_t valSplit = 0;
  /// What is trained: "weights", "biases", "codebooks" and/or layer names.
  std::vector<std::string> train = {"weights", "biases", "codebooks"};
  uint64_t checkpointEvery = 0;
  std::string checkpoint; ///< default: <output>.ckpt
  std::string resume;
  int threads = 1;
  std::string cacheDir, runtimeDir, linker = "ld.lld-22";
  bool quiet = false;
};

/// --recipe=deep-compression (docs/Results.md): the paper's pipeline on the
/// model, stage by stage.
struct RecipeOptions {
  unsigned denseEpochs = 0;    ///< train the dense model first (0: it is)
  unsigned pruneSteps = 3;     ///< iterative pruning: steps to the target
  unsigned pruneEpochs = 3;    ///< retraining after each pruning step
  unsigned quantizeEpochs = 2; ///< centroid fine-tuning after k-means
  /// The learning-rate schedule of each retraining phase (--schedule is the
  /// dense training's).
  std::string retrainSchedule = "constant";
  /// Per-layer overrides of the settings: NAME:keep=F:bits=B (either key),
  /// NAME a layer name as the recipe prints it, or "all".
  std::vector<std::string> layers;
  /// The stage the input is the output of ("" = none): dense, pruned or
  /// quantized (the per-stage files <output>.<stage>.mlir are such inputs).
  std::string from;
  /// Distillation from the dense model: the retraining phases' loss is
  /// (1 - distill) cross-entropy + distill T^2 KL to the dense model's
  /// logits of each training image (1: no labels; 0: off).
  double distill = 0;
  double distillTemperature = 4;
  /// The generic models' validation rule: prune |w| <= q std (conv q/2)
  /// with q rising by qualityStep, retraining --prune-epochs after each
  /// step, until validation top-1 falls more than pruneStop points below
  /// the dense model's; the last step within is kept.
  double pruneStop = 0.5;
  /// The generic default even where a model matches the paper's tables.
  bool generic = false;
  double qualityStep = 0.25;
};

/// Runs the recipe; results as runTrain's. The output is the compressed
/// model (dc-encode's), which dc-compile takes as it is.
LogicalResult runRecipe(const TrainOptions &options,
                        const RecipeOptions &recipe);

/// Runs dc-train. Fails on an error (reported on stderr as "dc-train:
/// error: ...") or when interrupted by SIGINT (then trainStopped(): no
/// output; from the first step on, a checkpoint was written — after the
/// last step, the finished run's, which --resume turns into the outputs).
LogicalResult runTrain(const TrainOptions &options);

/// Whether the run that failed stopped on a SIGINT (dc-train exits 130)
/// rather than on an error (exit 1).
bool trainStopped();

} // namespace mlir::dc

#endif // DC_TRAIN_DRIVER_H
