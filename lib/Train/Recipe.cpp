//===- Recipe.cpp - dc-train --recipe=deep-compression ------------------===//
//
// The paper's pipeline, every step by the compiler: (dense training,)
// iterative magnitude pruning with retraining (masks fixed: the trainable
// pruned form), trained quantization (k-means with the codec's linear
// initialisation over the kept weights, then the centroids fine-tuned with
// masks and assignments fixed: the trainable quantized form), Huffman
// coding by dc-encode. After each stage a row of the paper's Table 1.
//
//===----------------------------------------------------------------------===//

#include "Phase.h"
#include "dc/Autodiff/Parameters.h"
#include "dc/Dialect/DC/IR/DCDialect.h"
#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Dialect/DC/Transforms/Passes.h"
#include "dc/InitAllDC.h"
#include "dc/Support/FileIO.h"
#include "dc/Tools/ToolSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::dc;

#ifndef DC_COMMIT
#define DC_COMMIT "unknown"
#endif

namespace {

/// What a layer gets: the fraction removed and the codebook bits.
struct LayerPlan {
  std::string name;
  SmallVector<int64_t> shape;
  bool conv = false;
  double sparsity = 0; ///< < 0: by the validation rule (generic models)
  unsigned bits = 0;
};

/// The paper's Tables 2 and 3 where the weights match LeNet-300-100 or
/// LeNet-5 by shape; else the generic default: 5-bit fc and 8-bit conv
/// codebooks, and pruning by the validation rule (sparsity < 0: runRecipe's
/// quality steps).
std::string planLayers(ModuleOp module, bool paperTables,
                       SmallVectorImpl<LayerPlan> &plans) {
  struct Row {
    SmallVector<int64_t> shape;
    double kept;
    unsigned bits;
  };
  const std::vector<Row> lenet300 = {
      {{300, 784}, 0.08, 6}, {{100, 300}, 0.09, 6}, {{10, 100}, 0.26, 6}};
  const std::vector<Row> lenet5 = {{{20, 1, 5, 5}, 0.66, 8},
                                   {{50, 20, 5, 5}, 0.12, 8},
                                   {{500, 800}, 0.08, 5},
                                   {{10, 500}, 0.19, 5}};
  SmallVector<WeightUse> uses = findWeights(module);
  for (WeightUse use : uses) {
    LayerPlan p;
    p.name = use.name;
    // The weight, its values or its index tensor: the weight's shape.
    auto type = cast<RankedTensorType>(use.constant.getType());
    p.shape.assign(type.getShape().begin(), type.getShape().end());
    p.conv = use.kind == LayerKind::Convolution;
    plans.push_back(p);
  }
  auto matches = [&](const std::vector<Row> &table) {
    if (table.size() != plans.size())
      return false;
    for (const Row &r : table)
      if (llvm::none_of(plans,
                        [&](const LayerPlan &p) { return p.shape == r.shape; }))
        return false;
    return true;
  };
  for (auto [name, table] :
       {std::make_pair("LeNet-300-100 (the paper's Table 2)", &lenet300),
        std::make_pair("LeNet-5 (the paper's Table 3)", &lenet5)}) {
    if (!paperTables || !matches(*table))
      continue;
    for (LayerPlan &p : plans)
      for (const Row &r : *table)
        if (p.shape == r.shape) {
          p.sparsity = 1.0 - r.kept;
          p.bits = r.bits;
        }
    return name;
  }
  for (LayerPlan &p : plans) {
    p.sparsity = -1;
    p.bits = p.conv ? 8 : 5;
  }
  return "generic (prune |w| <= q std, q rising by --quality-step, conv at "
         "q/2, until validation top-1 falls --prune-stop points; fc 5 bits, "
         "conv 8 bits)";
}

/// Applies --recipe-layer=NAME:keep=F:bits=B overrides; "" or an error.
std::string applyOverrides(ArrayRef<std::string> overrides,
                           MutableArrayRef<LayerPlan> plans) {
  for (StringRef text : overrides) {
    SmallVector<StringRef> parts;
    text.split(parts, ':');
    bool matched = false;
    for (LayerPlan &p : plans) {
      if (parts[0] != "all" && parts[0] != p.name)
        continue;
      matched = true;
      for (StringRef kv : ArrayRef<StringRef>(parts).drop_front()) {
        auto [key, value] = kv.split('=');
        double v;
        if (value.getAsDouble(v))
          return "--recipe-layer: '" + kv.str() + "' is not key=number";
        if (key == "keep" && v > 0 && v <= 1)
          p.sparsity = 1 - v;
        else if (key == "bits" && v >= 1 && v <= 8 && v == double(int(v)))
          p.bits = unsigned(v);
        else
          return "--recipe-layer: '" + kv.str() +
                 "' (keys: keep in (0, 1], bits 1..8)";
      }
    }
    if (!matched)
      return "--recipe-layer: no layer '" + parts[0].str() + "' (layers: " +
             llvm::join(llvm::map_range(
                            plans, [](const LayerPlan &p) { return p.name; }),
                        ", ") +
             "; or 'all')";
  }
  // A fraction given for some layers of a generic model: fixed fractions
  // for all (fc 90% pruned, conv 60%, where none is given).
  if (llvm::any_of(plans, [](const LayerPlan &p) { return p.sparsity >= 0; }))
    for (LayerPlan &p : plans)
      if (p.sparsity < 0)
        p.sparsity = p.conv ? 0.6 : 0.9;
  return "";
}

/// dc-prune's or dc-quantize's per-layer settings: each layer's planned
/// fraction times `fraction` (`bits` false), or its codebook bits.
CompressionOptions layerOptions(ArrayRef<LayerPlan> plans, double fraction,
                                bool bits) {
  CompressionOptions c;
  c.sparsity = 0;
  for (const LayerPlan &p : plans) {
    LayerOverride o;
    o.pattern = p.name;
    if (bits)
      o.bits = p.bits;
    else
      o.sparsity = p.sparsity * fraction;
    c.overrides.push_back(std::move(o));
  }
  return c;
}

/// The validation rule's step: |w| <= q std(layer) pruned, conv layers at
/// q / 2 (more sensitive: the paper's Figure 5).
CompressionOptions qualityOptions(ArrayRef<LayerPlan> plans, double q) {
  CompressionOptions c;
  c.sparsity = 0;
  for (const LayerPlan &p : plans) {
    LayerOverride o;
    o.pattern = p.name;
    o.quality = p.conv ? q / 2 : q;
    c.overrides.push_back(std::move(o));
  }
  return c;
}

/// dc-prune or dc-quantize (`quantize`) in the trainable form, as the
/// library functions the passes run.
LogicalResult compressInto(ModuleOp module, const CompressionOptions &c,
                           bool quantize) {
  // What the passes declare as their dependent dialects.
  MLIRContext *context = module.getContext();
  context->getOrLoadDialect<arith::ArithDialect>();
  context->getOrLoadDialect<linalg::LinalgDialect>();
  context->getOrLoadDialect<tensor::TensorDialect>();
  return quantize ? quantizeWeights(module, c, FormOption::Trainable)
                  : pruneWeights(module, c, FormOption::Trainable);
}

/// Elements of the f32 constants of @forward that are not weights (biases,
/// scales, statistics), stored as float32 in every stage.
/// A copy of `module` that shares nothing with it: its dense_resource blobs
/// are context-wide and trainPhase rewrites them in place, so a clone()
/// would follow later training.
OwningOpRef<ModuleOp> snapshot(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  return parseSourceString<ModuleOp>(text, module.getContext());
}

uint64_t otherFloats(ModuleOp module) {
  llvm::DenseSet<Operation *> weights;
  for (WeightUse use : findWeights(module)) {
    weights.insert(use.constant);
    if (use.codebook)
      weights.insert(use.codebook);
  }
  uint64_t n = 0;
  module.walk([&](arith::ConstantOp c) {
    auto type = dyn_cast<RankedTensorType>(c.getType());
    if (!type || !type.getElementType().isF32() || weights.contains(c))
      return;
    if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
        dense && dense.isSplat())
      return;
    n += type.getNumElements();
  });
  return n;
}

