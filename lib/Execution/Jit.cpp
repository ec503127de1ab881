//===- Jit.cpp - Run functions of a module in process ---------------------===//

#include "dc/Execution/Jit.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace mlir::dc;

bool mlir::dc::isHostTensorType(Type t) {
  auto type = dyn_cast<RankedTensorType>(t);
  if (!type || !type.hasStaticShape())
    return false;
  Type e = type.getElementType();
  return e.isF32() || e.isF64() || e.isInteger(32) || e.isInteger(64);
}

HostTensor::HostTensor(RankedTensorType t) : type(t) {
  values.assign(t.getNumElements(), 0.0);
}

std::vector<char> HostTensor::bytes() const {
  size_t w = type.getElementTypeBitWidth() / 8;
  std::vector<char> out(values.size() * w);
  Type e = type.getElementType();
  for (size_t i = 0; i < values.size(); ++i) {
    char *d = out.data() + w * i;
    if (e.isF32()) {
      float f = float(values[i]);
      std::memcpy(d, &f, 4);
    } else if (e.isF64()) {
      std::memcpy(d, &values[i], 8);
    } else {
      int64_t v = int64_t(values[i]);
      std::memcpy(d, &v, w); // little-endian: the low bytes
    }
  }
  return out;
}

void HostTensor::setBytes(const char *data) {
  size_t w = type.getElementTypeBitWidth() / 8;
  Type e = type.getElementType();
  for (size_t i = 0; i < values.size(); ++i) {
    const char *d = data + w * i;
    if (e.isF32()) {
      float f;
      std::memcpy(&f, d, 4);
      values[i] = f;
    } else if (e.isF64()) {
      std::memcpy(&values[i], d, 8);
    } else if (e.isInteger(32)) {
      int32_t v;
      std::memcpy(&v, d, 4);
      values[i] = v;
    } else {
      int64_t v;
      std::memcpy(&v, d, 8);
      values[i] = double(v);
    }
  }
}

void HostTensor::prepare() {
  std::vector<char> raw = bytes();
  storage.assign(raw.size() + 64, 0);
  char *data = storage.data() +
               (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64) % 64;
  if (!raw.empty())
    std::memcpy(data, raw.data(), raw.size());
  int64_t rank = type.getRank();
  descriptor.assign(3 + 2 * rank, 0);
  std::memcpy(&descriptor[0], &data, sizeof(void *));
  std::memcpy(&descriptor[1], &data, sizeof(void *));
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    descriptor[3 + d] = type.getDimSize(d);
    descriptor[3 + rank + d] = stride;
    stride *= type.getDimSize(d);
  }
  descriptorPtr = descriptor.data();
}

void HostTensor::read() {
  char *data;
  std::memcpy(&data, &descriptor[1], sizeof(void *));
  setBytes(data);
}

/// Upstream's plain lowering: one-shot bufferization with identity layouts,
/// results as out-params, buffer deallocation, loops, LLVM.
static void addPlainLowering(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

static llvm::Error jitError(const Twine &message) {
  return llvm::createStringError(message);
}

llvm::Expected<std::unique_ptr<JitModule>>
JitModule::compile(ModuleOp module, ArrayRef<std::string> functions) {
  for (const std::string &name : functions) {
    auto f = module.lookupSymbol<func::FuncOp>(name);
    if (!f || f.isExternal())
      return jitError("no function @" + name + " with a body");
    for (Type t :
         llvm::concat<const Type>(f.getArgumentTypes(), f.getResultTypes()))
      if (!isHostTensorType(t))
        return jitError("@" + name +
                       " may only take and return static f32/f64/i32/i64 "
                       "tensors");
    f->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
  }
  // Argument attributes of dc's own (dc.param) mean nothing to LLVM, which
  // would warn about each of them.
  module.walk([](func::FuncOp f) {
    f.removeArgAttrsAttr();
    f.removeResAttrsAttr();
  });
  PassManager pm(module.getContext());
  addPlainLowering(pm);
  if (failed(pm.run(module)))
    return jitError("the module does not lower (see the diagnostics above)");
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  ExecutionEngineOptions options;
  auto transformer = makeOptimizingTransformer(0, 0, nullptr);
  options.transformer = transformer;
  // Copies bufferization inserts (pads, slices) call the runner utilities'
  // memrefCopy.
  SmallVector<StringRef, 1> libraries = {DC_MLIR_C_RUNNER_UTILS};
  options.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(module, options);
  if (!engine)
    return jitError("JIT: " + llvm::toString(engine.takeError()));
  auto jit = std::make_unique<JitModule>();
  jit->engine = std::move(*engine);
  return jit;
}

llvm::Error JitModule::call(StringRef name, std::vector<HostTensor> &inputs,
                            std::vector<HostTensor> &outputs) {
  SmallVector<void *> args;
  for (HostTensor &t : inputs) {
    t.prepare();
    args.push_back(&t.descriptorPtr);
  }
  for (HostTensor &t : outputs) {
    t.prepare();
    args.push_back(&t.descriptorPtr);
  }
  if (llvm::Error e =
          engine->invokePacked(("_mlir_ciface_" + name).str(), args))
    return jitError("JIT call of @" + name + ": " +
                   llvm::toString(std::move(e)));
  for (HostTensor &t : outputs)
    t.read();
  return llvm::Error::success();
}
