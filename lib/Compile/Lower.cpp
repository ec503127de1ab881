//===- Lower.cpp - A model to the LLVM dialect -----------------------------===//
//
// dc-lower-to-llvm (lib/Pipelines) with the options the compile options and
// the target imply; whatever is left outside the LLVM dialect afterwards is
// an operation the lowering does not handle, reported at its location.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "dc/Pipelines/Pipelines.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::compile;

namespace {

/// dc-lower-to-llvm's options (docs/Lowering.md) for `o` on `target`.
void setLoweringOptions(const CompileOptions &o, const TargetSetup &target,
                        LowerToLLVMOptions &lower) {
  bool host = o.kind == CompileOptions::Kind::HostStep;
  unsigned vectorBits = target.vectorBits;
  lower.vectorLength = o.vectorLength;
  lower.reassociateFPReductions = o.reassociateFPReductions;
  lower.decodeAt = o.decodeAt;
  lower.denseVectorBits = host ? 0 : vectorBits;
  lower.fcKernel = host                            ? FcKernel::Sparsifier
                   : o.fcKernel != FcKernel::Auto ? o.fcKernel
                   : vectorBits > 0               ? FcKernel::Auto
                                                  : FcKernel::Rows;
  lower.avx512Permute =
      !host && o.target == CompileTarget::X86_64 && vectorBits >= 512;
  lower.convKernel = host                              ? ConvKernel::Sparsifier
                     : o.convKernel != ConvKernel::Auto ? o.convKernel
                     : vectorBits > 0                   ? ConvKernel::Rows
                                                        : ConvKernel::Sparsifier;
  lower.vectorRegisters = target.vectorRegisters;
  if (host) {
    lower.hostBlas = true;
    lower.entry = llvm::join(o.entries, ",");
  }
}

/// The first op outside the LLVM dialect; casts and bufferization ops are
/// artefacts around such an op, reported only when nothing else is left.
Operation *firstUnsupported(ModuleOp module) {
  Operation *unsupported = nullptr, *artefact = nullptr;
  module.walk([&](Operation *op) {
    if (op == module.getOperation() || isa<LLVM::LLVMDialect>(op->getDialect()))
      return WalkResult::advance();
    if (isa<UnrealizedConversionCastOp>(op) ||
        op->getDialect()->getNamespace() == "bufferization") {
      if (!artefact)
        artefact = op;
      return WalkResult::advance();
    }
    unsupported = op;
    return WalkResult::interrupt();
  });
  return unsupported ? unsupported : artefact;
}

} // namespace

LogicalResult mlir::dc::compile::lowerToLLVM(ModuleOp module,
                                             const CompileOptions &o,
                                             const TargetSetup &target) {
  MLIRContext *context = module.getContext();
  PassManager pm(context);
  LowerToLLVMOptions lower;
  setLoweringOptions(o, target, lower);
  buildLowerToLLVMPipeline(pm, lower);
  if (failed(pm.run(module)))
    return fail(context, "lowering failed (see the diagnostics above)");
  if (Operation *unsupported = firstUnsupported(module)) {
    unsupported->emitError()
        << "dc-compile cannot lower '" << unsupported->getName()
        << "' (lower it to linalg first)";
    return fail(context, "unsupported operation '" +
                             unsupported->getName().getStringRef() + "'");
  }
  return success();
}