/// One row of the table.
struct Stage {
  explicit Stage(std::string name = "") : name(std::move(name)) {}
  std::string name;
  double testTop1 = -1, valTop1 = -1, seconds = 0;
  uint64_t weights = 0, kept = 0, bytes = 0;
  std::string bits = "32";
  bool estimated = false;
  /// The validation rule's steps: q, kept %, validation top-1.
  llvm::json::Array ruleSteps;
};

/// Weights and kept weights of the module's layers (a weight of a dense
/// constant counts as kept unless it is 0).
void countWeights(ModuleOp module, Stage &s) {
  s.weights = s.kept = 0;
  for (WeightUse use : findWeights(module)) {
    std::vector<float> storage;
    if (use.form == WeightForm::Dense) {
      FailureOr<ArrayRef<float>> v = getWeightValues(use.constant, storage);
      if (failed(v))
        continue;
      s.weights += v->size();
      for (float x : *v)
        s.kept += x != 0.0f;
      continue;
    }
    if (!use.mask) { // a codebook gather: every entry stored
      auto type = cast<RankedTensorType>(use.constant.getType());
      s.weights += type.getNumElements();
      s.kept += type.getNumElements();
      continue;
    }
    // A mask: non-zero entries are kept.
    auto type = cast<RankedTensorType>(use.mask.getType());
    s.weights += type.getNumElements();
    if (auto r = dyn_cast<DenseResourceElementsAttr>(use.mask.getValue()))
      if (AsmResourceBlob *blob = r.getRawHandle().getBlob())
        for (char c : blob->getData())
          s.kept += c != 0;
    if (auto d = dyn_cast<DenseElementsAttr>(use.mask.getValue()))
      for (APInt v : d.getValues<APInt>())
        s.kept += !v.isZero();
  }
}

