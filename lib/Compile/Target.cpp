//===- Target.cpp - The target machine of a compilation -------------------===//
//
// The LLVM target machine for --target, --mcpu and --mattr (the host's CPU
// and features by default on x86-64, generic + NEON on AArch64), checked
// before any work, and the vector width and register count dc-vectorize
// tiles for.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::compile;

namespace {

/// The default CPU and features, where the options leave them empty.
void defaultCpuAndFeatures(const CompileOptions &o, const llvm::Triple &triple,
                           std::string &cpu, std::string &features) {
  bool native =
      llvm::Triple(llvm::sys::getProcessTriple()).getArch() == triple.getArch();
  bool x86 = o.target == CompileTarget::X86_64;
  if (cpu.empty())
    cpu = native && x86 ? llvm::sys::getHostCPUName().str() : "generic";
  if (!features.empty())
    return;
  if (!x86) {
    features = "+neon,-outline-atomics";
  } else if (native && o.cpu.empty()) {
    SmallVector<std::string> list;
    for (auto &f : llvm::sys::getHostCPUFeatures())
      list.push_back((f.second ? "+" : "-") + f.first().str());
    llvm::sort(list);
    features = llvm::join(list, ",");
  }
}

/// Unknown CPUs and features would only be warned about by LLVM.
LogicalResult checkCpuAndFeatures(MLIRContext *context,
                                  const CompileOptions &o,
                                  const llvm::Target &target,
                                  const llvm::Triple &triple) {
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target.createMCSubtargetInfo(triple, "", ""));
  if (!o.cpu.empty() && !info->isCPUStringValid(o.cpu))
    return fail(context, "unknown --mcpu '" + o.cpu + "' for " + triple.str());
  for (StringRef feature : llvm::split(o.features, ',')) {
    feature = feature.trim();
    if (feature.empty())
      continue;
    if ((!feature.starts_with("+") && !feature.starts_with("-")) ||
        !llvm::any_of(info->getAllProcessorFeatures(),
                      [&](const llvm::SubtargetFeatureKV &kv) {
                        return feature.drop_front() == kv.Key;
                      }))
      return fail(context, "unknown --mattr feature '" + feature + "' for " +
                               triple.str() + " (use +name or -name)");
  }
  return success();
}

llvm::CodeGenOptLevel codeGenOptLevel(unsigned optLevel) {
  return optLevel == 0   ? llvm::CodeGenOptLevel::None
         : optLevel == 1 ? llvm::CodeGenOptLevel::Less
         : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                         : llvm::CodeGenOptLevel::Aggressive;
}

} // namespace

FailureOr<TargetSetup>
mlir::dc::compile::setUpTarget(MLIRContext *context, const CompileOptions &o) {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  TargetSetup setup;
  bool x86 = o.target == CompileTarget::X86_64;
  setup.triple = llvm::Triple(x86 ? "x86_64-unknown-linux-gnu"
                                  : "aarch64-unknown-linux-gnu");
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(setup.triple, lookupError);
  if (!target)
    return fail(context, "no LLVM target for " + setup.triple.str() + ": " +
                             lookupError);
  setup.cpu = o.cpu;
  setup.features = o.features;
  defaultCpuAndFeatures(o, setup.triple, setup.cpu, setup.features);
  if (failed(checkCpuAndFeatures(context, o, *target, setup.triple)))
    return failure();
  llvm::TargetOptions targetOptions;
  setup.machine.reset(target->createTargetMachine(
      setup.triple, setup.cpu, setup.features, targetOptions,
      llvm::Reloc::PIC_, std::nullopt, codeGenOptLevel(o.optLevel)));
  if (!setup.machine)
    return fail(context, "cannot create a target machine for " +
                             setup.triple.str() + " cpu '" + setup.cpu +
                             "' features '" + setup.features + "'");

  // dc-vectorize's vector width and register count (docs/Lowering.md).
  setup.vectorBits = 128;
  setup.vectorRegisters = x86 ? 16 : 32;
  const llvm::MCSubtargetInfo *info = setup.machine->getMCSubtargetInfo();
  if (x86) {
    if (info->checkFeatures("+avx512f")) {
      setup.vectorBits = 512;
      setup.vectorRegisters = 32;
    } else if (info->checkFeatures("+avx")) {
      setup.vectorBits = 256;
    }
  }
  if (!o.vectorizeDense)
    setup.vectorBits = 0;
  return setup;
}
