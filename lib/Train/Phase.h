//===- Phase.h - dc-train's building blocks (private) -----------*- C++ -*-===//
//
// What runTrain and the recipe (Recipe.cpp) share: the model's interface,
// the data, and one training phase over a module.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_TRAIN_PHASE_H
#define DC_LIB_TRAIN_PHASE_H

#include "dc/Data/IDX.h"
#include "dc/Optim/Optimizer.h"
#include "dc/Support/FileIO.h"
#include "dc/Tools/ToolSupport.h"
#include "dc/Train/Driver.h"
#include "dc/Train/Step.h"
#include "dc/TrainLoop/TrainLoop.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"

namespace mlir::dc {

/// Prints "dc-train: error: MESSAGE"; returns failure().
LogicalResult trainError(const llvm::Twine &message);

/// The checks of the options every run makes before anything is read: 0 or
/// 1 (the error reported, naming the option).
LogicalResult checkTrainOptions(const TrainOptions &o);

/// Test-only (docs/Training.md, "Signals"): dc::testPause("dc-train-STAGE")
/// (dc/Support/TestHooks.h): DC_TEST_HOOK=dc-train-STAGE:signal:2 makes
/// this process send itself SIGINT there, so the tests interrupt every
/// stage deterministically.
void testSignalAt(llvm::StringRef stage);

/// Writes checkpoint `bytes` to `path` (by temporary and rename; written
/// again if a SIGINT removed the temporary on the way).
llvm::Error saveCheckpoint(const std::string &path,
                           const std::vector<char> &bytes);

/// After a SIGINT once training is over (the final evaluation, writing the
/// outputs): saves `bytes`, the finished run's checkpoint, to `path`, says
/// so and fails as stopped (trainStopped(); an error if the checkpoint
/// cannot be written). `hint` says
/// how to continue ("" = --resume=PATH).
LogicalResult stopAfterTraining(const std::string &path,
                                const std::vector<char> &bytes,
                                llvm::StringRef hint);

/// @forward's images and logits.
struct ModelInterface {
  size_t features = 0; ///< elements per image
  int64_t classes = 0;
  std::string logitsType;
};
/// Reports what is wrong (trainError) on failure.
FailureOr<ModelInterface> readModelInterface(ModuleOp module);

struct TrainData {
  ::dc::data::Samples train, val, test;
};
/// Loads --data (with --val-split) for the interface; 0 or an exit code.
LogicalResult loadTrainData(const TrainOptions &o, const ModelInterface &m,
                            TrainData &data);

struct PhaseOptions {
  unsigned epochs = 1;
  std::vector<std::string> train;
  double lr = 1e-3;
  ::dc::optim::Schedule schedule;
  std::string checkpoint, resume;
  bool predictions = false;
  ::dc::trainloop::LoopOptions::Test test =
      ::dc::trainloop::LoopOptions::Test::EveryEpoch;
  /// Distillation against these logits of the training images (count x
  /// classes), or none.
  const std::vector<float> *teacher = nullptr;
  double temperature = 4, alpha = 0.5;
  /// Return the trained model's logits of the training images.
  bool trainLogits = false;
  /// How an interrupted run continues ("" = --resume=CHECKPOINT).
  std::string continueHint = "";
};
struct PhaseResult {
  std::vector<::dc::trainloop::EpochLog> log;
  double testTop1 = -1, valTop1 = -1;
  StepLibraryInfo library;
  std::vector<uint32_t> predictions;
  std::vector<float> trainLogits;
  size_t parameters = 0;
  /// The finished run's checkpoint: a SIGINT while the outputs are written
  /// saves it (--resume then only writes them).
  std::vector<char> checkpoint;
};
/// Trains `module` in place: parametrizes what `phase.train` selects (unless
/// it is parametrized), builds the step library, trains, writes the values
/// back and folds them. Fails on an error (reported) or a SIGINT
/// (trainStopped()).
LogicalResult trainPhase(ModuleOp module, const TrainOptions &o,
                         const ModelInterface &iface, const PhaseOptions &phase,
                         const TrainData &data, PhaseResult &result);

llvm::json::Array epochsJson(ArrayRef<::dc::trainloop::EpochLog> log);

/// The -o, --log and --predictions outputs, prepared before the work
/// (dc/Support/FileIO.h): a bad path fails at once, and nothing appears
/// unless the run completes and commits them all.
struct TrainOutputs {
  /// Refuses, before any work, an output that is the same file as another
  /// output or as an input (dc::FileSet, by identity: the model, the data
  /// files, --resume), except --checkpoint naming the --resume file (the
  /// documented way to continue a run: it is replaced by temporary and
  /// rename). Then creates -o, --log and --predictions and checks the
  /// checkpoint's path and `more` (the recipe's stage models, option and
  /// path) the same way, so a missing folder fails now, not at the first
  /// checkpoint. Fails with the error reported.
  LogicalResult
  open(const TrainOptions &o, const std::string &checkpoint,
       llvm::ArrayRef<std::pair<std::string, std::string>> more = {});
  /// Once their contents are written: flushes every output, then commits
  /// them all with SIGINT held off — or none, when a flush fails (1) or a
  /// SIGINT came first (stopAfterTraining with `checkpoint`).
  LogicalResult commit(const std::string &checkpointPath,
                       const std::vector<char> &checkpoint,
                       llvm::StringRef hint);
  std::optional<::dc::OutputFile> model, log, predictions;
};

/// What a dc-train run holds: the context (every dialect, dc's passes),
/// diagnostics with locations, the model, its interface and the data.
/// open() also installs the SIGINT handler (a phase stops after its step).
struct TrainSession {
  TrainSession();
  /// Fails with the error reported, or stopped by a SIGINT.
  LogicalResult open(const TrainOptions &o);

  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<SourceMgrDiagnosticHandler> diagnostics;
  /// Diagnostics at an ONNX node's or named op's location, with the file.
  std::unique_ptr<NamedLocationDiagnostics> namedDiagnostics;
  OwningOpRef<ModuleOp> module;
  ModelInterface iface;
  TrainData data;
};

} // namespace mlir::dc

#endif // DC_LIB_TRAIN_PHASE_H
