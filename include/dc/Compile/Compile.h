//===- Compile.h - Ahead-of-time compilation of compressed models -*- C++
//-*-===//
//
// The driver behind dc-compile: a model (compressed, or compressed here) to
// MLIR, LLVM IR, assembly, an object or a self-contained shared library with
// a C header, for x86-64 or AArch64.
//
//===----------------------------------------------------------------------===//

#ifndef DC_COMPILE_COMPILE_H
#define DC_COMPILE_COMPILE_H

#include "dc/Conversion/Passes.h"
#include "dc/Support/OptionValues.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace mlir::dc {

/// The targets dc-compile generates code for.
enum class CompileTarget { X86_64, AArch64 };

/// What compileModel writes.
enum class EmitKind { Mlir, Llvm, Asm, Obj, So };

/// The one list of the targets' and emit kinds' names and descriptions
/// (dc-compile's --target and --emit read them through optionValues).
inline constexpr OptionValue<CompileTarget> kCompileTargetValues[] = {
    {CompileTarget::X86_64, "x86_64", "x86-64 (default)"},
    {CompileTarget::AArch64, "aarch64", "AArch64 (Linux)"},
};
inline constexpr OptionValue<EmitKind> kEmitKindValues[] = {
    {EmitKind::Mlir, "mlir", "the LLVM dialect module"},
    {EmitKind::Llvm, "llvm", "LLVM IR"},
    {EmitKind::Asm, "asm", "assembly"},
    {EmitKind::Obj, "obj", "an object file"},
    {EmitKind::So, "so",
     "a self-contained shared library and its C header (default)"},
};

/// "x86_64" or "aarch64" (the triple's architecture name).
inline StringRef stringifyCompileTarget(CompileTarget target) {
  return stringifyOption(kCompileTargetValues, target);
}

/// The target of the machine this runs on, if dc supports it.
std::optional<CompileTarget> hostCompileTarget();

struct CompileOptions {
  /// What is built. Model: a self-contained library (no libc, `nm -u`
  /// empty) with <prefix>_init and <prefix>_forward(workspace, input,
  /// output) and a C header. HostStep: a library for this host only,
  /// linked against OpenBLAS, libm and libc, that dc-train loads: for each
  /// of `entries`, <prefix>_<entry>(workspace, args, results), where args and
  /// results are arrays of pointers to dense row-major tensors in the
  /// function's argument and result order; contractions call the host BLAS
  /// (dc-lower-to-llvm{host-blas}). No header.
  enum class Kind { Model, HostStep } kind = Kind::Model;
  /// HostStep: the functions to export (e.g. train_step, forward).
  std::vector<std::string> entries;
  CompileTarget target = CompileTarget::X86_64;
  /// CPU and features; empty = the host's on x86-64, generic + NEON on
  /// AArch64.
  std::string cpu, features;
  EmitKind emit = EmitKind::So;
  /// 0..3.
  unsigned optLevel = 2;
  /// When set, runs on the model after the outputs are prepared and before
  /// the lowering (dc-compile: the passes of --dc-compress); a failure has
  /// been reported by it.
  std::function<LogicalResult(ModuleOp)> beforeLowering;
  /// Symbol prefix of the C API (<prefix>_init, ...).
  std::string prefix = "model";
  /// Output path ("-" = stdout), written as dc/Support/FileIO.h says.
  std::string output;
  /// For emit=so: the header's path ("none": no header). Default: <stem>.h
  /// next to a library written to a file; none when the library goes to a
  /// character device or FIFO.
  std::optional<std::string> header;
  /// Folder with <target>/Decode.o and Mem.o (the run-time objects), and
  /// host/HostBlas.o for HostStep.
  std::string runtimeDir;
  /// The linker (ld.lld).
  std::string linker = "ld.lld-22";
  /// dc-lower-to-llvm's options (docs/Lowering.md): the sparse loops'
  /// vector length (0: scalar), whether float reductions may be
  /// reassociated (needed to vectorise them), and where payloads are
  /// decoded (Init: @dc_init at run time; Compile: the library embeds the
  /// run-time layout).
  int vectorLength = 0;
  bool reassociateFPReductions = false;
  DecodeAt decodeAt = DecodeAt::Init;
  /// Dense linalg ops as register-tiled vector loops for the target's
  /// vector width (dc-relayout-constants, dc-vectorize); false: scalar
  /// loops (the reference the tests compare against).
  bool vectorizeDense = true;
  /// How 2-D CSR fully connected layers are computed; Auto: per layer by
  /// the cost model (Rows when not vectorising).
  FcKernel fcKernel = FcKernel::Auto;
  /// How pruned convolutions are computed; Auto: Rows (stride-1 NCHW;
  /// Indices for the others) when the dense layers are vectorised, else
  /// Sparsifier.
  ConvKernel convKernel = ConvKernel::Auto;
};

/// Compiles `module` (consumed) per `options` and writes the output(s):
/// resolved before any work, the library committed before the header,
/// nothing left behind on an error. Errors are reported as diagnostics on the
/// module and in `error`.
/// Compiles `module` as `options` say. Errors are emitted as diagnostics:
/// located at the op where one is to blame, else at an unknown location
/// (a tool shows those as its own errors: ToolErrorDiagnostics in
/// dc/Tools/ToolSupport.h). Nothing is written on a failure.
LogicalResult compileModel(ModuleOp module, const CompileOptions &options);

/// compileModel for callers that report errors as text (dc-train's step
/// library, dc-run's host engine): its unlocated errors become the message
/// of the returned error; located ones reach the context's handlers as
/// usual.
llvm::Error compileModelOrError(ModuleOp module, const CompileOptions &options);

} // namespace mlir::dc

#endif // DC_COMPILE_COMPILE_H
