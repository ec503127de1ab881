//===- dc-train.cpp - Retrain a model on its data -------------------------===//
//
//   dc-train pruned.mlir --data=/usr/share/datasets/fashion-mnist \
//     --epochs=1 --optimizer=adam --lr=1e-3 --batch-size=64 -o retrained.mlir
//
// docs/Training.md, "dc-train". The flow is mlir::dc::runTrain
// (include/dc/Train/Driver.h); this file is its command line.
//
//===----------------------------------------------------------------------===//

#include "dc/Support/VersionPrinter.h"
#include "dc/Tools/ToolSupport.h"
#include "dc/Train/Driver.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"

using namespace llvm;

static cl::OptionCategory category("dc-train options");
static cl::opt<std::string> model(cl::Positional, cl::init("-"),
                                  cl::desc("<model.mlir>"), cl::cat(category));
static cl::opt<std::string>
    data("data", cl::Required,
         cl::desc("Folder with train-/t10k-images-idx3-ubyte[.gz] and "
                  "-labels-idx1-ubyte[.gz] (MNIST names), or raw "
                  "<split>-images.u8|.f32 and <split>-labels.u8"),
         cl::cat(category));
static cl::opt<std::string> output("o", cl::Required,
                                   cl::desc("The retrained model"),
                                   cl::value_desc("file"), cl::cat(category));
static cl::opt<unsigned>
    epochs("epochs", cl::init(1),
           cl::desc("Passes over the training images (default 1; 0 "
                    "evaluates and writes the model unchanged)"),
           cl::cat(category));
static cl::opt<int64_t> batch("batch-size", cl::init(64),
                              cl::desc("Images per step (default 64)"),
                              cl::cat(category));
static cl::opt<double> lr("lr", cl::init(1e-3),
                          cl::desc("Learning rate (> 0, default 1e-3)"),
                          cl::cat(category));
static cl::opt<dc::optim::Kind> optimizer(
    "optimizer", cl::init(dc::optim::Kind::Adam),
    cl::desc("The update rule, PyTorch's in float32 (default adam)"),
    cl::values(clEnumValN(dc::optim::Kind::SGD, "sgd", "SGD (--momentum)"),
               clEnumValN(dc::optim::Kind::Adam, "adam",
                          "Adam (betas 0.9, 0.999, eps 1e-8)")),
    cl::cat(category));
static cl::opt<double> momentum("momentum", cl::init(0.0),
                                cl::desc("SGD momentum"), cl::cat(category));
static cl::opt<bool> nesterov("nesterov", cl::desc("SGD Nesterov momentum"),
                              cl::cat(category));
static cl::opt<double> weightDecay("weight-decay", cl::init(0.0),
                                   cl::desc("L2 penalty, as torch.optim"),
                                   cl::cat(category));
static cl::opt<std::string>
    schedule("schedule", cl::init("constant"),
             cl::desc("Learning rate per epoch: constant, cosine, or step:N:G "
                      "(times G every N epochs); default constant"),
             cl::cat(category));
static cl::opt<uint64_t> seed("seed", cl::init(0),
                              cl::desc("Shuffling seed (default 0)"),
                              cl::cat(category));
static cl::opt<double>
    mean("mean", cl::init(0.0),
         cl::desc("Pixels in [0, 1] become (x - mean) / std "
                  "(use the model's own normalisation; default 0)"),
         cl::cat(category));
static cl::opt<double> stddev("std", cl::init(1.0),
                              cl::desc("See --mean (> 0, default 1)"),
                              cl::cat(category));
static cl::opt<uint32_t>
    valSplit("val-split", cl::init(0),
             cl::desc("Hold out the last N training images as a validation "
                      "set, evaluated after each epoch"),
             cl::cat(category));
static cl::list<std::string>
    train("train", cl::CommaSeparated,
          cl::desc("What is trained: weights, biases, codebooks, statistics "
                   "(normalisation running statistics, frozen by default) "
                   "and/or layer names (default: weights,biases,codebooks)"),
          cl::cat(category));
static cl::opt<std::string> logPath("log",
                                    cl::desc("Write a JSON log of the run"),
                                    cl::value_desc("file.json"),
                                    cl::cat(category));
static cl::opt<std::string>
    predictions("predictions",
                cl::desc("Write the predicted class of each test image, one "
                         "per line, after training"),
                cl::value_desc("file"), cl::cat(category));
static cl::opt<uint64_t> checkpointEvery(
    "checkpoint-every", cl::init(0),
    cl::desc("Write a checkpoint every N steps (always on SIGINT)"),
    cl::cat(category));
static cl::opt<std::string>
    checkpoint("checkpoint",
               cl::desc("The checkpoint file (default: the -o path + .ckpt)"),
               cl::cat(category));
static cl::opt<std::string>
    resume("resume", cl::desc("Continue from a checkpoint"), cl::cat(category));
static cl::opt<int> threads("blas-threads", cl::init(1),
                            cl::desc("Threads of the host BLAS (default 1)"),
                            cl::cat(category));
static cl::opt<std::string>
    cacheDir("cache-dir",
             cl::desc("Where step libraries are kept (default: "
                      "$DC_CACHE_DIR, else $XDG_CACHE_HOME/dc or ~/.cache/dc)"),
             cl::cat(category));
static cl::opt<std::string>
    runtimeDir("runtime-dir",
               cl::desc("dc's run-time objects (default: <bin>/../lib/"
                        "dc-runtime)"),
               cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("No progress on stderr"),
                           cl::cat(category));

