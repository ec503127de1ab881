//===- Driver.cpp - dc-train's flow ---------------------------------------===//

#include "dc/Train/Driver.h"
#include "Phase.h"
#include "dc/Autodiff/Passes.h"
#include "dc/Data/IDX.h"
#include "dc/Dialect/DC/Analysis/Weights.h"
#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/InitAllDC.h"
#include "dc/Support/FileIO.h"
#include "dc/Support/TestHooks.h"
#include "dc/Tools/ToolSupport.h"
#include "dc/Train/Step.h"
#include "dc/TrainLoop/TrainLoop.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <pthread.h>

using namespace mlir;
using namespace mlir::dc;

namespace {

volatile std::sig_atomic_t interruptedFlag = 0;
void onInterrupt() { interruptedFlag = 1; }

LogicalResult fail(const llvm::Twine &message) { return trainError(message); }

/// The run stopped on a SIGINT (reported): trainStopped() says so.
bool stoppedFlag = false;
LogicalResult stopped() {
  stoppedFlag = true;
  return failure();
}

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

/// dc-parametrize's options for --train.
DCParametrizeOptions parametrizeOptions(ArrayRef<std::string> train) {
  bool weights = false, biases = false, codebooks = false, statistics = false;
  SmallVector<std::string> layers;
  for (const std::string &t : train) {
    if (t == "weights")
      weights = true;
    else if (t == "biases")
      biases = true;
    else if (t == "codebooks")
      codebooks = true;
    else if (t == "statistics")
      statistics = true;
    else
      layers.push_back(t);
  }
  if (!layers.empty()) // names select among every kind
    weights = biases = codebooks = statistics = true;
  DCParametrizeOptions o;
  o.weights = weights;
  o.maskedWeights = weights;
  o.biases = biases;
  o.codebooks = codebooks;
  o.statistics = statistics;
  o.layers.assign(layers.begin(), layers.end());
  return o;
}

llvm::Error writeBytes(const std::string &path, llvm::StringRef bytes) {
  llvm::Expected<::dc::OutputFile> out = ::dc::OutputFile::create(path);
  if (!out)
    return out.takeError();
  out->os() << bytes;
  testSignalAt("checkpoint");
  return out->commit();
}

/// The files of `dir` a split may be read from (loadSplit's names).
std::vector<std::string> dataFileNames(const std::string &dir) {
  std::vector<std::string> files;
  for (const char *split : {"train", "t10k"})
    for (const char *suffix :
         {"-images-idx3-ubyte", "-images-idx3-ubyte.gz", "-labels-idx1-ubyte",
          "-labels-idx1-ubyte.gz", "-images.u8", "-images.f32", "-labels.u8"})
      files.push_back(dir + "/" + split + suffix);
  return files;
}

/// Checks --data before the reader sees it: a folder, whose data files (if
/// there) are files.
LogicalResult checkDataFolder(const std::string &dir) {
  llvm::sys::fs::file_status st;
  if (!llvm::sys::fs::status(dir, st) &&
      st.type() != llvm::sys::fs::file_type::directory_file)
    return fail("--data '" + dir +
                "' is not a folder (it names the folder "
                "holding train-/t10k- image and label files)");
  for (const std::string &f : dataFileNames(dir))
    if (!llvm::sys::fs::status(f, st) &&
        st.type() == llvm::sys::fs::file_type::directory_file)
      return fail("--data: '" + f + "' is a directory, not a data file");
  return success();
}

/// A non-finite value in a weight or bias of the model as it was read
/// (non-splat f32 constants: a NaN weight would otherwise surface as a NaN
/// loss, blamed on the learning rate).
LogicalResult checkFiniteConstants(ModuleOp module) {
  LogicalResult rc = success();
  module.walk([&](arith::ConstantOp c) {
    auto type = dyn_cast<RankedTensorType>(c.getType());
    if (failed(rc) || !type || !type.getElementType().isF32())
      return WalkResult::advance();
    if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
        dense && dense.isSplat())
      return WalkResult::advance();
    std::vector<float> storage;
    FailureOr<ArrayRef<float>> values = getWeightValues(c, storage);
    if (failed(values))
      return WalkResult::advance();
    for (auto [i, v] : llvm::enumerate(*values)) {
      if (std::isfinite(v))
        continue;
      std::string name;
      if (auto r = dyn_cast<DenseResourceElementsAttr>(c.getValue()))
        name = "'" + r.getRawHandle().getKey().str() + "'";
      else {
        llvm::raw_string_ostream os(name);
        os << "at " << c.getLoc();
      }
      rc = fail("the model's constant " + name + " (" + typeString(type) +
                ") has a non-finite value (" + std::to_string(v) +
                ") at element " + llvm::Twine(i) +
                ": dc-train cannot train from non-finite weights");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return rc;
}

} // namespace

bool mlir::dc::trainStopped() { return stoppedFlag; }

void mlir::dc::testSignalAt(llvm::StringRef stage) {
  ::dc::testPause(("dc-train-" + stage).str());
}

llvm::Error mlir::dc::saveCheckpoint(const std::string &path,
                                     const std::vector<char> &bytes) {
  llvm::StringRef data(bytes.data(), bytes.size());
  bool wasInterrupted = interruptedFlag;
  llvm::Error e = writeBytes(path, data);
  // A SIGINT that lands while a checkpoint is written makes LLVM's handler
  // remove the temporary (files to remove on a signal): write it again,
  // now that the handler has run.
  if (e && !wasInterrupted && interruptedFlag) {
    llvm::consumeError(std::move(e));
    e = writeBytes(path, data);
  }
  return e;
}

LogicalResult mlir::dc::stopAfterTraining(const std::string &path,
                                          const std::vector<char> &bytes,
                                          llvm::StringRef hint) {
  if (llvm::Error e = saveCheckpoint(path, bytes))
    return fail("interrupted after the last step, and the checkpoint could "
                "not be written: " +
                llvm::toString(std::move(e)));
  llvm::errs() << "dc-train: interrupted after the last step; checkpoint '"
               << path << "' written, no output ("
               << (hint.empty() ? "--resume=" + path + " writes it"
                                : hint.str())
               << ")\n";
  return stopped();
}

LogicalResult mlir::dc::trainError(const llvm::Twine &message) {
  llvm::errs() << "dc-train: error: " << message << "\n";
  return failure();
}

LogicalResult mlir::dc::checkTrainOptions(const TrainOptions &o) {
  if (o.data.empty())
    return fail("no --data folder");
  if (o.output.empty())
    return fail("no output file (-o)");
  if (!(o.lr > 0) || !std::isfinite(o.lr))
    return fail("--lr must be positive (got " + std::to_string(o.lr) + ")");
  if (o.batch <= 0)
    return fail("--batch-size must be positive (got " + llvm::Twine(o.batch) +
                ")");
  if (o.threads < 1)
    return fail("--blas-threads must be at least 1 (got " +
                llvm::Twine(o.threads) + ")");
  if (::dc::Status s = ::dc::optim::verifyOptions(o.optimizer); !s.ok())
    return fail(s.message());
  ::dc::StatusOr<::dc::optim::Schedule> schedule =
      ::dc::optim::Schedule::parse(o.schedule);
  if (!schedule.ok())
    return fail(schedule.message());
  if (!(o.std > 0) || !std::isfinite(o.std) || !std::isfinite(o.mean))
    return fail("--std must be positive and finite and --mean finite");
  return checkDataFolder(o.data);
}

llvm::json::Array
mlir::dc::epochsJson(ArrayRef<::dc::trainloop::EpochLog> log) {
  llvm::json::Array epochs;
  for (const ::dc::trainloop::EpochLog &e : log) {
    llvm::json::Object entry{
        {"epoch", e.epoch},     {"steps", int64_t(e.steps)},
        {"loss", e.loss},       {"lr", e.lr},
        {"seconds", e.seconds}, {"images_per_second", e.imagesPerSecond}};
    if (e.testTop1 >= 0)
      entry["test_top1"] = e.testTop1;
    if (e.valTop1 >= 0)
      entry["val_top1"] = e.valTop1;
    epochs.push_back(std::move(entry));
  }
  return epochs;
}

FailureOr<ModelInterface> mlir::dc::readModelInterface(ModuleOp module) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal())
    return fail("the model has no func.func @forward with a body");
  // Parameters, one image tensor [b, ...], logits [b, C].
  RankedTensorType input, logits;
  for (auto [i, t] : llvm::enumerate(forward.getArgumentTypes())) {
    if (forward.getArgAttr(i, kParamAttrName))
      continue;
    if (input)
      return fail("@forward takes more than one input besides its parameters");
    input = dyn_cast<RankedTensorType>(t);
    if (!input || !input.hasStaticShape() || input.getRank() < 2 ||
        !input.getElementType().isF32())
      return fail("@forward's input must be a static f32 tensor [batch, ...] "
                  "(got " +
                  typeString(t) + ")");
  }
  if (!input)
    return fail("@forward has no input besides its parameters");
  if (forward.getNumResults() == 1)
    logits = dyn_cast<RankedTensorType>(forward.getResultTypes()[0]);
  if (!logits || logits.getRank() != 2 || !logits.hasStaticShape() ||
      !logits.getElementType().isF32() ||
      logits.getDimSize(0) != input.getDimSize(0))
    return fail("@forward must return logits f32 [batch, classes] (got " +
                typeString(forward.getFunctionType()) + ")");
  return ModelInterface{size_t(input.getNumElements() / input.getDimSize(0)),
                        logits.getDimSize(1), typeString(logits)};
}

