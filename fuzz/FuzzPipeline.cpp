//===- FuzzPipeline.cpp - dc's compile pipeline, in process ---------------===//
//
// The input chooses a small model of dc-model-gen's (a linear layer, a
// padded convolution, the 8-16-4 MLP or the ResNet-style stem; FX or
// TorchScript-era shapes, FX ones sometimes rebatched), dc-compress options
// (sparsity, bits, layout, entropy) and dc-compile options (target and
// CPU, dense vectorisation, fc and conv kernels, decode-at, the sparse
// loops' vector length, LLVM's -O level: 0 for five inputs in eight, 1, 2
// or 3 for the others), then runs dc-compile's whole pipeline in process
// up to LLVM IR (mlir::dc::compileModel with emit=llvm into /dev/null: no
// code generation or linking). Every such combination is one dc supports,
// so compileModel must succeed: a failure or a crash aborts. dc's
// libraries are linked as built (not instrumented): libFuzzer sees only
// this driver's coverage, so this is a structured random test more than a
// coverage-guided search.
//
// One registry (every upstream and dc dialect and extension) and context
// serve kInputsPerContext inputs, then the context is rebuilt so that what
// it interns stays bounded; each input's module, pass manager and
// diagnostic handler are its own. libFuzzer's per-input leak check is off
// by default (FuzzFlags.h); LeakSanitizer checks the run at exit.
//
//===----------------------------------------------------------------------===//

#include "FuzzFlags.h"

#include "dc/Compile/Compile.h"
#include "dc/InitAllDC.h"
#include "dc/Models/Models.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

using namespace mlir;

