//===- Compile.cpp - Ahead-of-time compilation of compressed models -------===//
//
// compileModel: the options and outputs checked, then parse -> (the
// caller's step, e.g. dc-compress) -> dc-lower-to-llvm (Lower.cpp) -> LLVM
// IR with the C API wrappers (Interface.cpp) -> optimise -> object
// (in-process TargetMachine, Target.cpp) -> ld.lld (Link.cpp).
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "dc/Codegen/Passes.h"
#include "dc/Dialect/DC/IR/DCDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::compile;

LogicalResult mlir::dc::compile::fail(MLIRContext *context,
                                      const Twine &message) {
  emitError(UnknownLoc::get(context)) << message;
  return failure();
}

std::optional<CompileTarget> mlir::dc::hostCompileTarget() {
  switch (llvm::Triple(llvm::sys::getProcessTriple()).getArch()) {
  case llvm::Triple::x86_64:
    return CompileTarget::X86_64;
  case llvm::Triple::aarch64:
    return CompileTarget::AArch64;
  default:
    return std::nullopt;
  }
}

namespace {

/// The options that need no model or target to be checked.
LogicalResult checkOptions(MLIRContext *context, const CompileOptions &o) {
  bool host = o.kind == CompileOptions::Kind::HostStep;
  if (o.optLevel > 3)
    return fail(context, "-O must be 0..3");
  if (o.output.empty() || o.output == "-")
    if (o.emit == EmitKind::So || o.emit == EmitKind::Obj)
      return fail(context,
                  "--emit=" + stringifyOption(kEmitKindValues, o.emit) +
                      " needs an output file (-o)");
  if (!llvm::all_of(o.prefix,
                    [](char c) { return llvm::isAlnum(c) || c == '_'; }) ||
      o.prefix.empty() || llvm::isDigit(o.prefix[0]))
    return fail(context, "the symbol prefix '" + o.prefix +
                             "' is not a C identifier (see --prefix)");
  if (host && hostCompileTarget() != o.target)
    return fail(context,
                "a host step library is built for this machine only (not " +
                    stringifyCompileTarget(o.target) + ")");
  if (host && o.emit != EmitKind::So && o.emit != EmitKind::Mlir &&
      o.emit != EmitKind::Llvm)
    return fail(context, "a host step library is emitted as so, mlir or llvm");
  return success();
}

/// The header's path: --header, else <dir>/<stem without lib>.h next to a
/// library written to a file; none next to a stream (a device or FIFO).
std::optional<std::string> headerPath(const CompileOptions &o,
                                      ::dc::OutputFile::Kind libraryKind) {
  if (o.header)
    return o.header->empty() || *o.header == "none"
               ? std::nullopt
               : std::optional<std::string>(*o.header);
  if (libraryKind != ::dc::OutputFile::Kind::Replace)
    return std::nullopt;
  SmallString<256> header(llvm::sys::path::parent_path(o.output));
  StringRef stem = llvm::sys::path::stem(o.output);
  stem.consume_front("lib");
  llvm::sys::path::append(header, stem + ".h");
  return header.str().str();
}

/// The outputs, resolved and prepared before any work
/// (dc/Support/FileIO.h): nothing is visible until the end, and nothing is
/// left on any error. No output may be the input (the tool registered it)
/// or the other output, by any spelling.
FailureOr<Outputs> prepareOutputs(MLIRContext *context,
                                  const CompileOptions &o) {
  auto fromError = [&](llvm::Error e) {
    return fail(context, llvm::toString(std::move(e)));
  };
  bool host = o.kind == CompileOptions::Kind::HostStep;
  bool withHeader = o.emit == EmitKind::So && !host;
  std::string output = o.output.empty() ? "-" : o.output;
  ::dc::FileSet files = ::dc::toolFiles();
  files.output("-o", output);
  std::optional<std::string> headerFile;
  if (withHeader) {
    ::dc::OutputFile::Kind kind;
    llvm::Expected<std::string> resolved =
        ::dc::resolveOutputPath(output, &kind);
    if (!resolved)
      return fromError(resolved.takeError());
    headerFile = headerPath(o, kind);
    if (headerFile)
      files.output("--header", *headerFile);
  }
  if (llvm::Error e = files.check())
    return fromError(std::move(e));
  // A report= of --dc-compress is checked against these too (the tool's
  // own files; a host step library is a private temporary).
  if (!host)
    ::dc::toolFiles() = files;
  Outputs outputs;
  llvm::Expected<::dc::OutputFile> out =
      ::dc::OutputFile::create(output, o.emit == EmitKind::So ? 0777 : 0666);
  if (!out)
    return fromError(out.takeError());
  outputs.out.emplace(std::move(*out));
  if (headerFile) {
    llvm::Expected<::dc::OutputFile> h = ::dc::OutputFile::create(*headerFile);
    if (!h)
      return fromError(h.takeError());
    outputs.header.emplace(std::move(*h));
  }
  return outputs;
}

/// The lowered module in LLVM IR for `target`, with its C interface.
std::unique_ptr<llvm::Module>
translate(ModuleOp module, llvm::LLVMContext &llvmContext,
          const CompileOptions &o, const TargetSetup &target,
          const Interface &iface, ArrayRef<Signature> sigs,
          int64_t workspaceBytes) {
  MLIRContext *context = module.getContext();
  PassManager strip(context);
  strip.addNestedPass<LLVM::LLVMFuncOp>(createDCStripArgAttributes());
  if (failed(strip.run(module)))
    return nullptr;
  registerBuiltinDialectTranslation(*context);
  registerLLVMDialectTranslation(*context);
  std::unique_ptr<llvm::Module> m =
      translateModuleToLLVMIR(module, llvmContext, o.prefix);
  if (!m) {
    (void)fail(context, "translation to LLVM IR failed");
    return nullptr;
  }
  m->setTargetTriple(target.triple);
  m->setDataLayout(target.machine->createDataLayout());
  bool host = o.kind == CompileOptions::Kind::HostStep;
  if (failed(host
                 ? addHostInterface(context, *m, sigs, workspaceBytes, o.prefix)
                 : addCInterface(
                       context, *m, iface, workspaceBytes, o.prefix,
                       requiredCpuBits(*target.machine->getMCSubtargetInfo(),
                                       target.triple))))
    return nullptr;
  canonicalizeGlobals(*m);
  // The optimiser's cost model reads these from each function.
  for (llvm::Function &fn : *m) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", target.cpu);
    if (!target.features.empty())
      fn.addFnAttr("target-features", target.features);
  }
  optimize(*m, *target.machine, o.optLevel);
  return m;
}

