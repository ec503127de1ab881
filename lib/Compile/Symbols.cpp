//===- Symbols.cpp - A library links nothing but the run-time objects -----===//
//
// A self-contained library links dc's run-time objects only: every function
// the generated code calls (in the LLVM dialect, then in the object code
// LLVM made of it) must be one of theirs.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::compile;

namespace {

/// Calls `f(name, flags)` for every symbol of `object` that can be read.
void forEachSymbol(const llvm::object::ObjectFile &object,
                   llvm::function_ref<void(StringRef, uint32_t)> f) {
  for (const llvm::object::SymbolRef &sym : object.symbols()) {
    llvm::Expected<uint32_t> flags = sym.getFlags();
    llvm::Expected<StringRef> name = sym.getName();
    if (flags && name) {
      f(*name, *flags);
      continue;
    }
    llvm::consumeError(flags.takeError());
    llvm::consumeError(name.takeError());
  }
}

/// Adds the global symbols the object files at `paths` define.
LogicalResult readDefinedSymbols(MLIRContext *context,
                                 ArrayRef<std::string> paths,
                                 llvm::StringSet<> &defined) {
  for (const std::string &path : paths) {
    auto object = llvm::object::ObjectFile::createObjectFile(path);
    if (!object) {
      return fail(context, "cannot read the run-time object '" + path +
              "': " + llvm::toString(object.takeError()));
    }
    forEachSymbol(*object->getBinary(), [&](StringRef name, uint32_t flags) {
      if ((flags & llvm::object::SymbolRef::SF_Global) &&
          !(flags & llvm::object::SymbolRef::SF_Undefined))
        defined.insert(name);
    });
  }
  return success();
}

/// Every call from generated code (LLVM dialect) to a function it only
/// declares must reach a run-time object: otherwise an error at the calling
/// op's location (a memref.copy lowered to the runner utilities' memrefCopy,
/// math-to-libm's expf, ...), all of them listed, before translation.
LogicalResult checkExternalCalls(ModuleOp module,
                                 const llvm::StringSet<> &defined) {
  llvm::SetVector<StringRef> missing;
  module.walk([&](LLVM::CallOp call) {
    std::optional<StringRef> callee = call.getCallee();
    if (!callee)
      return;
    auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(*callee);
    if (!fn || !fn.isExternal() || defined.contains(*callee))
      return;
    call.emitError() << "the generated code calls '" << *callee
                     << "', which dc's run-time objects do not define (a "
                        "self-contained library links no other library)";
    missing.insert(*callee);
  });
  if (missing.empty())
    return success();
  return fail(module.getContext(), "the generated code calls functions the run-time objects do not "
          "define: " +
          llvm::join(missing, ", "));
}

} // namespace

FailureOr<RuntimeObjects>
mlir::dc::compile::findRuntimeObjects(ModuleOp module,
                                      const CompileOptions &o) {
  MLIRContext *context = module.getContext();
  RuntimeObjects result;
  if (o.emit != EmitKind::So)
    return result;
  bool host = o.kind == CompileOptions::Kind::HostStep;
  StringRef target = stringifyCompileTarget(o.target);
  // A host step links libc, which has the memory routines of Mem.o.
  SmallVector<std::pair<StringRef, StringRef>> objects = {
      {target, "Decode.o"}};
  if (!host)
    objects.push_back({target, "Cpu.o"});
  objects.push_back(host ? std::make_pair(StringRef("host"),
                                          StringRef("HostBlas.o"))
                         : std::make_pair(target, StringRef("Mem.o")));
  for (auto [dir, name] : objects) {
    SmallString<256> path(o.runtimeDir);
    llvm::sys::path::append(path, dir, name);
    if (!llvm::sys::fs::exists(path))
      return fail(context, "missing run-time object '" + path.str() +
                               "' (see --runtime-dir)");
    result.paths.push_back(path.str().str());
  }
  if (!host && (failed(readDefinedSymbols(context, result.paths,
                                          result.defined)) ||
                failed(checkExternalCalls(module, result.defined))))
    return failure();
  return result;
}

LogicalResult
mlir::dc::compile::checkObjectImports(MLIRContext *context, StringRef code,
                                      const llvm::StringSet<> &defined) {
  auto object = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(code, "generated.o"));
  if (!object) {
    return fail(context, "internal error: cannot read the generated object: " +
            llvm::toString(object.takeError()));
  }
  SmallVector<std::string> missing;
  forEachSymbol(**object, [&](StringRef name, uint32_t flags) {
    if ((flags & llvm::object::SymbolRef::SF_Undefined) && !name.empty() &&
        !defined.contains(name))
      missing.push_back(name.str());
  });
  if (missing.empty())
    return success();
  llvm::sort(missing);
  return fail(context, "the generated code needs " + llvm::join(missing, ", ") +
          ", which the run-time objects do not define (an operation LLVM "
          "lowers to a C library call)");
}