namespace {

constexpr unsigned kInputsPerContext = 200;

/// The context for the next input: the same one kInputsPerContext times.
MLIRContext &contextForInput() {
  static DialectRegistry registry;
  static bool registered = [] {
    registerAllDialects(registry);
    registerAllExtensions(registry);
    dc::registerAllDCDialects(registry);
    return true;
  }();
  (void)registered;
  return recycledContext(registry, kInputsPerContext);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  prependFuzzerFlags(argc, argv, {"-detect_leaks=0"});
  registerAllPasses();
  dc::registerAllDCPasses();
  return 0;
}

// LLVM's header-only allocators poison memory from this instrumented code
// that the uninstrumented libMLIR then reads (scripts/test.sh says the same
// for the sanitizer build). No quarantine: only this driver is instrumented,
// so freed memory held back to catch a use after free would catch this
// file's only, and holding back 256 MB of it (ASan's default) costs a third
// of the run time (cache and page-fault churn; docs/Testing.md).
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0:quarantine_size_mb=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  // The model.
  std::string name;
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
  case 0:
    name = "linear-" + std::to_string(in.ConsumeIntegralInRange<int>(1, 40)) +
           "x" + std::to_string(in.ConsumeIntegralInRange<int>(1, 80));
    break;
  case 1: {
    int f = in.ConsumeIntegralInRange<int>(1, 8);
    int c = in.ConsumeIntegralInRange<int>(1, 4);
    int k = 2 * in.ConsumeIntegralInRange<int>(0, 2) + 1;
    int h = in.ConsumeIntegralInRange<int>(1, 12);
    int w = in.ConsumeIntegralInRange<int>(1, 12);
    name = "conv-" + std::to_string(f) + "x" + std::to_string(c) + "x" +
           std::to_string(k) + "-" + std::to_string(h) + "x" +
           std::to_string(w);
    break;
  }
  case 2:
    name = "tiny";
    break;
  default:
    name = "cnn-pad";
  }
  dc::FrontEnd frontEnd = in.ConsumeBool() && name != "cnn-pad"
                              ? dc::FrontEnd::TorchScript
                              : dc::FrontEnd::FX;
  // dc-rebatch takes FX-shaped models (TorchScript-era biases index the
  // batch with a constant 0: a located error, not a crash).
  int batch = in.ConsumeBool() ? in.ConsumeIntegralInRange<int>(2, 9) : 1;
  if (frontEnd != dc::FrontEnd::FX)
    batch = 1;
  uint64_t seed = in.ConsumeIntegral<uint8_t>();

  // dc-compress.
  static const char *layouts[] = {"auto", "csr", "csc", "dense"};
  static const char *entropies[] = {"auto", "none", "huffman"};
  std::string compress =
      "sparsity=" + std::to_string(in.ConsumeIntegralInRange<int>(0, 99) / 100.0) +
      " fc-bits=" + std::to_string(in.ConsumeIntegralInRange<int>(1, 8)) +
      " conv-bits=" + std::to_string(in.ConsumeIntegralInRange<int>(1, 8)) +
      " index-bits=" + std::to_string(in.ConsumeIntegralInRange<int>(1, 8)) +
      " layout=" + layouts[in.ConsumeIntegralInRange<int>(0, 3)] +
      " entropy=" + entropies[in.ConsumeIntegralInRange<int>(0, 2)];

  // dc-compile.
  dc::CompileOptions o;
  o.emit = dc::EmitKind::Llvm;
  o.output = "/dev/null";
  static const char *cpus[] = {"x86-64", "x86-64-v3", "x86-64-v4"};
  if (in.ConsumeIntegralInRange<int>(0, 3) == 3) {
    o.target = dc::CompileTarget::AArch64;
  } else {
    o.cpu = cpus[in.ConsumeIntegralInRange<int>(0, 2)];
  }
  o.vectorizeDense = in.ConsumeIntegralInRange<int>(0, 3) != 0;
  o.fcKernel = dc::FcKernel(in.ConsumeIntegralInRange<int>(0, 4));
  o.convKernel = dc::ConvKernel(in.ConsumeIntegralInRange<int>(0, 4));
  o.decodeAt = in.ConsumeBool() ? dc::DecodeAt::Init : dc::DecodeAt::Compile;
  o.vectorLength = in.ConsumeBool() ? 0 : 4 << in.ConsumeIntegralInRange<int>(0, 2);
  o.reassociateFPReductions = o.vectorLength != 0;
  // LLVM's own optimisation level: dc's part of the pipeline (the MLIR
  // lowering, the translation, the C interface) runs on every input; LLVM's
  // O1-O3 pipelines (61% of an input's time at O2, and LLVM's code, not
  // dc's) on a quarter of them, -O0's on the rest.
  static const unsigned levels[] = {0, 0, 0, 0, 0, 1, 2, 3};
  o.optLevel = levels[in.ConsumeIntegralInRange<int>(0, 7)];

  MLIRContext &ctx = contextForInput();
  std::string diagnostics;
  ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error)
      diagnostics += d.str() + "\n";
    return success();
  });
  std::string error;
  FailureOr<OwningOpRef<ModuleOp>> model =
      dc::buildModel(&ctx, name, seed, frontEnd);
  if (failed(model)) {
    std::fprintf(stderr, "dc-fuzz-pipeline: dc-model-gen %s: %s",
                 name.c_str(), diagnostics.c_str());
    std::abort();
  }
  std::string pipeline =
      (batch > 1 ? "dc-rebatch{batch=" + std::to_string(batch) + "}," : "") +
      std::string("dc-compress{") + compress + "}";
  PassManager pm(&ctx);
  if (failed(parsePassPipeline(pipeline, pm)) ||
      failed(pm.run(model->get()))) {
    std::fprintf(stderr, "dc-fuzz-pipeline: %s on %s failed:\n%s",
                 pipeline.c_str(), name.c_str(), diagnostics.c_str());
    std::abort();
  }
  if (failed(dc::compileModel(model->get(), o))) {
    std::fprintf(stderr,
                 "dc-fuzz-pipeline: compiling %s (%s) failed:\n%s"
                 "target %s cpu %s vectorize %d fc %d conv %d decode-at %d "
                 "vl %d -O%u\n",
                 name.c_str(), pipeline.c_str(), diagnostics.c_str(),
                 dc::stringifyCompileTarget(o.target).str().c_str(),
                 o.cpu.c_str(),
                 int(o.vectorizeDense), int(o.fcKernel), int(o.convKernel),
                 int(o.decodeAt), o.vectorLength, o.optLevel);
    std::abort();
  }
  return 0;
}
