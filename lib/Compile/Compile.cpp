//===- Compile.cpp - Ahead-of-time compilation of compressed models -------===//
//
// parse -> (dc-compress) -> dc-lower-to-llvm -> LLVM IR with the C API
// wrappers -> optimise -> object (in-process TargetMachine) -> ld.lld.
//
//===----------------------------------------------------------------------===//

#include "dc/Compile/Compile.h"
#include "dc/Dialect/DC/IR/DCOps.h"
#include "dc/Pipelines/Pipelines.h"
#include "dc/Runtime/Decode.h"
#include "dc/Support/FileIO.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/xxhash.h"
#include "dc/Support/TestHooks.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::dc;

namespace {

/// The model's interface, read before lowering: f32 inputs and outputs of
/// static shapes (at least one of each).
struct Interface {
  SmallVector<SmallVector<int64_t>> inputs, outputs;
};

FailureOr<Interface> readInterface(ModuleOp module, std::string &error) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal()) {
    error = "the model has no func.func @forward with a body";
    return failure();
  }
  Interface iface;
  bool ok = forward.getNumArguments() >= 1 && forward.getNumResults() >= 1;
  for (auto [types, shapes] :
       {std::make_pair(forward.getArgumentTypes(), &iface.inputs),
        std::make_pair(forward.getResultTypes(), &iface.outputs)})
    for (Type t : types) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      ok = ok && tensor && tensor.hasStaticShape() &&
           tensor.getElementType().isF32();
      if (tensor)
        shapes->emplace_back(tensor.getShape());
    }
  if (!ok) {
    std::string type;
    llvm::raw_string_ostream os(type);
    os << forward.getFunctionType();
    error = "@forward must take and return f32 tensors of static shape, at "
            "least one of each (got " +
            type + ")";
    return failure();
  }
  return iface;
}

/// The signature of an exported function of a host step library.
struct Signature {
  std::string name;
  SmallVector<RankedTensorType> args, results;
};

FailureOr<SmallVector<Signature>>
readSignatures(ModuleOp module, ArrayRef<std::string> entries,
               std::string &error) {
  SmallVector<Signature> result;
  if (entries.empty()) {
    error = "a host step library needs at least one entry function";
    return failure();
  }
  for (const std::string &name : entries) {
    auto f = module.lookupSymbol<func::FuncOp>(name);
    if (!f || f.isExternal()) {
      error = "no func.func @" + name + " with a body";
      return failure();
    }
    Signature sig{name, {}, {}};
    auto add = [&](TypeRange types, SmallVector<RankedTensorType> &into) {
      for (Type t : types) {
        auto tensor = dyn_cast<RankedTensorType>(t);
        if (!tensor || !tensor.hasStaticShape() ||
            !tensor.getElementType().isIntOrFloat())
          return false;
        into.push_back(tensor);
      }
      return true;
    };
    if (!add(f.getArgumentTypes(), sig.args) ||
        !add(f.getResultTypes(), sig.results)) {
      std::string type;
      llvm::raw_string_ostream os(type);
      os << f.getFunctionType();
      error = "@" + name +
              " must take and return tensors of static shape (got " + type +
              ")";
      return failure();
    }
    result.push_back(std::move(sig));
  }
  return result;
}

