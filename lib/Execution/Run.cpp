//===- Run.cpp - Call a tensor function of a module on files --------------===//

#include "dc/Execution/Run.h"
#include "dc/Support/FileIO.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dc;

namespace {

llvm::Error fail(const Twine &message) {
  return llvm::createStringError(message);
}

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

/// What each argument of @function is, before lowering changes it.
struct Call {
  func::FuncOp function, params;
  std::vector<HostTensor> args, paramValues, results;
  std::vector<std::string> names; ///< dc.param names, "" for the others
  std::vector<unsigned> paramArgs;
};

llvm::Error describe(ModuleOp module, const RunOptions &o, Call &c) {
  c.function = module.lookupSymbol<func::FuncOp>(o.function);
  if (!c.function)
    return fail("no function @" + o.function);
  if (!o.paramsFrom.empty()) {
    c.params = module.lookupSymbol<func::FuncOp>(o.paramsFrom);
    if (!c.params || c.params.getNumArguments() != 0)
      return fail("no function @" + o.paramsFrom + " without arguments");
  }
  func::FuncOp f = c.function;
  for (auto [i, t] : llvm::enumerate(f.getArgumentTypes())) {
    if (!isHostTensorType(t))
      return fail("argument " + Twine(i) + " of @" + o.function +
                  " is not a static f32/f64/i32/i64 tensor");
    c.args.emplace_back(cast<RankedTensorType>(t));
    auto name = f.getArgAttrOfType<StringAttr>(i, "dc.param");
    c.names.push_back(name ? name.str() : "");
    if (name)
      c.paramArgs.push_back(i);
  }
  for (Type t : f.getResultTypes())
    c.results.emplace_back(cast<RankedTensorType>(t));
  if (!c.paramArgs.empty() && !c.params)
    return fail("@" + o.function +
                " has dc.param arguments: give --params-from");
  if (!c.params)
    return llvm::Error::success();
  if (c.params.getNumResults() != c.paramArgs.size())
    return fail("@" + o.paramsFrom + " returns " +
                Twine(c.params.getNumResults()) + " values for " +
                Twine(c.paramArgs.size()) + " dc.param arguments");
  for (auto [k, t] : llvm::enumerate(c.params.getResultTypes())) {
    if (t != c.args[c.paramArgs[k]].type)
      return fail("result " + Twine(k) + " of @" + o.paramsFrom + " is " +
                  typeString(t) + ", the dc.param argument needs " +
                  typeString(c.args[c.paramArgs[k]].type));
    c.paramValues.emplace_back(cast<RankedTensorType>(t));
  }
  return llvm::Error::success();
}

std::string outputPath(const RunOptions &o, const Twine &name) {
  SmallString<256> path(o.outputDir);
  llvm::sys::path::append(path, name);
  return path.str().str();
}

/// The files written into the output directory may not be inputs.
llvm::Error checkFiles(const RunOptions &o, const Call &c) {
  ::dc::FileSet files;
  files.input("the module", o.moduleFile);
  for (const std::string &in : o.inputs)
    files.input("--input", in);
  for (size_t k = 0; k < c.paramArgs.size(); ++k)
    files.output("--output-dir", outputPath(o, "param" + Twine(k) + ".bin"));
  for (size_t k = 0; k < c.results.size(); ++k)
    files.output("--output-dir", outputPath(o, "result" + Twine(k) + ".bin"));
  files.output("--output-dir", outputPath(o, "manifest.txt"));
  return files.check();
}

llvm::Error readInputs(const RunOptions &o, Call &c) {
  size_t others = c.args.size() - c.paramArgs.size();
  if (o.inputs.size() != others)
    return fail("@" + o.function + " takes " + Twine(others) +
                " arguments besides its parameters; " + Twine(o.inputs.size()) +
                " --input files given");
  size_t next = 0;
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (!c.names[i].empty())
      continue;
    auto data = ::dc::readInputFile(o.inputs[next]);
    if (!data)
      return data.takeError();
    HostTensor &a = c.args[i];
    size_t want = a.values.size() * (a.type.getElementTypeBitWidth() / 8);
    if ((*data)->getBufferSize() != want)
      return fail("'" + o.inputs[next] + "' has " +
                  Twine((*data)->getBufferSize()) + " bytes; argument " +
                  Twine(i) + " (" + typeString(a.type) + ") needs " +
                  Twine(want));
    a.setBytes((*data)->getBufferStart());
    ++next;
  }
  return llvm::Error::success();
}

llvm::Error writeFile(StringRef path, const Twine &contents) {
  auto out = ::dc::OutputFile::create(path);
  if (!out)
    return out.takeError();
  out->os() << contents;
  return out->commit();
}

llvm::Error writeTensor(StringRef path, const HostTensor &t) {
  std::vector<char> bytes = t.bytes();
  return writeFile(path, StringRef(bytes.data(), bytes.size()));
}

llvm::Error writeOutputs(const RunOptions &o, const Call &c) {
  if (std::error_code ec = llvm::sys::fs::create_directories(o.outputDir))
    return fail("cannot create '" + o.outputDir + "': " + ec.message());
  std::string manifest;
  llvm::raw_string_ostream list(manifest);
  for (auto [k, a] : llvm::enumerate(c.paramArgs)) {
    std::string file = "param" + std::to_string(k) + ".bin";
    if (llvm::Error e = writeTensor(outputPath(o, file), c.args[a]))
      return e;
    list << file << " " << c.names[a] << " " << c.args[a].type << "\n";
  }
  for (auto [k, r] : llvm::enumerate(c.results)) {
    std::string file = "result" + std::to_string(k) + ".bin";
    if (llvm::Error e = writeTensor(outputPath(o, file), r))
      return e;
    list << file << " - " << r.type << "\n";
  }
  return writeFile(outputPath(o, "manifest.txt"), manifest);
}

} // namespace

llvm::Expected<RunSummary> mlir::dc::runFunction(ModuleOp module,
                                                 const RunOptions &o) {
  Call c;
  if (llvm::Error e = describe(module, o, c))
    return std::move(e);
  if (llvm::Error e = checkFiles(o, c))
    return std::move(e);
  if (llvm::Error e = readInputs(o, c))
    return std::move(e);
  // An engine of the caller's compiles the module as it was read.
  OwningOpRef<ModuleOp> original = module.clone();
  std::vector<std::string> entry = {o.function};
  if (c.params)
    entry.push_back(o.paramsFrom);
  auto jit = JitModule::compile(module, entry);
  if (!jit)
    return jit.takeError();
  if (c.params) {
    std::vector<HostTensor> none;
    if (llvm::Error e = (*jit)->call(o.paramsFrom, none, c.paramValues))
      return std::move(e);
    for (auto [k, a] : llvm::enumerate(c.paramArgs))
      c.args[a].values = c.paramValues[k].values;
  }
  if (o.magnitudes)
    for (HostTensor &a : c.args)
      if (isa<FloatType>(a.type.getElementType()))
        for (double &v : a.values)
          v = std::fabs(v);
  if (!o.engine) {
    if (llvm::Error e = (*jit)->call(o.function, c.args, c.results))
      return std::move(e);
  } else {
    // The parameter values come from the JIT above.
    if (c.params)
      if (auto holder = original->lookupSymbol<func::FuncOp>(o.paramsFrom))
        holder.erase();
    if (llvm::Error e = o.engine(*original, o.function, c.args, c.results))
      return std::move(e);
  }
  if (llvm::Error e = writeOutputs(o, c))
    return std::move(e);
  return RunSummary{c.results.size(), c.paramArgs.size()};
}