enum class Recipe { None, DeepCompression };
static cl::opt<Recipe> recipe(
    "recipe", cl::init(Recipe::None),
    cl::desc("Run a compression recipe instead of plain training"),
    cl::values(clEnumValN(Recipe::None, "none", "plain training (default)"),
               clEnumValN(Recipe::DeepCompression, "deep-compression",
                          "the paper's pipeline: (dense training,) iterative "
                          "pruning with retraining, trained quantization, "
                          "Huffman coding; -o gets the compressed model and "
                          "a table per stage is printed (docs/Results.md)")),
    cl::cat(category));
static cl::opt<unsigned> denseEpochs(
    "dense-epochs", cl::init(0),
    cl::desc("Recipe: train the dense model this many epochs first (default "
             "0: it is trained)"),
    cl::cat(category));
static cl::opt<unsigned> pruneSteps(
    "prune-steps", cl::init(3),
    cl::desc("Recipe: iterative pruning steps to the target (default 3)"),
    cl::cat(category));
static cl::opt<unsigned> pruneEpochs(
    "prune-epochs", cl::init(3),
    cl::desc("Recipe: retraining epochs after each pruning step (default 3)"),
    cl::cat(category));
static cl::opt<unsigned>
    quantizeEpochs("quantize-epochs", cl::init(2),
                   cl::desc("Recipe: centroid fine-tuning epochs (default 2)"),
                   cl::cat(category));
static cl::opt<std::string> retrainSchedule(
    "retrain-schedule", cl::init("constant"),
    cl::desc("Recipe: the schedule of each retraining phase (constant, "
             "cosine or step:N:G over the phase's epochs; default constant)"),
    cl::cat(category));
static cl::list<std::string> recipeLayers(
    "recipe-layer",
    cl::desc("Recipe: override a layer's settings, NAME:keep=F:bits=B "
             "(either key; NAME as the recipe prints it, or all); repeatable"),
    cl::cat(category));
static cl::opt<std::string> recipeFrom(
    "recipe-from",
    cl::desc("Recipe: the input is the output of this stage (dense, pruned "
             "or quantized: the -o.STAGE.mlir files); continue after it"),
    cl::cat(category));

static cl::opt<double> distill(
    "distill", cl::init(0),
    cl::desc("Recipe: retrain by distillation from the dense model, this "
             "weight on T^2 KL to its logits and 1 - it on the labels' "
             "cross-entropy (1: no labels; default 0: off)"),
    cl::cat(category));
static cl::opt<double> distillTemperature(
    "distill-temperature", cl::init(4),
    cl::desc("Recipe: the distillation temperature T (default 4)"),
    cl::cat(category));

enum class Settings { Auto, Generic };
static cl::opt<Settings> recipeSettings(
    "recipe-settings", cl::init(Settings::Auto),
    cl::desc("Recipe: the per-layer settings"),
    cl::values(clEnumValN(Settings::Auto, "auto",
                          "the paper's Tables 2 and 3 where the weights match "
                          "LeNet-300-100 or LeNet-5, else generic (default)"),
               clEnumValN(Settings::Generic, "generic",
                          "the generic default for every model: pruning by "
                          "the validation rule, 5-bit fc, 8-bit conv")),
    cl::cat(category));
static cl::opt<double> pruneStop(
    "prune-stop", cl::init(0.5),
    cl::desc("Recipe, models without the paper's settings: prune in steps "
             "until validation top-1 falls this many points below the dense "
             "model's, keeping the last step within (default 0.5)"),
    cl::cat(category));
static cl::opt<double> qualityStep(
    "quality-step", cl::init(0.25),
    cl::desc("Recipe, models without the paper's settings: each pruning step "
             "removes |w| <= q std(layer), q rising by this (conv layers at "
             "q/2; default 0.25)"),
    cl::cat(category));

/// 0, 1 (an error, reported) or 130 (stopped by SIGINT).
static int exitCode(mlir::LogicalResult result) {
  if (mlir::succeeded(result))
    return 0;
  return mlir::dc::trainStopped() ? 130 : 1;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  ::dc::addVersionPrinter();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dc-train: retrain a model's parameters on labelled images with a "
      "training step compiled from its IR (docs/Training.md)\n");
  mlir::dc::TrainOptions o;
  o.model = model;
  o.data = data;
  o.output = output;
  o.log = logPath;
  o.predictions = predictions;
  o.epochs = epochs;
  o.batch = batch;
  o.lr = lr;
  o.optimizer.kind = optimizer;
  o.optimizer.momentum = momentum;
  o.optimizer.nesterov = nesterov;
  o.optimizer.weightDecay = weightDecay;
  o.schedule = schedule;
  o.seed = seed;
  o.mean = mean;
  o.std = stddev;
  o.valSplit = valSplit;
  if (!train.empty())
    o.train.assign(train.begin(), train.end());
  o.checkpointEvery = checkpointEvery;
  o.checkpoint = checkpoint;
  o.resume = resume;
  o.threads = threads;
  o.cacheDir = cacheDir;
  o.quiet = quiet;
  o.runtimeDir = mlir::dc::runtimeDirectory(runtimeDir, argv[0], (void *)&main);
  if (recipe == Recipe::DeepCompression) {
    mlir::dc::RecipeOptions r;
    r.denseEpochs = denseEpochs;
    r.pruneSteps = pruneSteps;
    r.pruneEpochs = pruneEpochs;
    r.quantizeEpochs = quantizeEpochs;
    r.from = recipeFrom;
    r.retrainSchedule = retrainSchedule;
    r.layers.assign(recipeLayers.begin(), recipeLayers.end());
    r.distill = distill;
    r.distillTemperature = distillTemperature;
    r.pruneStop = pruneStop;
    r.generic = recipeSettings == Settings::Generic;
    r.qualityStep = qualityStep;
    return exitCode(mlir::dc::runRecipe(o, r));
  }
  return exitCode(mlir::dc::runTrain(o));
}