/// Pushes the expanded arguments of a memref of `shape` over `ptr`
/// (allocated, aligned, offset, sizes, strides).
void pushMemref(llvm::IRBuilder<> &b, llvm::Value *ptr, ArrayRef<int64_t> shape,
                SmallVectorImpl<llvm::Value *> &args) {
  args.push_back(ptr);
  args.push_back(ptr);
  args.push_back(b.getInt64(0));
  for (int64_t d : shape)
    args.push_back(b.getInt64(d));
  int64_t stride = 1;
  SmallVector<int64_t> strides(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  for (int64_t s : strides)
    args.push_back(b.getInt64(s));
}

/// Defines the exported functions of a library's C API, then hides every
/// other function and global.
/// The codes the generated API returns: the run-time contract's
/// (include/dc/Runtime/Decode.h) and -1, the header's <PREFIX>_ERR_*
/// macros and <prefix>_strerror's messages.
struct ErrorCode {
  const char *name;
  int code;
  const char *message;
};
constexpr ErrorCode kErrorCodes[] = {
    {"OK", DCRT_OK, "success"},
    {"ALIGNMENT", -1, "the workspace is not 64-byte aligned"},
    {"PARAMS", DCRT_ERR_PARAMS, "a layer's parameters are out of range"},
    {"STREAM", DCRT_ERR_STREAM, "a stream is short, too long or padded"},
    {"CODE", DCRT_ERR_CODE, "a bit sequence matches no Huffman code"},
    {"DATA", DCRT_ERR_DATA,
     "an index, row pointer or position is out of range"},
    {"OUTPUT", DCRT_ERR_OUTPUT, "a workspace buffer is too small"},
    {"TABLE", DCRT_ERR_TABLE, "a Huffman code-length table is invalid"},
    {"CPU", DCRT_ERR_CPU,
     "this CPU lacks an instruction set extension the library was compiled "
     "for (dc-compile's --mcpu and --mattr choose them)"},
};

/// The CPUID bits (dcrt_check_cpu's table, include/dc/Runtime/Decode.h) of
/// the x86-64 features `info` (the target machine's CPU and features) has;
/// all zero for other targets.
std::array<uint32_t, DCRT_CPU_WORDS>
requiredCpuBits(const llvm::MCSubtargetInfo &info, const llvm::Triple &triple) {
  std::array<uint32_t, DCRT_CPU_WORDS> words{};
  if (triple.getArch() != llvm::Triple::x86_64)
    return words;
  auto has = [&](StringRef name) {
    return info.checkFeatures(("+" + name).str());
  };
#define DC_REQUIRE(name, word, bit)                                            \
  if (has(name))                                                               \
    words[word] |= 1u << (bit);
  DCRT_X86_FEATURES(DC_REQUIRE)
#undef DC_REQUIRE
  if (has("avx"))
    words[DCRT_CPU_XCR0] |= DCRT_XCR0_AVX;
  if (has("avx512f"))
    words[DCRT_CPU_XCR0] |= DCRT_XCR0_AVX512;
  return words;
}

struct ApiBuilder {
  ApiBuilder(llvm::Module &m, StringRef prefix)
      : m(m), b(m.getContext()), prefix(prefix) {}

  /// An external <prefix>_<name>, with the builder at its entry.
  llvm::Function *define(StringRef name, llvm::Type *ret,
                         ArrayRef<llvm::Type *> params) {
    auto *fn = llvm::Function::Create(
        llvm::FunctionType::get(ret, params, false),
        llvm::GlobalValue::ExternalLinkage, (prefix + "_" + name).str(), &m);
    b.SetInsertPoint(llvm::BasicBlock::Create(m.getContext(), "entry", fn));
    api.push_back(fn);
    return fn;
  }

  void hideTheRest() {
    for (llvm::Function &fn : m)
      if (!fn.isDeclaration() && !llvm::is_contained(api, &fn))
        fn.setLinkage(llvm::GlobalValue::InternalLinkage);
    for (llvm::GlobalVariable &g : m.globals())
      if (!g.isDeclaration())
        g.setLinkage(llvm::GlobalValue::InternalLinkage);
  }

  llvm::Module &m;
  llvm::IRBuilder<> b;
  StringRef prefix;
  SmallVector<llvm::Function *> api;
};

/// <prefix>_workspace_size, _init and _forward with plain pointers; every
/// other symbol becomes hidden.
LogicalResult addCInterface(llvm::Module &m, const Interface &iface,
                            int64_t workspaceBytes, StringRef prefix,
                            ArrayRef<uint32_t> cpuBits, std::string &error) {
  llvm::Function *forward = m.getFunction("forward");
  llvm::Function *init = m.getFunction(DCDialect::kInitFunctionName);
  if (!forward) {
    error = "internal error: @forward did not survive lowering";
    return failure();
  }
  llvm::LLVMContext &ctx = m.getContext();
  ApiBuilder builder(m, prefix);
  llvm::IRBuilder<> &b = builder.b;
  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto *i32 = b.getInt32Ty();
  auto *i64 = b.getInt64Ty();
  auto define = [&](StringRef name, llvm::Type *ret,
                    ArrayRef<llvm::Type *> params) {
    return builder.define(name, ret, params);
  };
  // A workspace must be 64-byte aligned (generated code assumes it).
  auto checkAligned = [&](llvm::Function *fn, llvm::Value *ws) {
    llvm::Value *low = b.CreateAnd(b.CreatePtrToInt(ws, i64), 63);
    auto *bad = llvm::BasicBlock::Create(ctx, "misaligned", fn);
    auto *good = llvm::BasicBlock::Create(ctx, "aligned", fn);
    b.CreateCondBr(b.CreateICmpNE(low, b.getInt64(0)), bad, good);
    b.SetInsertPoint(bad);
    b.CreateRet(b.getInt32(-1));
    b.SetInsertPoint(good);
  };

  define("workspace_size", i64, {});
  b.CreateRet(b.getInt64(workspaceBytes));

  // strerror(code): a switch over kErrorCodes' messages.
  llvm::Function *strerrorFn = define("strerror", ptr, {i32});
  auto *unknown = llvm::BasicBlock::Create(ctx, "unknown", strerrorFn);
  llvm::SwitchInst *cases =
      b.CreateSwitch(strerrorFn->getArg(0), unknown, std::size(kErrorCodes));
  for (const ErrorCode &e : kErrorCodes) {
    auto *bb = llvm::BasicBlock::Create(ctx, e.name, strerrorFn);
    cases->addCase(b.getInt32(e.code), bb);
    b.SetInsertPoint(bb);
    b.CreateRet(b.CreateGlobalString(e.message, "__dc_error_message"));
  }
  b.SetInsertPoint(unknown);
  b.CreateRet(b.CreateGlobalString("unknown error code", "__dc_error_message"));

  llvm::Function *initFn = define("init", i32, {ptr});
  checkAligned(initFn, initFn->getArg(0));
  // The CPU first: code for AVX2 or AVX-512 would die with SIGILL on an
  // older one; init says so instead (forward is only called after it).
  if (llvm::any_of(cpuBits, [](uint32_t w) { return w != 0; })) {
    auto *table = new llvm::GlobalVariable(
        m, llvm::ArrayType::get(i32, cpuBits.size()), /*isConstant=*/true,
        llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantDataArray::get(ctx, cpuBits), "__dc_cpu_required");
    llvm::FunctionCallee check = m.getOrInsertFunction(
        "dcrt_check_cpu", llvm::FunctionType::get(i32, {ptr}, false));
    llvm::Value *rc = b.CreateCall(check, {table});
    auto *bad = llvm::BasicBlock::Create(ctx, "cpu_missing", initFn);
    auto *good = llvm::BasicBlock::Create(ctx, "cpu_ok", initFn);
    b.CreateCondBr(b.CreateICmpNE(rc, b.getInt32(0)), bad, good);
    b.SetInsertPoint(bad);
    b.CreateRet(rc);
    b.SetInsertPoint(good);
  }
  if (init) {
    SmallVector<llvm::Value *> args;
    pushMemref(b, initFn->getArg(0), {workspaceBytes}, args);
    b.CreateRet(b.CreateCall(init, args));
  } else {
    b.CreateRet(b.getInt32(0));
  }

  // forward(workspace, inputs..., outputs...).
  size_t nIn = iface.inputs.size(), nOut = iface.outputs.size();
  SmallVector<llvm::Type *> params(1 + nIn + nOut, ptr);
  llvm::Function *fwdFn = define("forward", i32, params);
  checkAligned(fwdFn, fwdFn->getArg(0));
  SmallVector<llvm::Value *> args;
  for (auto [i, shape] : llvm::enumerate(iface.inputs))
    pushMemref(b, fwdFn->getArg(1 + i), shape, args);
  for (auto [i, shape] : llvm::enumerate(iface.outputs))
    pushMemref(b, fwdFn->getArg(1 + nIn + i), shape, args);
  pushMemref(b, fwdFn->getArg(0), {workspaceBytes}, args);
  if (args.size() != forward->arg_size()) {
    error = "internal error: @forward's lowered signature does not match "
            "(inputs, outputs, workspace)";
    return failure();
  }
  b.CreateCall(forward, args);
  b.CreateRet(b.getInt32(0));
  builder.hideTheRest();
  return success();
}

/// For host step libraries: <prefix>_workspace_size and, per entry,
/// <prefix>_<name>(workspace, args, results) over pointer arrays; every
/// other symbol becomes hidden.
LogicalResult addHostInterface(llvm::Module &m, ArrayRef<Signature> sigs,
                               int64_t workspaceBytes, StringRef prefix,
                               std::string &error) {
  ApiBuilder builder(m, prefix);
  llvm::IRBuilder<> &b = builder.b;
  auto *ptr = llvm::PointerType::get(m.getContext(), 0);
  builder.define("workspace_size", b.getInt64Ty(), {});
  b.CreateRet(b.getInt64(workspaceBytes));
  for (const Signature &sig : sigs) {
    llvm::Function *inner = m.getFunction(sig.name);
    if (!inner) {
      error = "internal error: @" + sig.name + " did not survive lowering";
      return failure();
    }
    llvm::Function *fn =
        builder.define(sig.name, b.getInt32Ty(), {ptr, ptr, ptr});
    SmallVector<llvm::Value *> args;
    auto load = [&](llvm::Value *array, unsigned i) {
      return b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, array, i));
    };
    for (auto [i, t] : llvm::enumerate(sig.args))
      pushMemref(b, load(fn->getArg(1), i), t.getShape(), args);
    for (auto [i, t] : llvm::enumerate(sig.results))
      pushMemref(b, load(fn->getArg(2), i), t.getShape(), args);
    pushMemref(b, fn->getArg(0), {workspaceBytes}, args);
    if (args.size() != inner->arg_size()) {
      error = "internal error: @" + sig.name +
              "'s lowered signature does not match (arguments, results, "
              "workspace)";
      return failure();
    }
    b.CreateCall(inner, args);
    b.CreateRet(b.getInt32(0));
  }
  builder.hideTheRest();
  return success();
}