LogicalResult mlir::dc::loadTrainData(const TrainOptions &o,
                                      const ModelInterface &m,
                                      TrainData &data) {
  ::dc::StatusOr<::dc::data::Samples> train =
      ::dc::data::loadSplit(o.data, "train", m.features, o.mean, o.std);
  if (!train.ok())
    return fail(train.message());
  ::dc::StatusOr<::dc::data::Samples> test =
      ::dc::data::loadSplit(o.data, "t10k", m.features, o.mean, o.std);
  if (!test.ok())
    return fail(test.message());
  for (auto [name, set] :
       {std::make_pair("train", &*train), std::make_pair("t10k", &*test)})
    if (set->count == 0)
      return fail("--data '" + o.data + "': the " + name +
                  " split has 0 images");
  for (auto [name, set] :
       {std::make_pair("train", &*train), std::make_pair("t10k", &*test)})
    for (uint32_t i = 0; i < set->count; ++i)
      if (set->y[i] >= m.classes)
        return fail(llvm::Twine(name) + " label " + llvm::Twine(i) + " is " +
                    llvm::Twine(unsigned(set->y[i])) +
                    ", outside the model's " + llvm::Twine(m.classes) +
                    " classes (logits " + m.logitsType + ")");
  if (o.valSplit >= train->count)
    return fail("--val-split=" + llvm::Twine(o.valSplit) + " leaves no " +
                "training images (of " + llvm::Twine(train->count) + ")");
  if (o.valSplit) {
    data.val = train->slice(train->count - o.valSplit, o.valSplit);
    *train = train->slice(0, train->count - o.valSplit);
  }
  if (uint64_t(o.batch) > train->count)
    return fail("--batch-size=" + llvm::Twine(o.batch) +
                " is larger than the " + llvm::Twine(train->count) +
                " training images");
  data.train = std::move(*train);
  data.test = std::move(*test);
  return success();
}

