//===- Internal.h - The stages of compileModel ------------------*- C++ -*-===//
//
// compileModel (Compile.cpp) in stages, one file each: the target
// (Target.cpp), the lowering to the LLVM dialect (Lower.cpp), the C
// interface and header (Interface.cpp), the checks that a library links
// nothing but the run-time objects (Symbols.cpp), and the object code, build
// hash and link (Link.cpp). Every stage reports its errors as diagnostics
// (`fail`) and returns failure.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_COMPILE_INTERNAL_H
#define DC_LIB_COMPILE_INTERNAL_H

#include "dc/Compile/Compile.h"
#include "dc/Runtime/Decode.h"
#include "dc/Support/FileIO.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

#include <array>
#include <memory>
#include <optional>

namespace mlir::dc::compile {

/// Emits `message` as an error at an unknown location (the tool shows it
/// as its own: "dc-compile: error: ...") and returns failure.
LogicalResult fail(MLIRContext *context, const Twine &message);

//===-- Interface.cpp ------------------------------------------------------===//

/// The model's interface, read before lowering: f32 inputs and outputs of
/// static shapes (at least one of each).
struct Interface {
  SmallVector<SmallVector<int64_t>> inputs, outputs;
};

/// The signature of an exported function of a host step library.
struct Signature {
  std::string name;
  SmallVector<RankedTensorType> args, results;
};

FailureOr<Interface> readInterface(ModuleOp module);
FailureOr<SmallVector<Signature>> readSignatures(ModuleOp module,
                                                 ArrayRef<std::string> entries);

/// The CPUID bits (dcrt_check_cpu's table, include/dc/Runtime/Decode.h) of
/// the x86-64 features `info` (the target machine's CPU and features) has;
/// all zero for other targets.
std::array<uint32_t, DCRT_CPU_WORDS>
requiredCpuBits(const llvm::MCSubtargetInfo &info, const llvm::Triple &triple);

/// <prefix>_workspace_size, _init and _forward with plain pointers; every
/// other symbol becomes hidden.
LogicalResult addCInterface(MLIRContext *context, llvm::Module &m,
                            const Interface &iface, int64_t workspaceBytes,
                            StringRef prefix, ArrayRef<uint32_t> cpuBits);

/// For host step libraries: <prefix>_workspace_size and, per entry,
/// <prefix>_<name>(workspace, args, results) over pointer arrays; every
/// other symbol becomes hidden.
LogicalResult addHostInterface(MLIRContext *context, llvm::Module &m,
                               ArrayRef<Signature> sigs,
                               int64_t workspaceBytes, StringRef prefix);

/// Upstream passes create the globals of different functions in an order
/// that varies from run to run (one-shot bufferization visits independent
/// functions in pointer order), which would make the library's bytes vary.
/// Renames and reorders the internal globals by first use in function order.
void canonicalizeGlobals(llvm::Module &m);

/// The C header of a model library.
std::string headerText(const Interface &iface, int64_t workspaceBytes,
                       StringRef prefix, uint64_t buildHash);

//===-- Target.cpp ---------------------------------------------------------===//

/// The target machine and what the lowering needs to know of it.
struct TargetSetup {
  llvm::Triple triple;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::string cpu, features;
  /// dc-vectorize's vector width (0: scalar loops) and register count.
  unsigned vectorBits = 128, vectorRegisters = 16;
};

FailureOr<TargetSetup> setUpTarget(MLIRContext *context,
                                   const CompileOptions &options);

//===-- Lower.cpp ----------------------------------------------------------===//

/// dc-lower-to-llvm with the options `options` and `target` imply; then
/// every op left outside the LLVM dialect is reported.
LogicalResult lowerToLLVM(ModuleOp module, const CompileOptions &options,
                          const TargetSetup &target);

//===-- Symbols.cpp --------------------------------------------------------===//

/// The run-time objects a library of `options` links, and the symbols they
/// define; a model library's generated code may call nothing else.
struct RuntimeObjects {
  SmallVector<std::string> paths;
  llvm::StringSet<> defined;
};

FailureOr<RuntimeObjects> findRuntimeObjects(ModuleOp module,
                                             const CompileOptions &options);

/// Calls LLVM introduced while lowering intrinsics (no MLIR location exists
/// for them) must reach a run-time object too.
LogicalResult checkObjectImports(MLIRContext *context, StringRef code,
                                 const llvm::StringSet<> &defined);

//===-- Link.cpp -----------------------------------------------------------===//

/// LLVM's default pipeline at `optLevel` (without the SLP vectorizer).
void optimize(llvm::Module &m, llvm::TargetMachine &machine,
              unsigned optLevel);

/// Machine code (an object or assembly) of `m`.
FailureOr<SmallString<0>> emitCode(MLIRContext *context, llvm::Module &m,
                                   llvm::TargetMachine &machine,
                                   llvm::CodeGenFileType type);

/// The outputs of a compilation, opened before any work
/// (dc/Support/FileIO.h): nothing is visible until they are committed.
struct Outputs {
  std::optional<::dc::OutputFile> out, header;
  /// Writes `bytes` to the output and commits it.
  LogicalResult write(MLIRContext *context, StringRef bytes);
};

/// Links `code` with the run-time objects into a shared library, writes it
/// (and, for a model with a header, the header with the build hash) and
/// commits both.
LogicalResult linkLibrary(MLIRContext *context, const CompileOptions &options,
                          const TargetSetup &target, StringRef code,
                          ArrayRef<std::string> runtime,
                          const Interface *headerInterface,
                          int64_t workspaceBytes, Outputs &outputs);

} // namespace mlir::dc::compile

#endif // DC_LIB_COMPILE_INTERNAL_H