/// The name of the pass whose work encodedBytes does, for messages.
StringRef encodePassName() { return createDCEncode()->getArgument(); }

/// Encodes `module` as dc-encode does (its defaults) and returns the bytes
/// it stores for the weights, with each layer's codebook bits in `bitsOut`
/// ("6/6/6").
FailureOr<uint64_t> encodedBytes(ModuleOp module, std::string &bitsOut) {
  // What dc-encode declares as its dependent dialect.
  module.getContext()->getOrLoadDialect<DCDialect>();
  SmallVector<LayerReport, 0> rows;
  if (failed(encodeWeights(module, CompressionOptions(),
                           /*pruneAndQuantize=*/false, /*report=*/{}, nullptr,
                           &rows)))
    return failure();
  uint64_t bytes = 0;
  SmallVector<std::string> bits;
  for (const LayerReport &row : rows) {
    bytes += row.bytesAfter;
    bits.push_back(std::to_string(row.weightBits));
  }
  bitsOut = llvm::join(bits, "/");
  return bytes;
}

} // namespace

namespace {

using Test = ::dc::trainloop::LoopOptions::Test;
using Clock = std::chrono::steady_clock;

/// One run of the recipe: its settings, its outputs and the stages so far.
class RecipeRun {
public:
  RecipeRun(const TrainOptions &given, const RecipeOptions &r)
      : o(given), r(r) {}

  /// dc-train's exit code.
  LogicalResult run();

private:
  LogicalResult fail(const llvm::Twine &m) { return trainError(m); }
  LogicalResult checkOptions();
  LogicalResult open();
  LogicalResult record(Stage s, const PhaseResult &res);
  LogicalResult phase(unsigned epochs, std::vector<std::string> train,
                      const ::dc::optim::Schedule &sched, PhaseResult &res,
                      bool predictions = false, bool dense = false,
                      Test test = Test::LastEpoch);
  LogicalResult denseStage();
  LogicalResult pruneStage();
  LogicalResult pruneByRule(PhaseResult &res, llvm::json::Array &ruleSteps);
  LogicalResult quantizeStage();
  LogicalResult encodeStage();
  LogicalResult write();

