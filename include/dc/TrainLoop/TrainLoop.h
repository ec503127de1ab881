//===- TrainLoop.h - dc-train's epochs over a compiled step -------*- C++ -*-===//
//
// MLIR-free (docs/Training.md, "dc-train"). The parameters live in one float
// arena; each step fills a batch (shuffled by the project's PRNG, the last
// partial batch padded with rows of weight 0, so its loss is the mean over
// its real rows as in PyTorch), calls the step library's train_step, checks
// the loss and updates the arena with dc::optim. After each epoch it
// evaluates top-1 with the library's forward (ties: the lowest class, as
// torch.argmax). Same seed, same data, same library and threads: the same
// arena, bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef DC_TRAINLOOP_TRAINLOOP_H
#define DC_TRAINLOOP_TRAINLOOP_H

#include "dc/Data/IDX.h"
#include "dc/Optim/Optimizer.h"
#include "dc/TrainLoop/Checkpoint.h"
#include "dc/TrainLoop/StepLibrary.h"

#include <csignal>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dc::trainloop {

using data::Samples;

struct LoopOptions {
  unsigned epochs = 1;
  int64_t batch = 64;   ///< the step library's batch
  int64_t classes = 10; ///< the width of the logits
  double lr = 1e-3;
  optim::Options optimizer;
  optim::Schedule schedule;
  uint64_t seed = 0;
  /// Write a checkpoint every this many steps (0: only when interrupted).
  uint64_t checkpointEvery = 0;
  /// A progress line on stderr (when it is a terminal).
  bool progress = false;
  /// When the test set is evaluated: after every epoch, after the last
  /// epoch only (a recipe's stage row), or never (a step choices are made
  /// in, on the validation split).
  enum class Test { EveryEpoch, LastEpoch, Never } test = Test::EveryEpoch;
  /// Distillation: the teacher's logits of every training image
  /// (count x classes, the training set's order), passed to train_step as
  /// its last argument (dc-differentiate{loss=distillation}); null: none.
  const float *teacherLogits = nullptr;
  /// Test-only (dc-train's DC_TEST_HOOK stages): called with "step" and
  /// the run's step count (the optimizer's) after each step, and with
  /// "evaluate" before the last epoch's evaluation.
  std::function<void(const char *stage, uint64_t step)> testHook;
};

/// Called after each epoch's evaluation.
using EpochCallback = std::function<void(const EpochLog &)>;

class TrainLoop {
public:
  /// `step` and `forward` index the library's entries train_step and
  /// forward; `arena` holds the initial values of `params`.
  TrainLoop(StepLibrary &library, unsigned step, unsigned forward,
            std::vector<Parameter> params, std::vector<float> arena,
            LoopOptions options);

  /// Trains for the remaining epochs (all, or the rest of a restored run).
  /// `checkpoint` receives checkpoint bytes every checkpointEvery steps and
  /// when `*interrupted` becomes non-zero, which stops the run after the
  /// current step with an "interrupted" Status. `val` may be empty.
  Status run(const Samples &train, const Samples &val, const Samples &test,
             const volatile std::sig_atomic_t *interrupted,
             const std::function<Status(const std::vector<char> &)>
                 &checkpoint,
             const EpochCallback &onEpoch = nullptr);

  /// The predicted class of every image.
  std::vector<uint32_t> predict(const Samples &data);
  /// The logits of every image (count x classes).
  std::vector<float> logits(const Samples &data);
  /// Top-1 accuracy in [0, 1].
  double top1(const Samples &data);

  /// The run's state (arena, optimizer, position; Checkpoint.h) and back.
  /// After run() returns, the state of the finished run (at the end of its
  /// last epoch), which a resumed run completes without training. restore
  /// checks that the checkpoint belongs to this model, these options and a
  /// training set of `trainImages` images, and every field (readCheckpoint).
  std::vector<char> checkpoint() const;
  Status restore(const char *bytes, size_t size, uint64_t trainImages);

  const std::vector<float> &arena() const { return params; }
  const std::vector<EpochLog> &log() const { return epochs; }
  bool interrupted() const { return stopped; }

private:
  uint64_t fingerprint() const;
  void fillBatch(const Samples &data, const uint32_t *rows, size_t n,
                 bool withTeacher = false);
  /// Runs forward over `data`, calling `row(i, logits)` for every image.
  void forEachLogits(const Samples &data,
                     const std::function<void(uint32_t, const float *)> &row);

  StepLibrary &lib;
  unsigned stepEntry, forwardEntry;
  std::vector<Parameter> layout;
  std::vector<float> params, grads;
  LoopOptions o;
  optim::Optimizer optimizer;
  // The batch buffers the step reads (allocated once).
  std::vector<float> x, rowWeights, batchLogits, teacher;
  std::vector<int64_t> labels;
  float loss = 0;
  // Where the run is: the next epoch (0-based) and step within it, and the
  // loss sum of the epoch so far.
  unsigned epoch = 0;
  uint64_t stepInEpoch = 0;
  double lossSum = 0;
  uint64_t trainImages = 0; ///< of the run (set by run or restore)
  std::vector<EpochLog> epochs;
  bool stopped = false;
};

} // namespace dc::trainloop

#endif // DC_TRAINLOOP_TRAINLOOP_H
