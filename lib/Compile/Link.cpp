//===- Link.cpp - Object code, build hash and link -------------------------===//
//
// The LLVM module optimised and turned into machine code in process, a
// second one-function object for the build hash, and ld.lld linking them
// with the run-time objects into the library; the library and its header
// are committed together under a lock on their folder.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "dc/Support/TestHooks.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/xxhash.h"

#include <deque>

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::compile;

/// LLVM's default pipeline at `optLevel`, as clang runs it, except the SLP
/// vectorizer: the vector code is dc's own (dc-vectorize, the fc kernels),
/// and SLP turns the 4 independent accumulators of the row kernel into
/// 4-lane gathers, 1.5x slower on the machines measured
/// (docs/Performance.md). The loop vectorizer stays on for the loops dc
/// leaves scalar.
void mlir::dc::compile::optimize(llvm::Module &m,
                                 llvm::TargetMachine &machine,
                                 unsigned optLevel) {
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = optLevel > 0;
  tuning.LoopInterleaving = optLevel > 0;
  tuning.LoopVectorization = optLevel > 1;
  tuning.SLPVectorization = false;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&machine, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = optLevel == 0
                                    ? pb.buildO0DefaultPipeline(level)
                                    : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(m, mam);
}

FailureOr<SmallString<0>>
mlir::dc::compile::emitCode(MLIRContext *context, llvm::Module &m,
                            llvm::TargetMachine &machine,
                            llvm::CodeGenFileType type) {
  SmallString<0> code;
  llvm::raw_svector_ostream os(code);
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, os, nullptr, type))
    return fail(context, type == llvm::CodeGenFileType::ObjectFile
                             ? "the target cannot emit an object file"
                             : "the target cannot emit this file type");
  codegen.run(m);
  return code;
}

LogicalResult Outputs::write(MLIRContext *context, StringRef bytes) {
  out->os() << bytes;
  if (llvm::Error e = out->commit())
    return fail(context, llvm::toString(std::move(e)));
  return success();
}

namespace {

/// Private temporary files, removed on return and on a signal (SIGINT
/// during the link leaves nothing model-sized in $TMPDIR).
class Temporaries {
public:
  explicit Temporaries(MLIRContext *context) : context(context) {}
  ~Temporaries() {
    for (SmallString<128> &path : paths) {
      llvm::sys::fs::remove(path);
      llvm::sys::DontRemoveFileOnSignal(path);
    }
  }
  /// A new temporary with `suffix`, holding `bytes`.
  FailureOr<std::string> create(StringRef suffix, StringRef bytes = "") {
    SmallString<128> &path = paths.emplace_back();
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("dc-compile", suffix, path)) {
      paths.pop_back();
      return fail(context, "cannot create a temporary file: " + ec.message());
    }
    llvm::sys::RemoveFileOnSignal(path);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (!ec)
      os << bytes;
    os.close();
    if (ec || os.has_error()) {
      std::string reason = (ec ? ec : os.error()).message();
      os.clear_error();
      return fail(context, "cannot write '" + path + "': " + reason);
    }
    return path.str().str();
  }

private:
  MLIRContext *context;
  std::deque<SmallString<128>> paths;
};

/// An object defining `uint64_t <prefix>_build_hash(void)`.
FailureOr<SmallString<0>> buildHashObject(MLIRContext *context,
                                          const TargetSetup &target,
                                          StringRef prefix, uint64_t hash) {
  llvm::LLVMContext llvmContext;
  llvm::Module hashModule("build_hash", llvmContext);
  hashModule.setTargetTriple(target.triple);
  hashModule.setDataLayout(target.machine->createDataLayout());
  auto *fn = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getInt64Ty(llvmContext), false),
      llvm::GlobalValue::ExternalLinkage, prefix + "_build_hash", hashModule);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(llvmContext, "entry", fn));
  b.CreateRet(b.getInt64(hash));
  return emitCode(context, hashModule, *target.machine,
                  llvm::CodeGenFileType::ObjectFile);
}

