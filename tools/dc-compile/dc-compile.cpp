//===- dc-compile.cpp - Compile a model to a self-contained library -------===//
//
//   dc-compile model.mlir[bc] -o libmodel.so [--target=x86_64|aarch64]
//
// writes libmodel.so (no libMLIR, libLLVM or libc needed) and model.h.
//
//===----------------------------------------------------------------------===//

#include "dc/Compile/Compile.h"
#include "dc/InitAllDC.h"
#include "dc/Tools/ToolSupport.h"
#include "dc/Support/FileIO.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace llvm;

static cl::opt<std::string> input(cl::Positional, cl::Required,
                                  cl::desc("<model.mlir|model.mlirbc>"));
static cl::opt<std::string>
    output("o", cl::Required,
           cl::desc("Output file (libNAME.so; - for text forms on stdout). "
                    "A regular file is replaced only once complete; a "
                    "symbolic link's target is written; a device or FIFO "
                    "is streamed into; nothing is left behind on an error"),
           cl::value_desc("file"));
static cl::opt<std::string>
    header("header",
           cl::desc("The C header of --emit=so (default: NAME.h next to "
                    "libNAME.so; none when -o is a device or FIFO; "
                    "'none': do not write one)"),
           cl::value_desc("file"));
static cl::opt<std::string> target("target", cl::init("x86_64"),
                                   cl::desc("x86_64 or aarch64"));
static cl::opt<std::string> mcpu("mcpu",
                                 cl::desc("CPU (default: the host's on "
                                          "x86-64, generic on AArch64)"));
static cl::opt<std::string>
    mattr("mattr",
          cl::desc("Target features, e.g. +avx2 (default: the host's on "
                   "x86-64, +neon on AArch64)"));
static cl::opt<std::string> emit("emit", cl::init("so"),
                                 cl::desc("mlir, llvm, asm, obj or so"));
static cl::opt<unsigned> optLevel("O", cl::init(2), cl::Prefix,
                                  cl::desc("Optimisation level 0-3"));
static cl::opt<std::string> compress(
    "dc-compress", cl::ValueOptional,
    cl::desc("Compress the model first, with these dc-compress options "
             "(e.g. --dc-compress=\"sparsity=0.9 fc-bits=5\")"));
static cl::opt<std::string>
    prefix("prefix",
           cl::desc("C symbol prefix (default: the output's name without "
                    "lib and extension; model for -o -)"));
static cl::opt<std::string> runtimeDir(
    "runtime-dir",
    cl::desc("Folder of the run-time objects (default: <dc-compile>/../lib/"
             "dc-runtime)"));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  mlir::dc::registerAllDCPasses();
  cl::ParseCommandLineOptions(
      argc, argv,
      "dc-compile: compile a (compressed) model to a self-contained shared "
      "library and C header\n");

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
  auto module = mlir::dc::loadModule(input, context, sourceMgr, "dc-compile");
  if (!module)
    return 1;

  mlir::dc::CompileOptions options;
  options.target = target;
  options.cpu = mcpu;
  options.features = mattr;
  options.emit = emit;
  options.optLevel = optLevel;
  if (compress.getNumOccurrences())
    options.compress = compress;
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
  std::string error;
  if (failed(mlir::dc::compileModel(*module, options, error))) {
    errs() << "dc-compile: error: " << error << "\n";
    return 1;
  }
  return 0;
}