/// The workspace size the lowering recorded on the entry function.
FailureOr<int64_t> workspaceBytesOf(ModuleOp module, const CompileOptions &o) {
  bool host = o.kind == CompileOptions::Kind::HostStep;
  auto forward = module.lookupSymbol<LLVM::LLVMFuncOp>(
      host ? StringRef(o.entries.front()) : StringRef("forward"));
  auto bytes = forward ? forward->getAttrOfType<IntegerAttr>(
                             DCDialect::kWorkspaceBytesAttrName)
                       : IntegerAttr();
  if (!bytes)
    return fail(module.getContext(),
                "internal error: no workspace size on @forward");
  return bytes.getInt();
}

} // namespace

LogicalResult mlir::dc::compileModel(ModuleOp module, const CompileOptions &o) {
  MLIRContext *context = module.getContext();
  if (failed(checkOptions(context, o)))
    return failure();
  bool host = o.kind == CompileOptions::Kind::HostStep;
  FailureOr<Interface> iface = Interface();
  FailureOr<SmallVector<Signature>> sigs = SmallVector<Signature>();
  if (host)
    sigs = readSignatures(module, o.entries);
  else
    iface = readInterface(module);
  if (failed(iface) || failed(sigs))
    return failure();
  FailureOr<Outputs> outputs = prepareOutputs(context, o);
  if (failed(outputs))
    return failure();
  // The target, resolved first: the lowering vectorises for it.
  FailureOr<TargetSetup> target = setUpTarget(context, o);
  if (failed(target))
    return failure();

  // MLIR: the caller's step (compression), the lowering to the LLVM
  // dialect, and the check that a library links only the run-time objects.
  if (o.beforeLowering && failed(o.beforeLowering(module)))
    return failure();
  if (failed(lowerToLLVM(module, o, *target)))
    return failure();
  FailureOr<RuntimeObjects> runtime = findRuntimeObjects(module, o);
  if (failed(runtime))
    return failure();
  if (o.emit == EmitKind::Mlir) {
    module.print(outputs->out->os());
    return outputs->write(context, "");
  }
  FailureOr<int64_t> workspaceBytes = workspaceBytesOf(module, o);
  if (failed(workspaceBytes))
    return failure();

  // LLVM IR, optimised.
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translate(
      module, llvmContext, o, *target, *iface, *sigs, *workspaceBytes);
  if (!llvmModule)
    return failure();
  if (o.emit == EmitKind::Llvm) {
    llvmModule->print(outputs->out->os(), nullptr);
    return outputs->write(context, "");
  }

  // Machine code; what LLVM itself turned into calls (e.g. llvm.intr.exp
  // into expf) must reach the run-time objects too.
  FailureOr<SmallString<0>> code =
      emitCode(context, *llvmModule, *target->machine,
               o.emit == EmitKind::Asm ? llvm::CodeGenFileType::AssemblyFile
                                       : llvm::CodeGenFileType::ObjectFile);
  if (failed(code))
    return failure();
  if (o.emit == EmitKind::Asm || o.emit == EmitKind::Obj)
    return outputs->write(context, *code);
  if (!host && failed(checkObjectImports(context, *code, runtime->defined)))
    return failure();

  // A shared library: the object, the run-time objects, no libc.
  return linkLibrary(context, o, *target, *code, runtime->paths,
                     host ? nullptr : &*iface, *workspaceBytes, *outputs);
}

llvm::Error mlir::dc::compileModelOrError(ModuleOp module,
                                          const CompileOptions &options) {
  std::string message;
  LogicalResult compiled = success();
  {
    ScopedDiagnosticHandler capture(module.getContext(), [&](Diagnostic &d) {
      if (!isa<UnknownLoc>(d.getLocation()))
        return failure();
      message += (message.empty() ? "" : "\n") + d.str();
      return success();
    });
    compiled = compileModel(module, options);
  }
  if (succeeded(compiled))
    return llvm::Error::success();
  return llvm::createStringError(message.empty() ? "compilation failed"
                                                 : message);
}
