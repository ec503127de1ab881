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
#include "dc/Train/Driver.h"
#include "dc/Train/Step.h"
#include "dc/TrainLoop/TrainLoop.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/JSON.h"

namespace mlir::dc {

/// Prints "dc-train: error: MESSAGE"; returns 1.
int trainError(const llvm::Twine &message);

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
int loadTrainData(const TrainOptions &o, const ModelInterface &m,
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
};
struct PhaseResult {
  std::vector<::dc::trainloop::EpochLog> log;
  double testTop1 = -1, valTop1 = -1;
  StepLibraryInfo library;
  std::vector<uint32_t> predictions;
  std::vector<float> trainLogits;
  size_t parameters = 0;
};
/// Trains `module` in place: parametrizes what `phase.train` selects (unless
/// it is parametrized), builds the step library, trains, writes the values
/// back and folds them. Returns 0, 1 (error reported) or 130 (SIGINT).
int trainPhase(ModuleOp module, const TrainOptions &o,
               const ModelInterface &iface, const PhaseOptions &phase,
               const TrainData &data, PhaseResult &result);

llvm::json::Array epochsJson(ArrayRef<::dc::trainloop::EpochLog> log);

/// The -o, --log and --predictions outputs, prepared before the work
/// (dc/Support/FileIO.h): a bad path fails at once, and nothing appears
/// unless the run completes and commits them.
struct TrainOutputs {
  /// 0, or 1 (the error reported).
  int open(const TrainOptions &o);
  std::optional<::dc::OutputFile> model, log, predictions;
};

/// What a dc-train run holds: the context (every dialect, dc's passes),
/// diagnostics with locations, the model, its interface and the data.
/// open() also installs the SIGINT handler (a phase stops after its step).
struct TrainSession {
  TrainSession();
  /// 0, or an exit code (the error reported).
  int open(const TrainOptions &o);

  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<SourceMgrDiagnosticHandler> diagnostics;
  OwningOpRef<ModuleOp> module;
  ModelInterface iface;
  TrainData data;
};

} // namespace mlir::dc

#endif // DC_LIB_TRAIN_PHASE_H