/// Upstream passes create the globals of different functions in an order
/// that varies from run to run (one-shot bufferization visits independent
/// functions in pointer order), which would make the library's bytes vary.
/// Renames and reorders the internal globals by first use in function order.
void canonicalizeGlobals(llvm::Module &m) {
  SmallVector<llvm::GlobalVariable *> order;
  llvm::DenseSet<llvm::GlobalVariable *> seen;
  std::function<void(llvm::Value *)> visit = [&](llvm::Value *v) {
    if (auto *gv = dyn_cast<llvm::GlobalVariable>(v)) {
      if (gv->hasLocalLinkage() && seen.insert(gv).second)
        order.push_back(gv);
    } else if (auto *c = dyn_cast<llvm::ConstantExpr>(v)) {
      for (llvm::Value *op : c->operands())
        visit(op);
    }
  };
  for (llvm::Function &f : m)
    for (llvm::BasicBlock &bb : f)
      for (llvm::Instruction &inst : bb)
        for (llvm::Value *op : inst.operands())
          visit(op);
  SmallVector<llvm::GlobalVariable *> rest;
  for (llvm::GlobalVariable &g : m.globals())
    if (!seen.contains(&g))
      rest.push_back(&g);
  llvm::sort(rest, [](llvm::GlobalVariable *a, llvm::GlobalVariable *b) {
    return a->getName() < b->getName();
  });
  for (auto [i, gv] : llvm::enumerate(order))
    gv->setName("__dc_global_" + Twine(i));
  order.append(rest.begin(), rest.end());
  for (llvm::GlobalVariable *gv : order) {
    gv->removeFromParent();
    m.insertGlobalVariable(gv);
  }
}