  TrainOptions o;
  const RecipeOptions &r;
  int startAfter = -1;
  std::optional<::dc::optim::Schedule> constant, schedule, retrain;
  std::string checkpointPath;
  const char *continueHint = "the stage models written so far "
                             "(-o.STAGE.mlir) continue with --recipe-from";
  TrainOutputs outputs;
  // The last phase's finished run, saved if a SIGINT stops the end.
  std::vector<char> lastCheckpoint;
  TrainSession session;
  SmallVector<LayerPlan> plans;
  std::string planName;
  uint64_t others = 0;
  std::vector<Stage> stages;
  llvm::json::Array rows;
  // The float32 model's bytes (every weight and bias), whatever the stage
  // the input is at.
  uint64_t floatBytes = 0;
  // The dense model's logits of the training images, for --distill.
  std::vector<float> teacher;
  std::vector<uint32_t> predictions; // of the final (quantized) model
  // The encoded model (dc-encode's output), made once.
  OwningOpRef<ModuleOp> encoded;
  uint64_t encodedSize = 0;
  std::string encodedBits;
};

LogicalResult RecipeRun::checkOptions() {
  if (failed(checkTrainOptions(o)))
    return failure();
  if (r.pruneSteps < 1)
    return fail("--prune-steps must be at least 1");
  if (!(r.pruneStop >= 0) || !(r.qualityStep > 0) ||
      !std::isfinite(r.qualityStep))
    return fail("--prune-stop must be >= 0 and --quality-step positive");
  if (!(r.distill >= 0 && r.distill <= 1) || !(r.distillTemperature > 0))
    return fail("--distill must be in [0, 1] and --distill-temperature "
                "positive");
  static const char *order[] = {"", "dense", "pruned", "quantized"};
  for (int i = 0; i < 4; ++i)
    if (r.from == order[i])
      startAfter = i;
  if (startAfter < 0)
    return fail("--recipe-from must be dense, pruned or quantized (got '" +
                r.from + "')");
  if (r.distill > 0 && startAfter > 1)
    return fail("--distill needs the dense model as the teacher: start from "
                "it (no --recipe-from, or --recipe-from=dense)");
  // Choices are made on a validation split, never on the test set.
  if (o.valSplit == 0)
    o.valSplit = 5000;
  ::dc::StatusOr<::dc::optim::Schedule> constantOr =
      ::dc::optim::Schedule::parse("constant");
  ::dc::StatusOr<::dc::optim::Schedule> scheduleOr =
      ::dc::optim::Schedule::parse(o.schedule);
  if (!scheduleOr.ok())
    return fail(scheduleOr.message());
  ::dc::StatusOr<::dc::optim::Schedule> retrainOr =
      ::dc::optim::Schedule::parse(r.retrainSchedule);
  if (!retrainOr.ok())
    return fail("--retrain-schedule: " + retrainOr.message());
  constant = *constantOr;
  schedule = *scheduleOr;
  retrain = *retrainOr;

  return success();
}

LogicalResult RecipeRun::open() {
  // Every output, the per-stage models and the phases' checkpoint
  // included, checked before the work.
  checkpointPath = o.output + ".ckpt";
  if (failed(outputs.open(
          o, checkpointPath,
          {{"the dense stage's model", o.output + ".dense.mlir"},
           {"the pruned stage's model", o.output + ".pruned.mlir"},
           {"the quantized stage's model", o.output + ".quantized.mlir"}})))
    return failure();
  if (failed(session.open(o)))
    return failure();
  OwningOpRef<ModuleOp> &module = session.module;
  planName = planLayers(*module, !r.generic, plans);
  if (plans.empty())
    return fail("the model has no weights dc compresses (contractions and "
                "convolutions with constant weights)");
  if (std::string e = applyOverrides(r.layers, plans); !e.empty())
    return fail(e);
  if (!r.layers.empty())
    planName += ", overridden: " + llvm::join(r.layers, " ");
  if (!o.quiet) {
    llvm::errs() << "dc-train: recipe deep-compression, settings: " << planName
                 << "\n";
    for (const LayerPlan &p : plans)
      llvm::errs() << llvm::formatv(
          "dc-train:   {0} {1}: keep {2}, {3}-bit codebook\n", p.name,
          llvm::join(llvm::map_range(
                         p.shape, [](int64_t d) { return std::to_string(d); }),
                     "x"),
          p.sparsity < 0
              ? std::string("by the validation rule")
              : llvm::formatv("{0:f0}%", 100 * (1 - p.sparsity)).str(),
          p.bits);
  }
  others = otherFloats(*module);

  Stage all;
  countWeights(*module, all);
  floatBytes = 4 * (all.weights + others);
  return success();
}

LogicalResult RecipeRun::record(Stage s, const PhaseResult &res) {
  OwningOpRef<ModuleOp> &module = session.module;
  s.testTop1 = res.testTop1;
  s.valTop1 = res.valTop1;
  double ratio = floatBytes && s.bytes ? double(floatBytes) / s.bytes : 0;
  if (!o.quiet)
    llvm::errs() << llvm::formatv(
        "dc-train: stage {0}: test top-1 {1:f2}% (val {2:f2}%), kept "
        "{3:f1}%, bits {4}, {5}{6} bytes, {7:f1}x\n",
        s.name, 100 * s.testTop1, 100 * s.valTop1,
        s.weights ? 100.0 * s.kept / s.weights : 0.0, s.bits,
        s.estimated ? "~" : "", s.bytes, ratio);
  rows.push_back(llvm::json::Object{
      {"stage", s.name},
      {"test_top1", s.testTop1},
      {"test_error", 1 - s.testTop1},
      {"val_top1", s.valTop1},
      {"weights", int64_t(s.weights)},
      {"kept", int64_t(s.kept)},
      {"kept_percent", s.weights ? 100.0 * s.kept / s.weights : 0.0},
      {"weight_bits", s.bits},
      {"bytes", int64_t(s.bytes)},
      {"bytes_estimated", s.estimated},
      {"ratio", ratio},
      {"seconds", s.seconds},
      {"seed", int64_t(o.seed)},
      {"commit", DC_COMMIT}});
  if (!s.ruleSteps.empty())
    rows.back().getAsObject()->insert(
        {"rule_steps", llvm::json::Array(s.ruleSteps)});
  stages.push_back(s);
  // The stage's model: where --recipe-from continues.
  if (s.name != "encoded") {
    llvm::Expected<::dc::OutputFile> f =
        ::dc::OutputFile::create(o.output + "." + s.name + ".mlir");
    if (!f)
      return fail(llvm::toString(f.takeError()));
    module->print(f->os());
    f->os() << "\n";
    if (llvm::Error e = f->commit())
      return fail(llvm::toString(std::move(e)));
  }
  return success();
}

LogicalResult RecipeRun::phase(unsigned epochs, std::vector<std::string> train,
                               const ::dc::optim::Schedule &sched,
                               PhaseResult &res, bool predictions, bool dense,
                               Test test) {
  PhaseOptions p{epochs, std::move(train), o.lr, sched, checkpointPath,
                 "",     predictions};
  p.continueHint = continueHint;
  // The test set is evaluated once per stage's row, never for choices.
  p.test = test;
  if (dense) {
    p.trainLogits = r.distill > 0;
  } else if (r.distill > 0) {
    p.teacher = &teacher;
    p.temperature = r.distillTemperature;
    p.alpha = r.distill;
  }
  LogicalResult rc =
      trainPhase(*session.module, o, session.iface, p, session.data, res);
  if (dense && succeeded(rc))
    teacher = std::move(res.trainLogits);
  if (succeeded(rc))
    lastCheckpoint = res.checkpoint;
  return rc;
}

/// 1. The dense model: trained first if asked, evaluated (and its logits
///    kept as the teacher's) in any case.
LogicalResult RecipeRun::denseStage() {
  OwningOpRef<ModuleOp> &module = session.module;
  {
    auto t0 = Clock::now();
    PhaseResult res;
    if (failed(phase(startAfter < 1 ? r.denseEpochs : 0, {"weights", "biases"},
                     *schedule, res, false, /*dense=*/true)))
      return failure();
    Stage s{"dense"};
    countWeights(*module, s);
    s.kept = s.weights; // stored dense: every weight costs 32 bits
    s.bytes = 4 * (s.weights + others);
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (failed(record(s, res)))
      return failure();
  }
  return success();
}

/// The validation rule: q rises until the retrained model's validation
/// top-1 is more than --prune-stop points below the dense model's; the last
/// step within is kept (at most kMaxRuleSteps steps).
LogicalResult RecipeRun::pruneByRule(PhaseResult &res,
                                     llvm::json::Array &ruleSteps) {
  OwningOpRef<ModuleOp> &module = session.module;
  constexpr unsigned kMaxRuleSteps = 12;
  double floor = stages.back().valTop1 - r.pruneStop / 100;
  OwningOpRef<ModuleOp> within = snapshot(*module);
  ruleSteps.clear();
  double keptQ = 0;
  for (unsigned step = 1; step <= kMaxRuleSteps; ++step) {
    double q = step * r.qualityStep;
    if (failed(compressInto(*module, qualityOptions(plans, q), false)))
      return fail("pruning failed (see above)");
    Stage probe;
    countWeights(*module, probe);
    PhaseResult stepRes;
    if (failed(phase(r.pruneEpochs, {"weights", "biases"}, *retrain, stepRes,
                     false, false, Test::Never)))
      return failure();
    bool ok = stepRes.valTop1 >= floor;
    ruleSteps.push_back(llvm::json::Object{
        {"q", q},
        {"kept_percent",
         probe.weights ? 100.0 * probe.kept / probe.weights : 0.0},
        {"val_top1", stepRes.valTop1},
        {"within", ok}});
    if (!o.quiet)
      llvm::errs() << llvm::formatv(
          "dc-train: pruning step {0} (q = {1:f2}): kept {2:f1}%, val "
          "top-1 {3:f2}% ({4} the floor {5:f2}%)\n",
          step, q, probe.weights ? 100.0 * probe.kept / probe.weights : 0,
          100 * stepRes.valTop1, ok ? "within" : "below", 100 * floor);
    if (!ok)
      break;
    within = snapshot(*module);
    keptQ = q;
    if (probe.kept == 0)
      break;
  }
  if (keptQ == 0)
    return fail("the first pruning step (q = " +
                llvm::formatv("{0:f2}", r.qualityStep).str() +
                ") already costs more than --prune-stop=" +
                llvm::formatv("{0:f2}", r.pruneStop).str() +
                " points of validation top-1; lower --quality-step or "
                "set the fractions (--recipe-layer=all:keep=F)");
  module = std::move(within);
  if (!o.quiet)
    llvm::errs() << llvm::formatv(
        "dc-train: the validation rule keeps q = {0:f2}\n", keptQ);
  // The kept step's row: evaluated once, no training.
  if (failed(phase(0, {"weights", "biases"}, *constant, res)))
    return failure();
  return success();
}

/// 2. Iterative pruning, retraining after each step (masks fixed): to the
///    planned fractions in --prune-steps steps, or (generic models) by the
///    validation rule.
LogicalResult RecipeRun::pruneStage() {
  OwningOpRef<ModuleOp> &module = session.module;
  llvm::json::Array ruleSteps;
  {
    auto t0 = Clock::now();
    PhaseResult res;
    bool byRule = plans.front().sparsity < 0;
    if (!byRule) {
      for (unsigned step = 1; step <= r.pruneSteps; ++step) {
        double fraction = double(step) / r.pruneSteps;
        if (failed(compressInto(*module, layerOptions(plans, fraction, false),
                                false)))
          return fail("pruning failed (see above)");
        if (!o.quiet)
          llvm::errs() << llvm::formatv(
              "dc-train: pruning step {0}/{1} ({2:f0}% of the way), "
              "retraining {3} epoch(s)\n",
              step, r.pruneSteps, 100 * fraction, r.pruneEpochs);
        // Retraining runs --retrain-schedule over each phase's epochs.
        if (failed(phase(r.pruneEpochs, {"weights", "biases"}, *retrain, res,
                         false, false,
                         step == r.pruneSteps ? Test::LastEpoch : Test::Never)))
          return failure();
      }
    } else if (failed(pruneByRule(res, ruleSteps))) {
      return failure();
    }
    Stage s{"pruned"};
    s.ruleSteps = std::move(ruleSteps);
    countWeights(*module, s);
    // Stored as f32 values and 5-bit relative indices: an estimate, as the
    // values are not quantized yet.
    s.bytes = s.kept * (32 + 5) / 8 + 4 * others;
    s.estimated = true;
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (failed(record(s, res)))
      return failure();
  }
  return success();
}

/// 3. Trained quantization: k-means (linear init) over the kept weights,
///    then the centroids fine-tuned (assignments and masks fixed).
LogicalResult RecipeRun::quantizeStage() {
  OwningOpRef<ModuleOp> &module = session.module;
  {
    auto t0 = Clock::now();
    if (failed(compressInto(*module, layerOptions(plans, 1, true), true)))
      return fail("quantization failed (see above)");
    PhaseResult res;
    if (failed(phase(r.quantizeEpochs, {"codebooks", "biases"}, *retrain, res,
                     outputs.predictions.has_value())))
      return failure();
    predictions = res.predictions;
    Stage s{"quantized"};
    countWeights(*module, s);
    // Its size is the encoded copy's, which is then the output.
    encoded = module->clone();
    FailureOr<uint64_t> bytes = encodedBytes(*encoded, encodedBits);
    if (failed(bytes))
      return fail(encodePassName() + " failed on the quantized model (see "
                                     "above)");
    encodedSize = *bytes + 4 * others;
    s.bits = encodedBits;
    s.bytes = encodedSize;
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (failed(record(s, res)))
      return failure();
  }
  return success();
}

/// 4. Huffman coding: dc-encode stores the quantized forms exactly, so the
///    accuracy is the quantized model's.
LogicalResult RecipeRun::encodeStage() {
  OwningOpRef<ModuleOp> &module = session.module;
  PhaseResult last;
  last.testTop1 = stages.empty() ? -1 : stages.back().testTop1;
  last.valTop1 = stages.empty() ? -1 : stages.back().valTop1;
  if (stages.empty()) {
    // Started from a quantized model: evaluate it first.
    if (failed(phase(0, {"codebooks", "biases"}, *constant, last,
                     outputs.predictions.has_value())))
      return failure();
    predictions = last.predictions;
  }
  Stage s{"encoded"};
  countWeights(*module, s);
  if (!encoded) {
    encoded = module->clone();
    FailureOr<uint64_t> bytes = encodedBytes(*encoded, encodedBits);
    if (failed(bytes))
      return fail(encodePassName() + " failed (see above)");
    encodedSize = *bytes + 4 * others;
  }
  s.bits = encodedBits;
  s.bytes = encodedSize;
  if (failed(record(s, last)))
    return failure();

  return success();
}

/// Every output's contents, then all committed together (or none).
LogicalResult RecipeRun::write() {
  ::dc::OutputFile *out = &*outputs.model;
  std::optional<::dc::OutputFile> &logFile = outputs.log;
  std::optional<::dc::OutputFile> &predictionsFile = outputs.predictions;
  encoded->print(out->os());
  out->os() << "\n";
  if (predictionsFile)
    for (uint32_t p : predictions)
      predictionsFile->os() << p << "\n";
  if (logFile) {
    llvm::json::Object root{
        {"model", o.model},         {"data", o.data},
        {"settings", planName},     {"cpu", llvm::sys::getHostCPUName()},
        {"seed", int64_t(o.seed)},  {"commit", DC_COMMIT},
        {"stages", std::move(rows)}};
    logFile->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(root)))
                  << "\n";
  }
  if (failed(outputs.commit(checkpointPath, lastCheckpoint, continueHint)))
    return failure();
  // The table.
  llvm::outs() << "stage      test top-1  test error  kept     bits        "
                  "bytes     ratio\n";
  for (const Stage &st : stages)
    llvm::outs() << llvm::formatv(
        "{0,-10} {1,9:f2}%  {2,9:f2}%  {3,6:f2}%  {4,-10} {5,1}{6,9}  "
        "{7,6:f1}x\n",
        st.name, 100 * st.testTop1, 100 * (1 - st.testTop1),
        st.weights ? 100.0 * st.kept / st.weights : 0.0, st.bits,
        st.estimated ? "~" : " ", st.bytes,
        floatBytes && st.bytes ? double(floatBytes) / st.bytes : 0.0);
  llvm::outs() << "wrote " << o.output << " (dc-compile takes it as it is)\n";
  return success();
}

LogicalResult RecipeRun::run() {
  if (failed(checkOptions()))
    return failure();
  if (failed(open()))
    return failure();
  if (startAfter < 2)
    if (failed(denseStage()))
      return failure();
  if (r.distill > 0 && !o.quiet)
    llvm::errs() << llvm::formatv(
        "dc-train: retraining distils from the dense model: {0:f2} T^2 KL "
        "(T = {1}) + {2:f2} cross-entropy\n",
        r.distill, r.distillTemperature, 1 - r.distill);
  if (startAfter < 2)
    if (failed(pruneStage()))
      return failure();
  if (startAfter < 3)
    if (failed(quantizeStage()))
      return failure();
  if (failed(encodeStage()))
    return failure();
  return write();
}

} // namespace

LogicalResult mlir::dc::runRecipe(const TrainOptions &given,
                                  const RecipeOptions &r) {
  return RecipeRun(given, r).run();
}
