//===- Interface.cpp - The C interface and header of a library ------------===//
//
// What a library exports: a model's <prefix>_init/_forward/... with plain
// pointers (and its C header), or a host step library's entry points over
// pointer arrays; everything else is hidden.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "dc/Dialect/DC/IR/DCDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>

using namespace mlir;
using namespace mlir::dc;
using namespace mlir::dc::compile;

FailureOr<Interface> mlir::dc::compile::readInterface(ModuleOp module) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal()) {
    return fail(module.getContext(), "the model has no func.func @forward with a body");
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
    return fail(module.getContext(), "@forward must take and return f32 tensors of static shape, at "
            "least one of each (got " +
            type + ")");
  }
  return iface;
}

FailureOr<SmallVector<Signature>>
mlir::dc::compile::readSignatures(ModuleOp module,
                                  ArrayRef<std::string> entries) {
  SmallVector<Signature> result;
  if (entries.empty()) {
    return fail(module.getContext(), "a host step library needs at least one entry function");
  }
  for (const std::string &name : entries) {
    auto f = module.lookupSymbol<func::FuncOp>(name);
    if (!f || f.isExternal()) {
      return fail(module.getContext(), "no func.func @" + name + " with a body");
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
      return fail(module.getContext(), "@" + name +
              " must take and return tensors of static shape (got " + type +
              ")");
    }
    result.push_back(std::move(sig));
  }
  return result;
}

namespace {

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

/// Defines the exported functions of a library's C API, then hides every
/// other function and global.
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

} // namespace

/// The CPUID bits (dcrt_check_cpu's table, include/dc/Runtime/Decode.h) of
/// the x86-64 features `info` (the target machine's CPU and features) has;
/// all zero for other targets.
std::array<uint32_t, DCRT_CPU_WORDS>
mlir::dc::compile::requiredCpuBits(const llvm::MCSubtargetInfo &info,
                                   const llvm::Triple &triple) {
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


/// <prefix>_workspace_size, _init and _forward with plain pointers; every
/// other symbol becomes hidden.
LogicalResult mlir::dc::compile::addCInterface(MLIRContext *context,
                                              llvm::Module &m,
                                              const Interface &iface,
                                              int64_t workspaceBytes,
                                              StringRef prefix,
                                              ArrayRef<uint32_t> cpuBits) {
  llvm::Function *forward = m.getFunction("forward");
  llvm::Function *init = m.getFunction(DCDialect::kInitFunctionName);
  if (!forward) {
    return fail(context, "internal error: @forward did not survive lowering");
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
    return fail(context, "internal error: @forward's lowered signature does not match "
            "(inputs, outputs, workspace)");
  }
  b.CreateCall(forward, args);
  b.CreateRet(b.getInt32(0));
  builder.hideTheRest();
  return success();
}

/// For host step libraries: <prefix>_workspace_size and, per entry,
/// <prefix>_<name>(workspace, args, results) over pointer arrays; every
/// other symbol becomes hidden.
LogicalResult mlir::dc::compile::addHostInterface(MLIRContext *context,
                                                 llvm::Module &m,
                                                 ArrayRef<Signature> sigs,
                                                 int64_t workspaceBytes,
                                                 StringRef prefix) {
  ApiBuilder builder(m, prefix);
  llvm::IRBuilder<> &b = builder.b;
  auto *ptr = llvm::PointerType::get(m.getContext(), 0);
  builder.define("workspace_size", b.getInt64Ty(), {});
  b.CreateRet(b.getInt64(workspaceBytes));
  for (const Signature &sig : sigs) {
    llvm::Function *inner = m.getFunction(sig.name);
    if (!inner) {
      return fail(context, "internal error: @" + sig.name + " did not survive lowering");
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
      return fail(context, "internal error: @" + sig.name +
              "'s lowered signature does not match (arguments, results, "
              "workspace)");
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
void mlir::dc::compile::canonicalizeGlobals(llvm::Module &m) {
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

std::string mlir::dc::compile::headerText(const Interface &iface,
                                          int64_t workspaceBytes,
                                          StringRef prefix,
                                          uint64_t buildHash) {
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