namespace {

/// The values of the parameters `module` (parametrized) trains, checked.
FailureOr<std::vector<ParameterValue>>
trainedParameters(ModuleOp module, const PhaseOptions &phase) {
  bool selected = static_cast<bool>(
      module.lookupSymbol<func::FuncOp>(paramsFunctionName("forward")));
  std::vector<ParameterValue> values;
  if (selected) {
    llvm::Expected<std::vector<ParameterValue>> read = readParameters(module);
    if (!read)
      return fail(llvm::toString(read.takeError()));
    values = std::move(*read);
  }
  if (values.empty())
    return fail("nothing to train: --train=" + llvm::join(phase.train, ",") +
                " selects no constant of @forward");
  for (const ParameterValue &p : values)
    for (auto [i, v] : llvm::enumerate(p.values))
      if (!std::isfinite(v))
        return fail("the model's parameter '" + p.name + "' (" + p.kind +
                    ") has a non-finite value (" + std::to_string(v) +
                    ") at element " + llvm::Twine(i) +
                    ": dc-train cannot train from non-finite weights");
  return values;
}

/// The step library of the phase (built, or found in the cache).
FailureOr<StepLibraryInfo> phaseStepLibrary(ModuleOp module,
                                            const TrainOptions &o,
                                            const ModelInterface &iface,
                                            const PhaseOptions &phase,
                                            const TrainData &data) {
  StepOptions step;
  step.batch = o.batch;
  step.cacheDir = o.cacheDir;
  step.runtimeDir = o.runtimeDir;
  step.linker = o.linker;
  if (phase.teacher) {
    if (phase.teacher->size() != size_t(data.train.count) * iface.classes)
      return fail("the teacher's logits do not match the training images");
    step.distill = true;
    step.temperature = phase.temperature;
    step.alpha = phase.alpha;
  }
  if (!o.quiet)
    llvm::errs() << "dc-train: the training step at batch " << o.batch
                 << "...\n";
  llvm::Expected<StepLibraryInfo> info = buildStepLibrary(module, step);
  if (!info)
    return fail(llvm::toString(info.takeError()));
  if (!o.quiet)
    llvm::errs()
        << "dc-train: " << (info->cached ? "found " : "compiled ") << info->path
        << (info->cached
                ? ""
                : " in " + llvm::formatv("{0:f1}", info->compileSeconds).str() +
                      " s")
        << "\n";
  return *info;
}

/// The loop's settings for the phase.
::dc::trainloop::LoopOptions loopOptionsOf(const TrainOptions &o,
                                           const ModelInterface &iface,
                                           const PhaseOptions &phase) {
  ::dc::trainloop::LoopOptions loopOptions;
  loopOptions.epochs = phase.epochs;
  loopOptions.batch = o.batch;
  loopOptions.classes = iface.classes;
  loopOptions.lr = phase.lr;
  loopOptions.optimizer = o.optimizer;
  loopOptions.schedule = phase.schedule;
  loopOptions.seed = o.seed;
  loopOptions.checkpointEvery = o.checkpointEvery;
  loopOptions.progress = !o.quiet;
  loopOptions.test = phase.test;
  loopOptions.teacherLogits = phase.teacher ? phase.teacher->data() : nullptr;
  if (std::getenv("DC_TEST_HOOK"))
    loopOptions.testHook = [](const char *stage, uint64_t step) {
      testSignalAt(stage);
      testSignalAt("step-" + std::to_string(step));
    };
  return loopOptions;
}

} // namespace

