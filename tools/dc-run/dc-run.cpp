//===- dc-run.cpp - Run a tensor function of a module on files ------------===//
//
//   dc-run step.mlir --function=train_step --params-from=forward.params \
//     --input=x.bin --input=labels.bin --input=weights.bin --output-dir=out
//
// JIT-compiles the module (include/dc/Training/Jit.h) and calls @function,
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
#include "dc/Tools/ToolSupport.h"
#include "dc/TrainLoop/StepLibrary.h"
#include "dc/Support/VersionPrinter.h"
#include "dc/Support/FileIO.h"
#include "dc/Training/Jit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <cmath>

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

static std::string typeString(mlir::Type t) {
  std::string s;
  raw_string_ostream os(s);
  t.print(os);
  return s;
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
  mlir::dc::ToolErrorDiagnostics toolErrors(context, "dc-run");
  auto module = mlir::dc::loadModule(input, context, sourceMgr, "dc-run");
  if (!module)
    return 1;
  auto f = module->lookupSymbol<mlir::func::FuncOp>(function);
  if (!f)
    return fail("no function @" + function);
  mlir::func::FuncOp params;
  if (!paramsFrom.empty()) {
    params = module->lookupSymbol<mlir::func::FuncOp>(paramsFrom);
    if (!params || params.getNumArguments() != 0)
      return fail("no function @" + paramsFrom + " without arguments");
  }
  // What each argument is, before lowering changes the functions.
  std::vector<mlir::dc::HostTensor> args, paramValues, results;
  std::vector<std::string> names;
  std::vector<unsigned> paramArgs;
  for (auto [i, t] : llvm::enumerate(f.getArgumentTypes())) {
    if (!mlir::dc::isHostTensorType(t))
      return fail("argument " + Twine(i) + " of @" + function +
                  " is not a static f32/f64/i32/i64 tensor");
    args.emplace_back(cast<mlir::RankedTensorType>(t));
    auto name = f.getArgAttrOfType<mlir::StringAttr>(i, "dc.param");
    names.push_back(name ? name.str() : "");
    if (name)
      paramArgs.push_back(i);
  }
  for (mlir::Type t : f.getResultTypes())
    results.emplace_back(cast<mlir::RankedTensorType>(t));
  if (!paramArgs.empty() && !params)
    return fail("@" + function + " has dc.param arguments: give --params-from");
  if (params) {
    if (params.getNumResults() != paramArgs.size())
      return fail("@" + paramsFrom + " returns " +
                  Twine(params.getNumResults()) + " values for " +
                  Twine(paramArgs.size()) + " dc.param arguments");
    for (auto [k, t] : llvm::enumerate(params.getResultTypes())) {
      if (t != args[paramArgs[k]].type)
        return fail("result " + Twine(k) + " of @" + paramsFrom + " is " +
                    typeString(t) + ", the dc.param argument needs " +
                    typeString(args[paramArgs[k]].type));
      paramValues.emplace_back(cast<mlir::RankedTensorType>(t));
    }
  }
  // The files written into --output-dir may not be inputs.
  {
    dc::FileSet files;
    files.input("the module", input);
    for (const std::string &in : inputs)
      files.input("--input", in);
    auto add = [&](const Twine &name) {
      SmallString<256> path(outputDir);
      sys::path::append(path, name);
      files.output("--output-dir", path);
    };
    for (size_t k = 0; k < paramArgs.size(); ++k)
      add("param" + Twine(k) + ".bin");
    for (size_t k = 0; k < results.size(); ++k)
      add("result" + Twine(k) + ".bin");
    add("manifest.txt");
    if (Error e = files.check())
      return fail(toString(std::move(e)));
  }
  size_t others = args.size() - paramArgs.size();
  if (inputs.size() != others)
    return fail("@" + function + " takes " + Twine(others) +
                " arguments besides its parameters; " + Twine(inputs.size()) +
                " --input files given");
  size_t next = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!names[i].empty())
      continue;
    auto data = dc::readInputFile(inputs[next]);
    if (!data)
      return fail(toString(data.takeError()));
    size_t want =
        args[i].values.size() * (args[i].type.getElementTypeBitWidth() / 8);
    if ((*data)->getBufferSize() != want)
      return fail("'" + inputs[next] + "' has " +
                  Twine((*data)->getBufferSize()) + " bytes; argument " +
                  Twine(i) + " (" + typeString(args[i].type) + ") needs " +
                  Twine(want));
    args[i].setBytes((*data)->getBufferStart());
    ++next;
  }

  // The host step library is compiled from the module as it was read.
  mlir::OwningOpRef<mlir::ModuleOp> original = module->clone();
  std::vector<std::string> entry = {function};
  if (params)
    entry.push_back(paramsFrom);
  std::string error;
  auto jit = mlir::dc::JitModule::compile(*module, entry, error);
  if (failed(jit))
    return fail(error);
  if (params) {
    std::vector<mlir::dc::HostTensor> none;
    if (failed((*jit)->call(paramsFrom, none, paramValues, error)))
      return fail(error);
    for (auto [k, a] : llvm::enumerate(paramArgs))
      args[a].values = paramValues[k].values;
  }
  if (magnitudes)
    for (mlir::dc::HostTensor &a : args)
      if (isa<mlir::FloatType>(a.type.getElementType()))
        for (double &v : a.values)
          v = std::fabs(v);
  if (engine == Engine::Jit) {
    if (failed((*jit)->call(function, args, results, error)))
      return fail(error);
  } else {
    SmallString<128> library;
    if (std::error_code ec =
            sys::fs::createTemporaryFile("dc-run", "so", library))
      return fail("cannot create a temporary file: " + ec.message());
    llvm::scope_exit remove([&] { sys::fs::remove(library); });
    mlir::dc::CompileOptions c;
    c.kind = mlir::dc::CompileOptions::Kind::HostStep;
    c.entries = {function};
    c.target = mlir::dc::hostCompileTarget().value_or(
        mlir::dc::CompileTarget::X86_64);
    c.prefix = "dc_run";
    c.output = library.str().str();
    c.header = "none";
    c.runtimeDir =
        mlir::dc::runtimeDirectory(runtimeDir, argv[0], (void *)&main);
    // The parameter values come from the JIT above.
    if (params)
      if (auto holder = original->lookupSymbol<mlir::func::FuncOp>(paramsFrom))
        holder.erase();
    if (failed(mlir::dc::compileModel(*original, c)))
      return 1;
    auto step = dc::trainloop::StepLibrary::open(c.output, c.prefix, {function});
    if (!step.ok())
      return fail(step.message());
    std::vector<std::vector<char>> in, out;
    std::vector<void *> inPtrs, outPtrs;
    for (mlir::dc::HostTensor &a : args)
      inPtrs.push_back((in.emplace_back(a.bytes())).data());
    for (mlir::dc::HostTensor &r : results)
      outPtrs.push_back(
          (out.emplace_back(r.values.size() *
                            (r.type.getElementTypeBitWidth() / 8)))
              .data());
    if (int32_t rc = (*step)->call(0, inPtrs.data(), outPtrs.data()))
      return fail("@" + function + " returned " + Twine(rc));
    for (auto [r, bytes] : llvm::zip(results, out))
      r.setBytes(bytes.data());
  }

  if (std::error_code ec = sys::fs::create_directories(outputDir))
    return fail("cannot create '" + outputDir + "': " + ec.message());
  std::string manifest;
  raw_string_ostream list(manifest);
  auto write = [&](const std::string &file,
                   const mlir::dc::HostTensor &t) -> bool {
    SmallString<256> path(outputDir);
    sys::path::append(path, file);
    auto out = dc::OutputFile::create(path);
    if (!out) {
      errs() << "dc-run: error: " << toString(out.takeError()) << "\n";
      return false;
    }
    std::vector<char> bytes = t.bytes();
    out->os().write(bytes.data(), bytes.size());
    if (Error e = out->commit()) {
      errs() << "dc-run: error: " << toString(std::move(e)) << "\n";
      return false;
    }
    return true;
  };
  for (auto [k, a] : llvm::enumerate(paramArgs)) {
    std::string file = "param" + std::to_string(k) + ".bin";
    if (!write(file, args[a]))
      return 1;
    list << file << " " << names[a] << " " << args[a].type << "\n";
  }
  for (auto [k, r] : llvm::enumerate(results)) {
    std::string file = "result" + std::to_string(k) + ".bin";
    if (!write(file, r))
      return 1;
    list << file << " - " << r.type << "\n";
  }
  SmallString<256> path(outputDir);
  sys::path::append(path, "manifest.txt");
  auto out = dc::OutputFile::create(path);
  if (!out)
    return fail(toString(out.takeError()));
  out->os() << manifest;
  if (Error e = out->commit())
    return fail(toString(std::move(e)));
  outs() << "dc-run: @" << function << ": " << results.size() << " results and "
         << paramArgs.size() << " parameters in " << outputDir << "\n";
  return 0;
}
