//===- Step.cpp - dc-train's compiled step, and its parameters ------------===//

#include "dc/Train/Step.h"
#include "dc/Autodiff/Passes.h"
#include "dc/Codegen/Passes.h"
#include "dc/Compile/Compile.h"
#include "dc/Dialect/DC/Analysis/Weights.h"
#include "dc/Dialect/DC/Transforms/Compression.h"
#include "dc/Dialect/DC/Transforms/Passes.h"
#include "dc/Support/FileIO.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <chrono>

using namespace mlir;
using namespace mlir::dc;

/// The cache folder: the option, $DC_CACHE_DIR, $XDG_CACHE_HOME/dc or
/// ~/.cache/dc.
static std::string cacheFolder(const StepOptions &o) {
  if (!o.cacheDir.empty())
    return o.cacheDir;
  if (std::optional<std::string> dir =
          llvm::sys::Process::GetEnv("DC_CACHE_DIR"))
    return *dir;
  SmallString<256> path;
  if (std::optional<std::string> xdg =
          llvm::sys::Process::GetEnv("XDG_CACHE_HOME")) {
    path = *xdg;
  } else if (llvm::sys::path::home_directory(path)) {
    llvm::sys::path::append(path, ".cache");
  } else {
    return "";
  }
  llvm::sys::path::append(path, "dc");
  return path.str().str();
}

/// A cache entry's record, next to it as <entry>.sum: its size and the
/// xxh3 hash of its bytes, written after the library (both by temporary
/// and rename), so a library without a matching record is never loaded.
static std::string cacheRecord(uint64_t size, uint64_t hash) {
  return "dc-step-library 1\nsize " + std::to_string(size) + "\nxxh3 " +
         llvm::utohexstr(hash, /*LowerCase=*/true, 16) + "\n";
}

/// "" when the library at `path` matches its record, else why not.
static llvm::Error stepError(const llvm::Twine &message) {
  return llvm::createStringError(message);
}

static std::string verifyCacheEntry(StringRef path) {
  auto record = llvm::MemoryBuffer::getFile(path + ".sum", /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!record)
    return "no record of its size and hash (" + record.getError().message() +
           ")";
  auto library = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false,
                                             /*IsVolatile=*/true);
  if (!library)
    return "cannot read it: " + library.getError().message();
  StringRef bytes = (*library)->getBuffer();
  std::string expected = cacheRecord(bytes.size(), llvm::xxh3_64bits(bytes));
  if ((*record)->getBuffer() == expected)
    return "";
  // Say which: the size (a truncated or emptied file) or the bytes.
  StringRef got = (*record)->getBuffer();
  size_t sizeAt = got.find("\nsize ");
  if (sizeAt != StringRef::npos) {
    StringRef size =
        got.drop_front(sizeAt + 6).take_until([](char c) { return c == '\n'; });
    if (size != std::to_string(bytes.size()))
      return "it has " + std::to_string(bytes.size()) +
             " bytes, its record says " + size.str();
  }
  return "its bytes do not match its record";
}

/// Writes the record of the library just built at `path`.
static llvm::Error recordCacheEntry(StringRef path) {
  auto library = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false,
                                             /*IsVolatile=*/true);
  if (!library)
    return stepError("cannot read the step library '" + path +
                     "' just built: " + library.getError().message());
  StringRef bytes = (*library)->getBuffer();
  llvm::Expected<::dc::OutputFile> out =
      ::dc::OutputFile::create(path.str() + ".sum");
  if (!out)
    return out.takeError();
  out->os() << cacheRecord(bytes.size(), llvm::xxh3_64bits(bytes));
  return out->commit();
}