LogicalResult mlir::dc::trainPhase(ModuleOp module, const TrainOptions &o,
                                   const ModelInterface &iface,
                                   const PhaseOptions &phase,
                                   const TrainData &data, PhaseResult &result) {
  MLIRContext *context = module.getContext();
  // Parametrized as the phase says, unless the model already is.
  bool parametrized = static_cast<bool>(
      module.lookupSymbol<func::FuncOp>(paramsFunctionName("forward")));
  if (!parametrized) {
    PassManager pm(context);
    pm.addPass(createDCParametrize(parametrizeOptions(phase.train)));
    if (failed(pm.run(module)))
      return fail("cannot make the model's constants parameters (see above)");
  }
  FailureOr<std::vector<ParameterValue>> values =
      trainedParameters(module, phase);
  if (failed(values))
    return failure();
  FailureOr<StepLibraryInfo> info =
      phaseStepLibrary(module, o, iface, phase, data);
  if (failed(info))
    return failure();
  result.library = *info;
  auto library = ::dc::trainloop::StepLibrary::open(
      info->path, kStepPrefix.str(), {kStepEntry.str(), kForwardEntry.str()});
  if (!library.ok())
    return fail(library.message());
  (*library)->setThreads(o.threads);

  // The arena.
  std::vector<::dc::trainloop::Parameter> layout;
  std::vector<float> arena;
  for (const ParameterValue &p : *values) {
    layout.push_back({p.name, arena.size(), p.values.size()});
    arena.insert(arena.end(), p.values.begin(), p.values.end());
  }
  result.parameters = arena.size();
  ::dc::trainloop::LoopOptions loopOptions = loopOptionsOf(o, iface, phase);
  ::dc::trainloop::TrainLoop loop(**library, 0, 1, layout, std::move(arena),
                                  loopOptions);
  if (!phase.resume.empty()) {
    auto bytes = ::dc::readInputFile(phase.resume);
    if (!bytes)
      return fail(llvm::toString(bytes.takeError()));
    if (::dc::Status s =
            loop.restore((*bytes)->getBufferStart(), (*bytes)->getBufferSize(),
                         data.train.count);
        !s.ok())
      return fail("'" + phase.resume + "': " + s.message());
  }

  if (interruptedFlag) {
    llvm::errs() << "dc-train: interrupted before training; no output\n";
    return stopped();
  }
  auto checkpointTo =
      [&](const std::vector<char> &bytes) -> ::dc::Status {
    if (llvm::Error e = saveCheckpoint(phase.checkpoint, bytes))
      return ::dc::Status::error(llvm::toString(std::move(e)));
    return ::dc::Status::success();
  };
  auto report = [&](const ::dc::trainloop::EpochLog &e) {
    if (o.quiet)
      return;
    llvm::errs() << llvm::formatv("dc-train: epoch {0}/{1}: loss {2:f4}, lr "
                                  "{3:e2}, {4:f1} s, {5:f0} img/s",
                                  e.epoch, phase.epochs, e.loss, e.lr,
                                  e.seconds, e.imagesPerSecond);
    if (e.valTop1 >= 0)
      llvm::errs() << llvm::formatv(", val top-1 {0:f2}%", 100 * e.valTop1);
    if (e.testTop1 >= 0)
      llvm::errs() << llvm::formatv(", test top-1 {0:f2}%", 100 * e.testTop1);
    llvm::errs() << "\n";
  };
  ::dc::Status status = loop.run(data.train, data.val, data.test,
                                        &interruptedFlag, checkpointTo, report);
  if (loop.interrupted()) {
    llvm::errs() << "dc-train: " << status.message() << "; checkpoint '"
                 << phase.checkpoint << "' written, no output ("
                 << (phase.continueHint.empty()
                         ? "--resume=" + phase.checkpoint + " continues"
                         : phase.continueHint)
                 << ")\n";
    return stopped();
  }
  if (!status.ok())
    return fail(status.message());
  // From here on a SIGINT (the last epoch's evaluation, the predictions,
  // writing the outputs) saves the finished run: resumed, it only writes
  // the outputs.
  result.checkpoint = loop.checkpoint();
  if (interruptedFlag)
    return stopAfterTraining(phase.checkpoint, result.checkpoint,
                             phase.continueHint);

  // The model back, in the form it came in.
  std::vector<std::vector<float>> trained;
  for (const ::dc::trainloop::Parameter &p : layout)
    trained.emplace_back(loop.arena().begin() + p.offset,
                         loop.arena().begin() + p.offset + p.count);
  if (llvm::Error e = writeParameters(module, trained))
    return fail(llvm::toString(std::move(e)));
  if (!parametrized) {
    PassManager pm(context);
    pm.addPass(createDCFoldParameters());
    if (failed(pm.run(module)))
      return fail("cannot fold the trained parameters back (see above)");
  }
  if (phase.predictions)
    result.predictions = loop.predict(data.test);
  if (phase.trainLogits)
    result.trainLogits = loop.logits(data.train);
  result.log = loop.log();
  bool test = phase.test != ::dc::trainloop::LoopOptions::Test::Never;
  result.testTop1 = !test                ? -1
                    : loop.log().empty() ? loop.top1(data.test)
                                         : loop.log().back().testTop1;
  result.valTop1 =
      loop.log().empty() ? loop.top1(data.val) : loop.log().back().valTop1;
  testSignalAt("predict");
  if (interruptedFlag)
    return stopAfterTraining(phase.checkpoint, result.checkpoint,
                             phase.continueHint);
  return success();
}