std::string headerText(const Interface &iface, int64_t workspaceBytes,
                       StringRef prefix, uint64_t buildHash) {
  std::string upper = prefix.upper();
  auto count = [](ArrayRef<int64_t> s) {
    int64_t n = 1;
    for (int64_t d : s)
      n *= d;
    return n;
  };
  auto dims = [](ArrayRef<int64_t> s) {
    std::string r;
    llvm::raw_string_ostream os(r);
    llvm::interleave(s, os, ", ");
    return r;
  };
  std::string h;
  llvm::raw_string_ostream os(h);
  os << "/* Generated by dc-compile. The model's C API: no libc needed. */\n"
     << "#ifndef DC_MODEL_" << upper << "_H\n#define DC_MODEL_" << upper
     << "_H\n\n#include <stddef.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n"
     << "#endif\n\n"
     << "/* Inputs and outputs: dense row-major float arrays. */\n";
  // One of each: INPUT_*, OUTPUT_*; several: INPUT<i>_*, OUTPUT<i>_* too.
  for (auto [kind, shapes] :
       {std::make_pair("input", &iface.inputs),
        std::make_pair("output", &iface.outputs)}) {
    std::string KIND = StringRef(kind).upper();
    os << "#define " << upper << "_NUM_" << KIND << "S " << shapes->size()
       << "\n";
    for (auto [i, shape] : llvm::enumerate(*shapes)) {
      std::string tag = shapes->size() == 1 ? "" : std::to_string(i);
      os << "#define " << upper << "_" << KIND << tag << "_RANK "
         << shape.size() << "\n"
         << "#define " << upper << "_" << KIND << tag << "_SIZE "
         << count(shape) << "\n"
         << "static const long " << prefix << "_" << kind << tag
         << "_shape[] = {" << dims(shape) << "};\n";
    }
  }
  os << "\n"
     << "/* The build this header describes: the library's " << prefix
     << "_build_hash()\n"
     << " * returns the same value. Check it where the library is loaded at run\n"
     << " * time: another build's header has other sizes. */\n"
     << "#define " << upper << "_BUILD_HASH 0x"
     << llvm::format_hex_no_prefix(buildHash, 16) << "ULL\n"
     << "unsigned long long " << prefix << "_build_hash(void);\n";
  os << "\n"
     << "/* Bytes of the workspace model_init and model_forward use; it must\n"
     << " * be 64-byte aligned. The decoded weights live in it. */\n"
     << "#define " << upper << "_WORKSPACE_SIZE " << workspaceBytes << "\n"
     << "size_t " << prefix << "_workspace_size(void);\n\n"
     << "/* Decodes the compressed weights into the workspace, once. Returns\n"
     << " * 0, -1 for a misaligned workspace, " << upper
     << "_ERR_CPU when this CPU lacks an\n"
     << " * instruction set the library was compiled for, or the first failing\n"
     << " * layer's decoder error: */\n"
     << "int " << prefix << "_init(void *workspace);\n";
  for (const ErrorCode &e : kErrorCodes)
    if (e.code != 0)
      os << "#define " << upper << "_ERR_" << e.name << " " << e.code
         << " /* " << e.message << " */\n";
  os << "\n"
     << "/* What a code of " << prefix << "_init or " << prefix
     << "_forward means, in words (never null). */\n"
     << "const char *" << prefix << "_strerror(int code);\n";
  os << "\n"
     << "/* Runs the model on an initialised workspace. Re-entrant given\n"
     << " * separate workspaces. Returns 0, or -1 for a misaligned one. */\n"
     << "int " << prefix << "_forward(void *workspace";
  for (auto [kind, shapes, qualifier] :
       {std::make_tuple("input", &iface.inputs, "const float *"),
        std::make_tuple("output", &iface.outputs, "float *")})
    for (size_t i = 0; i < shapes->size(); ++i)
      os << ", " << qualifier << kind
         << (shapes->size() == 1 ? "" : std::to_string(i));
  os << ");\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return h;
}

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
LogicalResult readDefinedSymbols(ArrayRef<std::string> paths,
                                 llvm::StringSet<> &defined,
                                 std::string &error) {
  for (const std::string &path : paths) {
    auto object = llvm::object::ObjectFile::createObjectFile(path);
    if (!object) {
      error = "cannot read the run-time object '" + path +
              "': " + llvm::toString(object.takeError());
      return failure();
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
                                 const llvm::StringSet<> &defined,
                                 std::string &error) {
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
  error = "the generated code calls functions the run-time objects do not "
          "define: " +
          llvm::join(missing, ", ");
  return failure();
}

/// The same for the object code: calls LLVM introduced while lowering
/// intrinsics (no MLIR location exists for them).
LogicalResult checkObjectImports(StringRef code,
                                 const llvm::StringSet<> &defined,
                                 std::string &error) {
  auto object = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(code, "generated.o"));
  if (!object) {
    error = "internal error: cannot read the generated object: " +
            llvm::toString(object.takeError());
    return failure();
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
  error = "the generated code needs " + llvm::join(missing, ", ") +
          ", which the run-time objects do not define (an operation LLVM "
          "lowers to a C library call)";
  return failure();
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

} // namespace

/// LLVM's default pipeline at `optLevel`, as clang runs it, except the SLP
/// vectorizer: the vector code is dc's own (dc-vectorize, the fc kernels),
/// and SLP turns the 4 independent accumulators of the row kernel into
/// 4-lane gathers, 1.5x slower on the machines measured
/// (docs/Performance.md). The loop vectorizer stays on for the loops dc
/// leaves scalar.
static void optimize(llvm::Module &m, llvm::TargetMachine &machine,
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

LogicalResult mlir::dc::compileModel(ModuleOp module, const CompileOptions &o,
                                     std::string &error) {
  auto fail = [&](const Twine &message) {
    error = message.str();
    return failure();
  };
  if (o.target != "x86_64" && o.target != "aarch64")
    return fail("unsupported target '" + o.target +
                "' (supported: x86_64, aarch64)");
  if (!llvm::is_contained({"mlir", "llvm", "asm", "obj", "so"}, o.emit))
    return fail("unknown --emit=" + o.emit + " (mlir, llvm, asm, obj, so)");
  if (o.optLevel > 3)
    return fail("-O must be 0..3");
  if (o.output.empty() || o.output == "-")
    if (o.emit == "so" || o.emit == "obj")
      return fail("--emit=" + o.emit + " needs an output file (-o)");
  if (!llvm::all_of(o.prefix,
                    [](char c) { return llvm::isAlnum(c) || c == '_'; }) ||
      o.prefix.empty() || llvm::isDigit(o.prefix[0]))
    return fail("the symbol prefix '" + o.prefix +
                "' is not a C identifier (see --prefix)");

  bool host = o.kind == CompileOptions::Kind::HostStep;
  FailureOr<Interface> iface = Interface();
  FailureOr<SmallVector<Signature>> sigs = SmallVector<Signature>();
  if (host) {
    if (llvm::Triple(llvm::sys::getProcessTriple()).getArchName() != o.target)
      return fail("a host step library is built for this machine only (not " +
                  o.target + ")");
    if (o.emit != "so" && o.emit != "mlir" && o.emit != "llvm")
      return fail("a host step library is emitted as so, mlir or llvm");
    sigs = readSignatures(module, o.entries, error);
    if (failed(sigs))
      return failure();
  } else {
    iface = readInterface(module, error);
    if (failed(iface))
      return failure();
  }

  // The outputs, resolved and prepared before any work (dc/Support/FileIO.h):
  // nothing is visible until the end, and nothing is left on any error.
  auto fromError = [&](llvm::Error e) {
    error = llvm::toString(std::move(e));
    return failure();
  };
  // No output may be the input (the tool registered it) or the other
  // output, by any spelling.
  ::dc::FileSet files = ::dc::toolFiles();
  files.output("-o", o.output.empty() ? "-" : o.output);
  std::optional<std::string> headerFile;
  if (o.emit == "so" && !host) {
    ::dc::OutputFile::Kind kind;
    if (llvm::Expected<std::string> d = ::dc::resolveOutputPath(
            o.output.empty() ? "-" : o.output, &kind)) {
      headerFile = headerPath(o, kind);
      if (headerFile)
        files.output("--header", *headerFile);
    } else {
      return fromError(d.takeError());
    }
  }
  if (llvm::Error e = files.check())
    return fromError(std::move(e));
  // A report= of --dc-compress is checked against these too (the tool's
  // own files; a host step library is a private temporary).
  if (!host)
    ::dc::toolFiles() = files;
  llvm::Expected<::dc::OutputFile> out = ::dc::OutputFile::create(
      o.output.empty() ? "-" : o.output, o.emit == "so" ? 0777 : 0666);
  if (!out)
    return fromError(out.takeError());
  std::optional<::dc::OutputFile> header;
  if (o.emit == "so" && !host) {
    if (std::optional<std::string> path = headerFile) {
      llvm::Expected<::dc::OutputFile> h = ::dc::OutputFile::create(*path);
      if (!h)
        return fromError(h.takeError());
      header.emplace(std::move(*h));
    }
  }
  auto writeOut = [&](StringRef bytes) -> LogicalResult {
    out->os() << bytes;
    if (llvm::Error e = out->commit())
      return fromError(std::move(e));
    return success();
  };

  // The target, resolved first: the lowering vectorises for it.
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  llvm::Triple triple(o.target == "x86_64" ? "x86_64-unknown-linux-gnu"
                                           : "aarch64-unknown-linux-gnu");
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target)
    return fail("no LLVM target for " + triple.str() + ": " + lookupError);
  std::string cpu = o.cpu, features = o.features;
  bool native =
      llvm::Triple(llvm::sys::getProcessTriple()).getArch() == triple.getArch();
  if (cpu.empty())
    cpu = native && o.target == "x86_64" ? llvm::sys::getHostCPUName().str()
                                         : "generic";
  if (features.empty()) {
    if (o.target == "aarch64") {
      features = "+neon,-outline-atomics";
    } else if (native && o.cpu.empty()) {
      SmallVector<std::string> list;
      for (auto &f : llvm::sys::getHostCPUFeatures())
        list.push_back((f.second ? "+" : "-") + f.first().str());
      llvm::sort(list);
      features = llvm::join(list, ",");
    }
  }
  // Unknown CPUs and features would only be warned about by LLVM.
  {
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        target->createMCSubtargetInfo(triple, "", ""));
    if (!o.cpu.empty() && !info->isCPUStringValid(o.cpu))
      return fail("unknown --mcpu '" + o.cpu + "' for " + triple.str());
    for (StringRef feature : llvm::split(o.features, ',')) {
      feature = feature.trim();
      if (feature.empty())
        continue;
      if ((!feature.starts_with("+") && !feature.starts_with("-")) ||
          !llvm::any_of(info->getAllProcessorFeatures(),
                        [&](const llvm::SubtargetFeatureKV &kv) {
                          return feature.drop_front() == kv.Key;
                        }))
        return fail("unknown --mattr feature '" + feature + "' for " +
                    triple.str() + " (use +name or -name)");
    }
  }
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      o.optLevel == 0   ? llvm::CodeGenOptLevel::None
      : o.optLevel == 1 ? llvm::CodeGenOptLevel::Less
      : o.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                        : llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return fail("cannot create a target machine for " + triple.str() +
                " cpu '" + cpu + "' features '" + features + "'");

  // dc-vectorize's vector width and register count (docs/Lowering.md).
  unsigned vectorBits = 128, vectorRegisters = o.target == "aarch64" ? 32 : 16;
  {
    const llvm::MCSubtargetInfo *info = machine->getMCSubtargetInfo();
    if (o.target == "x86_64") {
      if (info->checkFeatures("+avx512f")) {
        vectorBits = 512;
        vectorRegisters = 32;
      } else if (info->checkFeatures("+avx")) {
        vectorBits = 256;
      }
    }
  }
  if (!o.vectorizeDense)
    vectorBits = 0;

  // MLIR: compress (optionally), lower to the LLVM dialect.
  if (o.compress) {
    PassManager compress(module.getContext());
    if (failed(parsePassPipeline("dc-compress{" + *o.compress + "}", compress,
                                 llvm::errs())))
      return fail("bad dc-compress options '" + *o.compress + "'");
    if (failed(compress.run(module)))
      return fail("compression failed (see the diagnostics above)");
    bool any = false;
    module.walk([&](DecompressOp) {
      any = true;
      return WalkResult::interrupt();
    });
    if (!any)
      llvm::errs() << "dc-compile: warning: --dc-compress compressed no "
                      "weight: the library is the uncompressed model "
                      "(dc-compress{report=-} lists what it left alone)\n";
  }
  // A scalar (rank-0) dense_resource constant aborts upstream's
  // memref.global lowering (MLIR 22: "ElementsAttr does not provide
  // iteration facilities"): make such constants inline dense<> first.
  module.walk([](arith::ConstantOp op) {
    auto resource = dyn_cast<DenseResourceElementsAttr>(op.getValue());
    if (!resource || resource.getType().getRank() != 0)
      return;
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return; // elided: the lowering reports it
    ArrayRef<char> data = blob->getData();
    auto type = cast<ShapedType>(resource.getType());
    bool detectedSplat = false;
    if (!DenseElementsAttr::isValidRawBuffer(type, data, detectedSplat))
      return;
    op.setValueAttr(DenseElementsAttr::getFromRawBuffer(type, data));
  });
  PassManager pm(module.getContext());
  LowerToLLVMOptions lower;
  lower.vectorLength = o.vectorLength;
  lower.reassociateFPReductions = o.reassociateFPReductions;
  lower.decodeAt = o.decodeAt;
  lower.denseVectorBits = host ? 0 : vectorBits;
  lower.fcKernel = host                            ? FcKernel::Sparsifier
                   : o.fcKernel != FcKernel::Auto ? o.fcKernel
                   : vectorBits > 0               ? FcKernel::Auto
                                                  : FcKernel::Rows;
  lower.avx512Permute = !host && o.target == "x86_64" && vectorBits >= 512;
  lower.convKernel = host                              ? ConvKernel::Sparsifier
                     : o.convKernel != ConvKernel::Auto ? o.convKernel
                     : vectorBits > 0                   ? ConvKernel::Rows
                                                        : ConvKernel::Sparsifier;
  lower.vectorRegisters = vectorRegisters;
  if (host) {
    lower.hostBlas = true;
    lower.entry = llvm::join(o.entries, ",");
  }
  buildLowerToLLVMPipeline(pm, lower);
  if (failed(pm.run(module)))
    return fail("lowering failed (see the diagnostics above)");
  // Anything left outside the LLVM dialect is an operation the lowering
  // does not handle; casts and bufferization ops around it are artefacts,
  // reported only when nothing else is left.
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
  if (!unsupported)
    unsupported = artefact;
  if (unsupported) {
    unsupported->emitError()
        << "dc-compile cannot lower '" << unsupported->getName()
        << "' (lower it to linalg first)";
    return fail("unsupported operation '" +
                unsupported->getName().getStringRef() + "'");
  }
  // A library links nothing but the run-time objects: every function the
  // generated code calls must be one of theirs.
  SmallVector<std::string> runtime;
  llvm::StringSet<> runtimeDefined;
  if (o.emit == "so") {
    // A host step links libc, which has the memory routines of Mem.o.
    SmallVector<std::pair<StringRef, StringRef>> objects = {
        {o.target, "Decode.o"}};
    if (!host)
      objects.push_back({o.target, "Cpu.o"});
    objects.push_back(host ? std::make_pair(StringRef("host"),
                                            StringRef("HostBlas.o"))
                           : std::make_pair(StringRef(o.target),
                                            StringRef("Mem.o")));
    for (auto [dir, name] : objects) {
      SmallString<256> path(o.runtimeDir);
      llvm::sys::path::append(path, dir, name);
      if (!llvm::sys::fs::exists(path))
        return fail("missing run-time object '" + path.str() +
                    "' (see --runtime-dir)");
      runtime.push_back(path.str().str());
    }
    if (!host &&
        (failed(readDefinedSymbols(runtime, runtimeDefined, error)) ||
         failed(checkExternalCalls(module, runtimeDefined, error))))
      return failure();
  }
  if (o.emit == "mlir") {
    module.print(out->os());
    return writeOut("");
  }
  auto forward = module.lookupSymbol<LLVM::LLVMFuncOp>(
      host ? StringRef(o.entries.front()) : StringRef("forward"));
  auto bytesAttr =
      forward ? forward->getAttrOfType<IntegerAttr>(DCDialect::kWorkspaceBytesAttrName)
              : IntegerAttr();
  if (!bytesAttr)
    return fail("internal error: no workspace size on @forward");
  int64_t workspaceBytes = bytesAttr.getInt();

  // dc's argument attributes (dc.param, dc.param_kind: which arguments are
  // trained parameters) mean nothing to LLVM; the translation would warn
  // about each one.
  module.walk([](LLVM::LLVMFuncOp fn) {
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
      if (DictionaryAttr attrs = fn.getArgAttrDict(i))
        for (NamedAttribute attr : llvm::to_vector(attrs.getValue()))
          if (attr.getName().strref().starts_with("dc."))
            fn.removeArgAttr(i, attr.getName());
  });
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, o.prefix);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());
  if (failed(host ? addHostInterface(*llvmModule, *sigs, workspaceBytes,
                                     o.prefix, error)
                  : addCInterface(*llvmModule, *iface, workspaceBytes,
                                  o.prefix,
                                  requiredCpuBits(*machine->getMCSubtargetInfo(),
                                                  triple),
                                  error)))
    return failure();
  canonicalizeGlobals(*llvmModule);
  // The optimiser's cost model reads these from each function.
  for (llvm::Function &fn : *llvmModule) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", cpu);
    if (!features.empty())
      fn.addFnAttr("target-features", features);
  }
  optimize(*llvmModule, *machine, o.optLevel);

  if (o.emit == "llvm") {
    llvmModule->print(out->os(), nullptr);
    return writeOut("");
  }

  // Machine code.
  SmallString<0> code;
  {
    llvm::raw_svector_ostream os(code);
    llvm::legacy::PassManager codegen;
    if (machine->addPassesToEmitFile(codegen, os, nullptr,
                                     o.emit == "asm"
                                         ? llvm::CodeGenFileType::AssemblyFile
                                         : llvm::CodeGenFileType::ObjectFile))
      return fail("the target cannot emit this file type");
    codegen.run(*llvmModule);
  }
  if (o.emit == "asm" || o.emit == "obj")
    return writeOut(code);

  // What LLVM itself turned into calls (e.g. llvm.intr.exp into expf).
  if (!host && failed(checkObjectImports(code, runtimeDefined, error)))
    return failure();

  // A shared library: the object, the run-time objects, no libc. The
  // linker works on private temporaries; the library reaches the output
  // only once it linked.
  // The temporaries are removed on return and on a signal (SIGINT during
  // the link leaves nothing model-sized in $TMPDIR).
  SmallString<128> objectPath, hashPath, libraryPath;
  SmallVector<SmallString<128> *> temporaries;
  llvm::scope_exit removeTemporaries([&] {
    for (SmallString<128> *path : temporaries) {
      llvm::sys::fs::remove(*path);
      llvm::sys::DontRemoveFileOnSignal(*path);
    }
  });
  auto temporary = [&](StringRef suffix, SmallString<128> &path) {
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("dc-compile", suffix, path))
      return fail("cannot create a temporary file: " + ec.message());
    temporaries.push_back(&path);
    llvm::sys::RemoveFileOnSignal(path);
    return success();
  };
  auto writeFile = [&](StringRef path, StringRef bytes) -> LogicalResult {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (!ec)
      os << bytes;
    os.close();
    if (ec || os.has_error()) {
      std::string reason = (ec ? ec : os.error()).message();
      os.clear_error();
      return fail("cannot write '" + path + "': " + reason);
    }
    return success();
  };
  if (failed(temporary("o", objectPath)) ||
      failed(temporary("o", hashPath)) ||
      failed(temporary("so", libraryPath)) ||
      failed(writeFile(objectPath, code)))
    return failure();

  // The build hash: of the code and of the header (with the hash field 0),
  // in the library as <prefix>_build_hash() and in the header as
  // <PREFIX>_BUILD_HASH, so a library and a header of different builds are
  // told apart. Deterministic: the same model and options, the same hash.
  uint64_t buildHash = 0;
  std::string headerBytes;
  if (header) {
    headerBytes = headerText(*iface, workspaceBytes, o.prefix, 0);
    buildHash = llvm::xxh3_64bits(code) ^
                (llvm::xxh3_64bits(headerBytes) * 0x9e3779b97f4a7c15ULL);
    headerBytes = headerText(*iface, workspaceBytes, o.prefix, buildHash);
  } else {
    buildHash = llvm::xxh3_64bits(code);
  }
  {
    llvm::Module hashModule("build_hash", llvmContext);
    hashModule.setTargetTriple(triple);
    hashModule.setDataLayout(machine->createDataLayout());
    auto *fn = llvm::Function::Create(
        llvm::FunctionType::get(llvm::Type::getInt64Ty(llvmContext), false),
        llvm::GlobalValue::ExternalLinkage, o.prefix + "_build_hash",
        hashModule);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(llvmContext, "entry", fn));
    b.CreateRet(b.getInt64(buildHash));
    SmallString<0> hashCode;
    llvm::raw_svector_ostream os(hashCode);
    llvm::legacy::PassManager codegen;
    if (machine->addPassesToEmitFile(codegen, os, nullptr,
                                     llvm::CodeGenFileType::ObjectFile))
      return fail("the target cannot emit an object file");
    codegen.run(hashModule);
    if (failed(writeFile(hashPath, hashCode)))
      return failure();
  }
  llvm::ErrorOr<std::string> linker = llvm::sys::findProgramByName(o.linker);
  if (!linker)
    return fail("cannot find the linker '" + o.linker + "'");
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
                                   libraryPath.str().str(),
                                   objectPath.str().str(),
                                   hashPath.str().str()};
  argv.append(runtime.begin(), runtime.end());
  if (host) {
    // The host's libraries: OpenBLAS, libm (expf, logf), libc.
    std::string multiarch = triple.getArchName().str() + "-linux-gnu";
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
    return fail("linking failed (" + *linker + " exit " + Twine(rc) + ")" +
                (linkError.empty() ? "" : ": " + linkError));
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> library =
      llvm::MemoryBuffer::getFile(libraryPath, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!library)
    return fail("cannot read the linked library: " +
                library.getError().message());
  // Both written and checked before either is committed; then, under a
  // lock on the library's folder (another dc-compile to the same -o waits),
  // the library, then the header. A reader between the two renames can
  // still see a new library with an old header: the build hashes differ.
  out->os() << (*library)->getBuffer();
  if (llvm::Error e = out->flush())
    return fromError(std::move(e));
  if (header) {
    header->os() << headerBytes;
    if (llvm::Error e = header->flush())
      return fromError(std::move(e));
  }
  std::optional<::dc::OutputLock> lock;
  if (out->kind() == ::dc::OutputFile::Kind::Replace) {
    llvm::Expected<::dc::OutputLock> l = ::dc::OutputLock::acquire(o.output);
    if (!l)
      return fromError(l.takeError());
    lock.emplace(std::move(*l));
  }
  ::dc::testPause("dc-compile-commit");
  if (llvm::Error e = out->commit())
    return fromError(std::move(e));
  ::dc::testPause("dc-compile-between-renames");
  if (header)
    if (llvm::Error e = header->commit())
      return fromError(std::move(e));
  return success();
}