llvm::Expected<StepLibraryInfo>
mlir::dc::buildStepLibrary(ModuleOp model, const StepOptions &o) {
  auto start = std::chrono::steady_clock::now();
  OwningOpRef<ModuleOp> step = model.clone();
  PassManager pm(model.getContext());
  DCRebatchOptions rebatch;
  rebatch.batch = o.batch;
  pm.addPass(createDCRebatch(rebatch));
  pm.addNestedPass<func::FuncOp>(createDCConvToIm2col());
  DCDifferentiateOptions differentiate;
  differentiate.loss =
      o.distill ? LossOption::Distillation : LossOption::CrossEntropy;
  if (o.distill) {
    differentiate.temperature = o.temperature;
    differentiate.alpha = o.alpha;
  }
  pm.addPass(createDCDifferentiate(differentiate));
  if (failed(pm.run(*step)))
    return stepError(
        "cannot derive the training step (see the diagnostics above)");
  // The values come from dc-train's arena, not from the library.
  for (std::string name :
       {std::string("train_loss"), paramsFunctionName("forward")})
    if (auto f = step->lookupSymbol<func::FuncOp>(name))
      f.erase();

  // The key: the step's IR (masks and indices included, parameter values
  // not), the options, the host CPU and the run-time objects.
  std::string key;
  {
    llvm::raw_string_ostream os(key);
    step->print(os);
    os << "\nbatch=" << o.batch << " cpu=" << llvm::sys::getHostCPUName();
    // The compiler that lowers the step: another build of dc-train lowers
    // the same IR differently, so its libraries are not reused.
    std::string self = llvm::sys::fs::getMainExecutable(
        nullptr, reinterpret_cast<void *>(&buildStepLibrary));
    llvm::sys::fs::file_status status;
    if (!self.empty() && !llvm::sys::fs::status(self, status))
      os << " compiler=" << status.getSize() << "@"
         << status.getLastModificationTime().time_since_epoch().count();
    for (auto &f : llvm::sys::getHostCPUFeatures())
      os << (f.second ? " +" : " -") << f.first();
    for (StringRef object : {"x86_64/Decode.o", "host/HostBlas.o"}) {
      SmallString<256> path(o.runtimeDir);
      llvm::sys::path::append(path, object);
      auto buffer = llvm::MemoryBuffer::getFile(path);
      if (!buffer)
        return stepError("missing run-time object '" + path.str() +
                         "' (see --runtime-dir)");
      os << "\n" << object << ":" << llvm::xxh3_64bits((*buffer)->getBuffer());
    }
  }
  std::string folder = cacheFolder(o);
  if (folder.empty())
    return stepError("no cache folder for the step library (set DC_CACHE_DIR)");
  if (std::error_code ec = llvm::sys::fs::create_directories(folder))
    return stepError("cannot create the cache folder '" + folder +
                     "': " + ec.message());
  StepLibraryInfo info;
  SmallString<256> path(folder);
  llvm::sys::path::append(path, std::string(kStepPrefix) + "-" +
                                    llvm::utohexstr(llvm::xxh3_64bits(key),
                                                    /*LowerCase=*/true, 16) +
                                    ".so");
  info.path = path.str().str();
  // A cached library is loaded only when it matches its record: a
  // truncated or emptied entry would fail dlopen, or crash it (SIGBUS on
  // the missing pages). Such an entry is built again.
  if (llvm::sys::fs::exists(info.path)) {
    std::string why = verifyCacheEntry(info.path);
    if (why.empty()) {
      info.cached = true;
      return info;
    }
    llvm::errs() << "dc-train: warning: the cached step library '" << info.path
                 << "' is damaged (" << why << "); building it again\n";
  }
  CompileOptions c;
  c.kind = CompileOptions::Kind::HostStep;
  c.entries = {kStepEntry.str(), kForwardEntry.str()};
  c.target = hostCompileTarget().value_or(CompileTarget::X86_64);
  c.prefix = kStepPrefix.str();
  c.output = info.path;
  c.header = "none";
  c.runtimeDir = o.runtimeDir;
  c.linker = o.linker;
  if (llvm::Error e = compileModelOrError(*step, c))
    return std::move(e);
  if (llvm::Error e = recordCacheEntry(info.path))
    return std::move(e);
  info.compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return info;
}

/// @forward and the constants @forward.params returns.
static llvm::Error parameterConstants(ModuleOp model, func::FuncOp &forward,
                                      SmallVector<arith::ConstantOp> &out) {
  forward = model.lookupSymbol<func::FuncOp>("forward");
  auto holder = model.lookupSymbol<func::FuncOp>(paramsFunctionName("forward"));
  if (!forward || !holder || holder.isExternal())
    return stepError("@forward is not parametrized (no @forward.params)");
  auto ret = cast<func::ReturnOp>(holder.getBody().front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto c = v.getDefiningOp<arith::ConstantOp>();
    if (!c || i >= forward.getNumArguments() ||
        !forward.getArgAttr(i, kParamAttrName) ||
        !cast<ShapedType>(c.getType()).getElementType().isF32())
      return stepError("@forward.params result " + std::to_string(i) +
                       " is not an f32 constant of a dc.param argument");
    out.push_back(c);
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<ParameterValue>>
mlir::dc::readParameters(ModuleOp model) {
  func::FuncOp forward;
  SmallVector<arith::ConstantOp> constants;
  if (llvm::Error e = parameterConstants(model, forward, constants))
    return std::move(e);
  std::vector<ParameterValue> result;
  for (auto [i, c] : llvm::enumerate(constants)) {
    ParameterValue p;
    p.name = forward.getArgAttrOfType<StringAttr>(i, kParamAttrName).str();
    if (auto kind = forward.getArgAttrOfType<StringAttr>(i, kParamKindAttrName))
      p.kind = kind.str();
    auto type = cast<RankedTensorType>(c.getType());
    p.shape.assign(type.getShape().begin(), type.getShape().end());
    std::vector<float> storage;
    FailureOr<ArrayRef<float>> values = getWeightValues(c, storage);
    if (failed(values))
      return stepError("cannot read the values of parameter '" + p.name + "'");
    p.values.assign(values->begin(), values->end());
    result.push_back(std::move(p));
  }
  return result;
}

llvm::Error mlir::dc::writeParameters(ModuleOp model,
                                      ArrayRef<std::vector<float>> values) {
  func::FuncOp forward;
  SmallVector<arith::ConstantOp> constants;
  if (llvm::Error e = parameterConstants(model, forward, constants))
    return e;
  if (values.size() != constants.size())
    return stepError("expected " + std::to_string(constants.size()) +
                     " parameters");
  for (auto [c, v] : llvm::zip(constants, values)) {
    auto type = cast<RankedTensorType>(c.getType());
    if (size_t(type.getNumElements()) != v.size())
      return stepError("a parameter has the wrong number of values");
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(c.getValue())) {
      // The same key: the blob entry gets the new bytes.
      resource.getRawHandle().getResource()->setBlob(
          HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(v)));
    } else {
      c.setValueAttr(DenseElementsAttr::get(type, ArrayRef<float>(v)));
    }
  }
  return llvm::Error::success();
}