LogicalResult
TrainOutputs::open(const TrainOptions &o, const std::string &checkpoint,
                   ArrayRef<std::pair<std::string, std::string>> more) {
  // No output may be another output or an input (by identity: a relative,
  // absolute or linked spelling of one file is caught alike).
  ::dc::FileSet files;
  files.input("the model", o.model);
  for (const std::string &f : dataFileNames(o.data))
    if (llvm::sys::fs::exists(f))
      files.input("--data", f);
  files.input("--resume", o.resume);
  files.output("-o", o.output);
  files.output("--log", o.log);
  files.output("--predictions", o.predictions);
  files.output("--checkpoint", checkpoint);
  for (const auto &[option, path] : more)
    files.output(option, path);
  // Continuing a run: the checkpoint it resumed from is replaced (by
  // temporary and rename, after it was read).
  files.allow("--checkpoint", "--resume");
  if (llvm::Error e = files.check())
    return fail(llvm::toString(std::move(e)));

  for (auto [path, file] :
       {std::make_pair(&o.output, &model), std::make_pair(&o.log, &log),
        std::make_pair(&o.predictions, &predictions)}) {
    if (path->empty())
      continue;
    llvm::Expected<::dc::OutputFile> f = ::dc::OutputFile::create(*path);
    if (!f)
      return fail(llvm::toString(f.takeError()));
    file->emplace(std::move(*f));
  }
  // Written later (the checkpoint many times): checked now as an output
  // would be, a regular file by making and removing its temporary.
  SmallVector<std::string> later = {checkpoint};
  for (const auto &m : more)
    later.push_back(m.second);
  for (const std::string &path : later) {
    ::dc::OutputFile::Kind kind;
    llvm::Expected<std::string> resolved = ::dc::resolveOutputPath(path, &kind);
    if (!resolved)
      return fail(llvm::toString(resolved.takeError()));
    if (kind != ::dc::OutputFile::Kind::Replace)
      continue; // a stream is opened when written (a FIFO would block now)
    llvm::Expected<::dc::OutputFile> f = ::dc::OutputFile::create(path);
    if (!f)
      return fail(llvm::toString(f.takeError()));
    f->discard();
  }
  return success();
}