/// Runs the linker over the objects into `library`.
LogicalResult runLinker(MLIRContext *context, const CompileOptions &o,
                        const TargetSetup &target, StringRef library,
                        ArrayRef<std::string> objects) {
  bool host = o.kind == CompileOptions::Kind::HostStep;
  llvm::ErrorOr<std::string> linker = llvm::sys::findProgramByName(o.linker);
  if (!linker)
    return fail(context, "cannot find the linker '" + o.linker + "'");
  std::string soname = llvm::sys::path::filename(o.output).str();
  SmallVector<std::string> argv = {*linker,
                                   "-shared",
                                   host ? "--as-needed" : "-nostdlib",
                                   "-z",
                                   "defs",
                                   "--build-id=none",
                                   "--hash-style=gnu",
                                   "-soname",
                                   soname,
                                   "-o",
                                   library.str()};
  argv.append(objects.begin(), objects.end());
  if (host) {
    // The host's libraries: OpenBLAS, libm (expf, logf), libc.
    std::string multiarch = target.triple.getArchName().str() + "-linux-gnu";
    for (StringRef dir : {"/usr/lib/", "/lib/"})
      argv.push_back(("-L" + dir + multiarch).str());
    argv.append({"-lopenblas", "-lm", "-lc"});
  }
  SmallVector<StringRef> args(argv.begin(), argv.end());
  ::dc::testPause("dc-compile-link");
  std::string linkError;
  int rc = llvm::sys::ExecuteAndWait(*linker, args, std::nullopt, {}, 0, 0,
                                     &linkError);
  if (rc != 0)
    return fail(context, "linking failed (" + *linker + " exit " + Twine(rc) +
                             ")" + (linkError.empty() ? "" : ": " + linkError));
  return success();
}

/// Both written and checked before either is committed; then, under a lock
/// on the library's folder (another dc-compile to the same -o waits), the
/// library, then the header. A reader between the two renames can still see
/// a new library with an old header: the build hashes differ.
LogicalResult commitOutputs(MLIRContext *context, const CompileOptions &o,
                            StringRef library, StringRef headerBytes,
                            Outputs &outputs) {
  auto fromError = [&](llvm::Error e) {
    return fail(context, llvm::toString(std::move(e)));
  };
  outputs.out->os() << library;
  if (llvm::Error e = outputs.out->flush())
    return fromError(std::move(e));
  if (outputs.header) {
    outputs.header->os() << headerBytes;
    if (llvm::Error e = outputs.header->flush())
      return fromError(std::move(e));
  }
  std::optional<::dc::OutputLock> lock;
  if (outputs.out->kind() == ::dc::OutputFile::Kind::Replace) {
    llvm::Expected<::dc::OutputLock> l = ::dc::OutputLock::acquire(o.output);
    if (!l)
      return fromError(l.takeError());
    lock.emplace(std::move(*l));
  }
  ::dc::testPause("dc-compile-commit");
  if (llvm::Error e = outputs.out->commit())
    return fromError(std::move(e));
  ::dc::testPause("dc-compile-between-renames");
  if (outputs.header)
    if (llvm::Error e = outputs.header->commit())
      return fromError(std::move(e));
  return success();
}

} // namespace

LogicalResult mlir::dc::compile::linkLibrary(
    MLIRContext *context, const CompileOptions &o, const TargetSetup &target,
    StringRef code, ArrayRef<std::string> runtime,
    const Interface *headerInterface, int64_t workspaceBytes,
    Outputs &outputs) {
  // The build hash: of the code and of the header (with the hash field 0),
  // in the library as <prefix>_build_hash() and in the header as
  // <PREFIX>_BUILD_HASH, so a library and a header of different builds are
  // told apart. Deterministic: the same model and options, the same hash.
  uint64_t buildHash = 0;
  std::string headerBytes;
  if (outputs.header) {
    headerBytes = headerText(*headerInterface, workspaceBytes, o.prefix, 0);
    buildHash = llvm::xxh3_64bits(code) ^
                (llvm::xxh3_64bits(headerBytes) * 0x9e3779b97f4a7c15ULL);
    headerBytes =
        headerText(*headerInterface, workspaceBytes, o.prefix, buildHash);
  } else {
    buildHash = llvm::xxh3_64bits(code);
  }
  FailureOr<SmallString<0>> hashCode =
      buildHashObject(context, target, o.prefix, buildHash);
  if (failed(hashCode))
    return failure();

  // The linker works on private temporaries; the library reaches the
  // output only once it linked.
  Temporaries temporaries(context);
  FailureOr<std::string> objectPath = temporaries.create("o", code);
  if (failed(objectPath))
    return failure();
  FailureOr<std::string> hashPath = temporaries.create("o", *hashCode);
  if (failed(hashPath))
    return failure();
  FailureOr<std::string> libraryPath = temporaries.create("so");
  if (failed(libraryPath))
    return failure();
  SmallVector<std::string> objects = {*objectPath, *hashPath};
  objects.append(runtime.begin(), runtime.end());
  if (failed(runLinker(context, o, target, *libraryPath, objects)))
    return failure();
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> library =
      llvm::MemoryBuffer::getFile(*libraryPath, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!library)
    return fail(context, "cannot read the linked library: " +
                             library.getError().message());
  return commitOutputs(context, o, (*library)->getBuffer(), headerBytes,
                       outputs);
}
