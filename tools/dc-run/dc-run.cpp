//===- dc-run.cpp - Run a tensor function of a module on files ------------===//
//
//   dc-run step.mlir --function=train_step --params-from=forward.params \
//     --input=x.bin --input=labels.bin --input=weights.bin --output-dir=out
//
// JIT-compiles the module (include/dc/Execution/Run.h) and calls @function,
// or with --engine=host-blas compiles it as dc-train does (a host step
// library through lib/Compile, contractions through OpenBLAS) and calls
// that: the two engines share no lowering, so they check each other.
// Arguments with a dc.param attribute take, in order, the results of
// @params-from; the others are read from the --input files (raw
// little-endian elements, exactly the argument's size). Results go to
// out/result<N>.bin, the parameters used to out/param<N>.bin, and
// out/manifest.txt lists each file with its name (dc.param) and type.
// --magnitudes runs on |a| of every floating-point argument (the scale
// sum |w||x| that bounds rounding errors).
//
//===----------------------------------------------------------------------===//

#include "dc/Compile/Compile.h"
#include "dc/Execution/Run.h"
#include "dc/Support/VersionPrinter.h"
#include "dc/Tools/ToolSupport.h"
#include "dc/TrainLoop/StepLibrary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace llvm;

static cl::OptionCategory category("dc-run options");
static cl::opt<std::string> input(cl::Positional, cl::init("-"),
                                  cl::desc("<module>"), cl::cat(category));
static cl::opt<std::string> function("function", cl::Required,
                                     cl::desc("The function to call"),
                                     cl::cat(category));
static cl::opt<std::string>
    paramsFrom("params-from",
               cl::desc("A function without arguments whose results are the "
                        "dc.param arguments, in order (e.g. forward.params)"),
               cl::cat(category));
static cl::list<std::string>
    inputs("input", cl::desc("A file per other argument"), cl::cat(category));
static cl::opt<std::string> outputDir("output-dir", cl::Required,
                                      cl::desc("Where results are written"),
                                      cl::cat(category));

enum class Engine { Jit, HostBlas };
static cl::opt<Engine> engine(
    "engine", cl::init(Engine::Jit), cl::desc("How @function is run"),
    cl::values(clEnumValN(Engine::Jit, "jit",
                          "upstream's plain lowering and the ExecutionEngine"),
               clEnumValN(Engine::HostBlas, "host-blas",
                          "dc-train's host step library (lib/Compile, "
                          "OpenBLAS)")),
    cl::cat(category));
static cl::opt<bool> magnitudes(
    "magnitudes",
    cl::desc("Call @function on the magnitudes |a| of every floating-point "
             "argument, parameters included: through contractions, ReLU and "
             "max pooling each result is then the sum of |w||x| over its "
             "paths, the scale that bounds rounding errors"),
    cl::cat(category));
static cl::opt<std::string>
    runtimeDir("runtime-dir",
               cl::desc("dc's run-time objects, for --engine=host-blas "
                        "(default: <bin>/../lib/dc-runtime)"),
               cl::cat(category));

static int fail(const Twine &message) {
  errs() << "dc-run: error: " << message << "\n";
  return 1;
}

/// --engine=host-blas: the module compiled as dc-train does (a host step
/// library through lib/Compile, contractions through OpenBLAS).
static Error runHostBlas(mlir::ModuleOp original, StringRef name,
                         std::vector<mlir::dc::HostTensor> &args,
                         std::vector<mlir::dc::HostTensor> &results,
                         const std::string &runtime) {
  SmallString<128> library;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("dc-run", "so", library))
    return createStringError("cannot create a temporary file: " + ec.message());
  llvm::scope_exit remove([&] { sys::fs::remove(library); });
  mlir::dc::CompileOptions c;
  c.kind = mlir::dc::CompileOptions::Kind::HostStep;
  c.entries = {name.str()};
  c.target = mlir::dc::hostCompileTarget().value_or(
      mlir::dc::CompileTarget::X86_64);
  c.prefix = "dc_run";
  c.output = library.str().str();
  c.header = "none";
  c.runtimeDir = runtime;
  if (Error e = mlir::dc::compileModelOrError(original, c))
    return e;
  auto step =
      dc::trainloop::StepLibrary::open(c.output, c.prefix, {name.str()});
  if (!step.ok())
    return createStringError(step.message());
  std::vector<std::vector<char>> in, out;
  std::vector<void *> inPtrs, outPtrs;
  for (mlir::dc::HostTensor &a : args)
    inPtrs.push_back((in.emplace_back(a.bytes())).data());
  for (mlir::dc::HostTensor &r : results)
    outPtrs.push_back((out.emplace_back(r.values.size() *
                                        (r.type.getElementTypeBitWidth() / 8)))
                          .data());
  if (int32_t rc = (*step)->call(0, inPtrs.data(), outPtrs.data()))
    return createStringError("@" + name + " returned " + Twine(rc));
  for (auto [r, bytes] : llvm::zip(results, out))
    r.setBytes(bytes.data());
  return Error::success();
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  ::dc::addVersionPrinter();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "dc-run: call a tensor function of a module on "
                              "raw binary inputs\n");
  mlir::DialectRegistry registry;
  mlir::dc::registerToolDialects(registry);
  mlir::MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::dc::NamedLocationDiagnostics named(context, input);
  auto module = mlir::dc::loadModule(input, context, sourceMgr, "dc-run");
  if (!module)
    return 1;
  mlir::dc::RunOptions o;
  o.function = function;
  o.paramsFrom = paramsFrom;
  o.inputs.assign(inputs.begin(), inputs.end());
  o.outputDir = outputDir;
  o.moduleFile = input;
  o.magnitudes = magnitudes;
  if (engine == Engine::HostBlas) {
    std::string runtime =
        mlir::dc::runtimeDirectory(runtimeDir, argv[0], (void *)&main);
    o.engine = [runtime](mlir::ModuleOp original, StringRef name,
                         std::vector<mlir::dc::HostTensor> &args,
                         std::vector<mlir::dc::HostTensor> &results) {
      return runHostBlas(original, name, args, results, runtime);
    };
  }
  auto summary = mlir::dc::runFunction(*module, o);
  if (!summary)
    return fail(toString(summary.takeError()));
  outs() << "dc-run: @" << function << ": " << summary->results
         << " results and " << summary->parameters << " parameters in "
         << outputDir << "\n";
  return 0;
}