LogicalResult TrainOutputs::commit(const std::string &checkpointPath,
                                   const std::vector<char> &checkpoint,
                                   StringRef hint) {
  SmallVector<::dc::OutputFile *> all;
  for (std::optional<::dc::OutputFile> *f : {&model, &log, &predictions})
    if (*f)
      all.push_back(&**f);
  // Every byte written first: a write error in one (a full disk) leaves
  // all of them uncommitted.
  for (::dc::OutputFile *f : all)
    if (llvm::Error e = f->flush()) {
      for (::dc::OutputFile *g : all)
        g->discard();
      return fail(llvm::toString(std::move(e)));
    }
  // Then the renames, with SIGINT held off (LLVM's handler would remove
  // the temporaries not renamed yet): a SIGINT before this point stops the
  // run with a checkpoint; one during it waits for the renames, and the
  // run ends complete.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  if (interruptedFlag) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    for (::dc::OutputFile *f : all)
      f->discard();
    return stopAfterTraining(checkpointPath, checkpoint, hint);
  }
  LogicalResult rc = success();
  testSignalAt("commit"); // held off until every output is renamed
  for (::dc::OutputFile *f : all) {
    if (failed(rc)) {
      f->discard();
      continue;
    }
    if (llvm::Error e = f->commit())
      rc = fail(llvm::toString(std::move(e)));
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return rc;
}

