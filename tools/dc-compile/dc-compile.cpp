//===- dc-compile.cpp - Compile a model to a self-contained library -------===//
//
//   dc-compile model.mlir[bc] -o libmodel.so [--target=x86_64|aarch64]
//
// writes libmodel.so (no libMLIR, libLLVM or libc needed) and model.h.
//
//===----------------------------------------------------------------------===//

#include "dc/Compile/Compile.h"
#include "dc/InitAllDC.h"
#include "dc/Support/FileIO.h"
#include "dc/Support/VersionPrinter.h"
#include "dc/Tools/ToolSupport.h"

#include "dc/Dialect/DC/IR/DCOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace llvm;

static cl::OptionCategory category("dc-compile options");
static cl::opt<std::string> input(cl::Positional, cl::Required,
                                  cl::desc("<model.mlir|model.mlirbc>"),
                                  cl::cat(category));
static cl::opt<std::string>
    output("o", cl::Required,
           cl::desc("Output file (libNAME.so; - for text forms on stdout). "
                    "A regular file is replaced only once complete; a "
                    "symbolic link's target is written; a device or FIFO "
                    "is streamed into; nothing is left behind on an error"),
           cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    header("header",
           cl::desc("The C header of --emit=so (default: NAME.h next to "
                    "libNAME.so; none when -o is a device or FIFO; "
                    "'none': do not write one)"),
           cl::value_desc("file"), cl::cat(category));
static cl::opt<mlir::dc::CompileTarget> target(
    "target", cl::init(mlir::dc::CompileTarget::X86_64), cl::desc("The target"),
    mlir::dc::optionValues(mlir::dc::kCompileTargetValues), cl::cat(category));
static cl::opt<std::string> mcpu("mcpu",
                                 cl::desc("CPU (default: the host's on "
                                          "x86-64, generic on AArch64)"),
                                 cl::cat(category));
static cl::opt<std::string>
    mattr("mattr",
          cl::desc("Target features, e.g. +avx2 (default: the host's on "
                   "x86-64, +neon on AArch64)"),
          cl::cat(category));
static cl::opt<bool> vectorizeDense(
    "vectorize", cl::init(true),
    cl::desc("Dense layers (matmuls, stride-1 convolutions, elementwise "
             "ops) as register-tiled vector loops for the target's vector "
             "width (default); --vectorize=false: scalar loops"),
    cl::cat(category));
static cl::opt<mlir::dc::FcKernel> fcKernel(
    "fc-kernel", cl::init(mlir::dc::FcKernel::Auto),
    cl::desc("How compressed (CSR) fully connected layers are computed "
             "(default: auto)"),
    mlir::dc::fcKernelValues(), cl::cat(category));
static cl::opt<mlir::dc::ConvKernel> convKernel(
    "conv-kernel", cl::init(mlir::dc::ConvKernel::Auto),
    cl::desc("How compressed (CSR) convolutions are computed (default: "
             "auto)"),
    mlir::dc::convKernelValues(), cl::cat(category));
static cl::opt<mlir::dc::EmitKind>
    emit("emit", cl::init(mlir::dc::EmitKind::So), cl::desc("What to write"),
         mlir::dc::optionValues(mlir::dc::kEmitKindValues), cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::init(2), cl::Prefix,
                                  cl::desc("Optimisation level 0-3"),
                                  cl::cat(category));
static cl::opt<std::string> compress(
    "dc-compress", cl::ValueOptional,
    cl::desc("Compress the model first, with these dc-compress options "
             "(e.g. --dc-compress=\"sparsity=0.9 fc-bits=5\")"),
    cl::cat(category));
static cl::opt<std::string>
    prefix("prefix",
           cl::desc("C symbol prefix (default: the output's name without "
                    "lib and extension; model for -o -)"),
           cl::cat(category));
static cl::opt<std::string> runtimeDir(
    "runtime-dir",
    cl::desc("Folder of the run-time objects (default: <dc-compile>/../lib/"
             "dc-runtime)"),
    cl::cat(category));
static cl::opt<int> vectorLength(
    "vl", cl::init(0),
    cl::desc("Vector length of the sparse loops (0: scalar, the default)"),
    cl::cat(category));
static cl::opt<bool> reassociate(
    "reassociate-fp-reductions",
    cl::desc("Let float reductions be reassociated (needed to vectorise "
             "them; changes the last bits of results)"),
    cl::cat(category));
using mlir::dc::DecodeAt;
static cl::opt<DecodeAt> decodeAt(
    "decode-at", cl::init(DecodeAt::Init),
    cl::desc("Where the stored payload is decoded"),
    cl::values(clEnumValN(DecodeAt::Init, "init",
                          "by <prefix>_init into the workspace (default; the "
                          "library holds the compressed payload)"),
               clEnumValN(DecodeAt::Compile, "compile",
                          "at compile time (the library holds the run-time "
                          "layout, larger)")),
    cl::cat(category));

/// --dc-compress: the pass, parsed from the option's text, run before the
/// lowering.
static mlir::LogicalResult compressFirst(mlir::ModuleOp module) {
  mlir::PassManager pm(module.getContext());
  if (failed(mlir::parsePassPipeline("dc-compress{" + compress + "}", pm,
                                     errs()))) {
    errs() << "dc-compile: error: bad dc-compress options '" << compress
           << "'\n";
    return mlir::failure();
  }
  if (failed(pm.run(module))) {
    errs() << "dc-compile: error: compression failed (see the diagnostics "
              "above)\n";
    return mlir::failure();
  }
  bool any = false;
  module.walk([&](mlir::dc::DecompressOp) {
    any = true;
    return mlir::WalkResult::interrupt();
  });
  if (!any)
    errs() << "dc-compile: warning: --dc-compress compressed no weight: the "
              "library is the uncompressed model (dc-compress{report=-} "
              "lists what it left alone)\n";
  return mlir::success();
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  mlir::dc::registerAllDCPasses();
  ::dc::addVersionPrinter();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dc-compile: compile a (compressed) model to a self-contained shared "
      "library and C header\n");

  // compileModel refuses an output that is the input or the other output.
  ::dc::toolFiles().input("the input", input);
  mlir::DialectRegistry registry;
  mlir::dc::registerToolDialects(registry);
  // One thread: passes that add globals from several functions at once
  // would otherwise order them differently from run to run, and the
  // library must be byte-for-byte deterministic.
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  // Diagnostics point at the source; the lowered op adds nothing for users.
  context.printOpOnDiagnostic(false);
  // Diagnostics name their file, line and column.
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::dc::NamedLocationDiagnostics named(context, input);
  mlir::dc::ToolErrorDiagnostics toolErrors(context, "dc-compile");
  auto module = mlir::dc::loadModule(input, context, sourceMgr, "dc-compile");
  if (!module)
    return 1;

  mlir::dc::CompileOptions options;
  options.target = target;
  options.cpu = mcpu;
  options.features = mattr;
  options.emit = emit;
  if (vectorLength < 0) {
    errs() << "dc-compile: error: --vl must be >= 0\n";
    return 1;
  }
  options.vectorLength = vectorLength;
  options.reassociateFPReductions = reassociate;
  options.decodeAt = decodeAt;
  options.vectorizeDense = vectorizeDense;
  options.fcKernel = fcKernel;
  options.convKernel = convKernel;
  options.optLevel = optLevel;
  if (compress.getNumOccurrences())
    options.beforeLowering = compressFirst;
  options.output = output;
  if (header.getNumOccurrences())
    options.header = header;
  StringRef stem = sys::path::stem(output);
  stem.consume_front("lib");
  if (!prefix.empty())
    options.prefix = prefix;
  else
    options.prefix = output == "-" ? "model" : stem.str();
  options.runtimeDir =
      mlir::dc::runtimeDirectory(runtimeDir, argv[0], (void *)&main);
  return failed(mlir::dc::compileModel(*module, options)) ? 1 : 0;
}