TrainSession::TrainSession() {
  registerToolDialects(registry);
  registerAllDCPasses();
  context = std::make_unique<MLIRContext>(registry);
  context->printOpOnDiagnostic(false);
  diagnostics =
      std::make_unique<SourceMgrDiagnosticHandler>(sourceMgr, context.get());
}

LogicalResult TrainSession::open(const TrainOptions &o) {
  // SIGINT from here on: training stops after its step (TrainLoop), work
  // before training stops before the first step, work after it with a
  // checkpoint of the finished run; a second SIGINT kills.
  llvm::sys::SetInterruptFunction(onInterrupt);
  namedDiagnostics =
      std::make_unique<NamedLocationDiagnostics>(*context, o.model);
  module = loadModule(o.model, *context, sourceMgr, "dc-train");
  if (!module)
    return failure();
  FailureOr<ModelInterface> i = readModelInterface(*module);
  if (failed(i))
    return failure();
  iface = *i;
  if (failed(checkFiniteConstants(*module)))
    return failure();
  if (failed(loadTrainData(o, iface, data)))
    return failure();
  testSignalAt("loaded");
  if (interruptedFlag) {
    llvm::errs() << "dc-train: interrupted before training; no output\n";
    return stopped();
  }
  return success();
}

LogicalResult mlir::dc::runTrain(const TrainOptions &o) {
  // Options first: nothing is read or built for a run that cannot start.
  if (failed(checkTrainOptions(o)))
    return failure();
  ::dc::StatusOr<::dc::optim::Schedule> schedule =
      ::dc::optim::Schedule::parse(o.schedule);
  std::string checkpointPath =
      o.checkpoint.empty() ? o.output + ".ckpt" : o.checkpoint;
  // The outputs, prepared before the work (dc/Support/FileIO.h): a bad path
  // or a collision fails now, and nothing appears unless the run completes.
  TrainOutputs outputs;
  if (failed(outputs.open(o, checkpointPath)))
    return failure();

  TrainSession session;
  if (failed(session.open(o)))
    return failure();
  ModuleOp module = *session.module;
  const TrainData &data = session.data;

  PhaseOptions phase{o.epochs,
                     o.train,
                     o.lr,
                     *schedule,
                     checkpointPath,
                     o.resume,
                     outputs.predictions.has_value() || o.epochs == 0};
  PhaseResult result;
  if (failed(trainPhase(module, o, session.iface, phase, data, result)))
    return failure();

  // Every output's contents, then all committed together (or none).
  module.print(outputs.model->os());
  outputs.model->os() << "\n"; // as dc-opt prints it
  if (outputs.predictions)
    for (uint32_t p : result.predictions)
      outputs.predictions->os() << p << "\n";
  if (outputs.log) {
    llvm::json::Object root{
        {"model", o.model},
        {"data", o.data},
        {"cpu", llvm::sys::getHostCPUName()},
        {"threads", o.threads},
        {"batch_size", o.batch},
        {"parameters", int64_t(result.parameters)},
        {"train_images", int64_t(data.train.count)},
        {"val_images", int64_t(data.val.count)},
        {"test_images", int64_t(data.test.count)},
        {"step_library", llvm::json::Object{{"path", result.library.path},
                                            {"cached", result.library.cached},
                                            {"compile_seconds",
                                             result.library.compileSeconds}}},
        {"epochs", epochsJson(result.log)},
        {"test_top1", result.testTop1}};
    outputs.log->os() << llvm::formatv("{0:2}",
                                       llvm::json::Value(std::move(root)))
                      << "\n";
  }
  testSignalAt("write");
  if (failed(outputs.commit(checkpointPath, result.checkpoint, "")))
    return failure();
  if (!o.quiet)
    llvm::errs() << llvm::formatv("dc-train: test top-1 {0:f2}%, wrote {1}\n",
                                  100 * result.testTop1, o.output);
  return success();
}
