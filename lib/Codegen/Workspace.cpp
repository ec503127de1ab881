//===- Workspace.cpp - dc-workspace: allocations into a workspace ---------===//
//
// The generated code must not call malloc (dc-compile's libraries have no
// libc): after bufferization, the static allocations of the entry function
// become views of one caller-provided workspace.
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/IR/DCDialect.h"
#include "dc/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCWORKSPACE
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

constexpr int64_t kAlignment = 64;

struct DCWorkspacePass
    : public mlir::dc::impl::DCWorkspaceBase<DCWorkspacePass> {
  using Base::Base;

  static int64_t alignUp(int64_t v) {
    return (v + kAlignment - 1) / kAlignment * kAlignment;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The planned functions: the entries and, if present, @dc_init (which
    // fills the slots the entries read).
    SmallVector<func::FuncOp> funcs;
    SmallVector<std::string> names(entries.begin(), entries.end());
    if (names.empty())
      names.push_back("forward");
    for (const std::string &entry : names) {
      auto func = module.lookupSymbol<func::FuncOp>(entry);
      if (!func || func.isExternal()) {
        module.emitError() << getArgument() << ": no function @" << entry
                           << " with a body";
        return signalPassFailure();
      }
      if (!llvm::is_contained(funcs, func))
        funcs.push_back(func);
    }
    auto init = module.lookupSymbol<func::FuncOp>(DCDialect::kInitFunctionName);
    if (init && !llvm::is_contained(funcs, init) && !init.isExternal())
      funcs.push_back(init);

    // Named slots first, at the same offset in every function; then each
    // function's scratch (the functions never run at once on a workspace).
    llvm::StringMap<std::pair<int64_t, int64_t>> slots;
    int64_t slotEnd = 0;
    SmallVector<SmallVector<std::pair<memref::AllocOp, StringRef>>> allocs;
    for (func::FuncOp f : funcs) {
      auto &list = allocs.emplace_back();
      WalkResult result = f.walk([&](memref::AllocOp alloc) {
        MemRefType type = alloc.getType();
        if (alloc->getParentRegion() != &f.getBody() ||
            !type.hasStaticShape() || !type.getLayout().isIdentity() ||
            !type.getElementType().isIntOrFloat()) {
          alloc.emitOpError() << "cannot be placed in the workspace (dynamic "
                                 "size, layout or element type, or inside a "
                                 "region)";
          return WalkResult::interrupt();
        }
        StringRef name;
        if (auto slot = alloc->getAttrOfType<StringAttr>(DCDialect::kSlotAttrName)) {
          name = slot.getValue();
          int64_t bytes = sizeOf(type);
          auto [it, inserted] = slots.try_emplace(name, slotEnd, bytes);
          if (inserted) {
            slotEnd += alignUp(bytes);
          } else if (it->second.second != bytes) {
            alloc.emitOpError() << "slot '" << name << "' has "
                                << it->second.second << " bytes elsewhere";
            return WalkResult::interrupt();
          }
        }
        list.push_back({alloc, name});
        return WalkResult::advance();
      });
      if (result.wasInterrupted())
        return signalPassFailure();
    }
    int64_t bytes = slotEnd;
    SmallVector<SmallVector<int64_t>> offsets;
    for (auto [f, list] : llvm::zip(funcs, allocs)) {
      auto &offs = offsets.emplace_back();
      bytes = std::max(bytes, placeScratch(f, list, slots, slotEnd, offs));
    }

    MLIRContext *ctx = module.getContext();
    auto workspaceType = MemRefType::get({bytes}, IntegerType::get(ctx, 8));
    for (auto [f, list, offs] : llvm::zip(funcs, allocs, offsets)) {
      unsigned index = f.getNumArguments();
      if (failed(f.insertArgument(index, workspaceType, {}, f.getLoc())))
        return signalPassFailure();
      Value workspace = f.getArgument(index);
      for (auto [entryPair, offset] : llvm::zip(list, offs)) {
        memref::AllocOp alloc = entryPair.first;
        OpBuilder b(alloc);
        Value at = arith::ConstantIndexOp::create(b, alloc.getLoc(), offset);
        Value view = memref::ViewOp::create(b, alloc.getLoc(), alloc.getType(),
                                            workspace, at, ValueRange{});
        for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
          if (isa<memref::DeallocOp>(user))
            user->erase();
        alloc.getResult().replaceAllUsesWith(view);
        alloc.erase();
      }
      f->setAttr(DCDialect::kWorkspaceBytesAttrName,
                 IntegerAttr::get(IntegerType::get(ctx, 64), bytes));
      // C-callable after lowering: _mlir_ciface_<name>(memref descriptors).
      f->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    }
    // The size, for callers outside dc-compile's C API (stock mlir-opt and
    // a C driver: docs/Lowering.md): @dc_workspace_size() -> i64.
    if (module.lookupSymbol(DCDialect::kWorkspaceSizeFunctionName)) {
      module.emitError() << getArgument()
                         << ": the module already has a symbol @"
                         << DCDialect::kWorkspaceSizeFunctionName;
      return signalPassFailure();
    }
    {
      OpBuilder b(module.getBodyRegion());
      b.setInsertionPointToEnd(module.getBody());
      Location loc = module.getLoc();
      auto sizeFn = func::FuncOp::create(
          b, loc, DCDialect::kWorkspaceSizeFunctionName,
          b.getFunctionType({}, {b.getI64Type()}));
      sizeFn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
      b.setInsertionPointToStart(sizeFn.addEntryBlock());
      func::ReturnOp::create(
          b, loc, ValueRange{arith::ConstantIntOp::create(b, loc, bytes, 64)});
    }
    if (failed(updateCallers(module, funcs, init, workspaceType)))
      signalPassFailure();
  }

  /// The first and last position, among the top-level ops of `f`'s body,
  /// at which `alloc` or anything derived from it is used. Derived: every
  /// memref result of an op that takes an alias (views, casts, metadata
  /// extraction, calls: conservatively all of them). Deallocations do not
  /// count (they go with the allocation).
  static std::pair<int64_t, int64_t>
  liveRange(func::FuncOp f, memref::AllocOp alloc,
            const llvm::DenseMap<Operation *, int64_t> &position) {
    int64_t first = INT64_MAX, last = -1;
    SmallVector<Value> work = {alloc.getResult()};
    llvm::DenseSet<Value> seen(work.begin(), work.end());
    while (!work.empty()) {
      Value v = work.pop_back_val();
      for (Operation *user : v.getUsers()) {
        if (isa<memref::DeallocOp>(user)) // erased with the allocation
          continue;
        Operation *top = f.getBody().front().findAncestorOpInBlock(*user);
        auto it = top ? position.find(top) : position.end();
        if (it == position.end())
          return {0, INT64_MAX}; // outside the body: live throughout
        first = std::min(first, it->second);
        last = std::max(last, it->second);
        for (Value r : user->getResults())
          if (isa<BaseMemRefType>(r.getType()) && seen.insert(r).second)
            work.push_back(r);
      }
    }
    return {first, last};
  }

  /// Offsets for the allocations of one function: named slots where the
  /// slot is; scratch after `slotEnd`, two buffers sharing memory when
  /// their live ranges (liveRange) do not overlap (largest first, at the
  /// lowest free offset). A body of several blocks gets no sharing.
  /// Returns the function's end of workspace.
  static int64_t
  placeScratch(func::FuncOp f,
               ArrayRef<std::pair<memref::AllocOp, StringRef>> list,
               llvm::StringMap<std::pair<int64_t, int64_t>> &slots,
               int64_t slotEnd, SmallVectorImpl<int64_t> &offs) {
    bool share = f.getBody().hasOneBlock();
    llvm::DenseMap<Operation *, int64_t> position;
    if (share)
      for (auto [i, op] : llvm::enumerate(f.getBody().front()))
        position[&op] = int64_t(i);
    struct Item {
      size_t index;
      int64_t bytes, first, last;
    };
    SmallVector<Item> items;
    offs.assign(list.size(), 0);
    for (auto [i, entry] : llvm::enumerate(list)) {
      memref::AllocOp alloc = entry.first;
      if (!entry.second.empty()) {
        offs[i] = slots[entry.second].first;
        continue;
      }
      auto [first, last] = share ? liveRange(f, alloc, position)
                                 : std::make_pair(int64_t(0), INT64_MAX);
      items.push_back({i, alignUp(sizeOf(alloc.getType())), first, last});
    }
    llvm::sort(items, [](const Item &a, const Item &b) {
      return a.bytes != b.bytes ? a.bytes > b.bytes : a.index < b.index;
    });
    SmallVector<Item> placed;
    int64_t end = slotEnd;
    for (Item &item : items) {
      // Candidate offsets: the start, and the end of every placed buffer
      // live at the same time; the lowest one that overlaps none.
      SmallVector<int64_t> candidates = {slotEnd};
      for (const Item &p : placed)
        if (p.first <= item.last && item.first <= p.last)
          candidates.push_back(offs[p.index] + p.bytes);
      llvm::sort(candidates);
      for (int64_t at : candidates) {
        bool clash = llvm::any_of(placed, [&](const Item &p) {
          return p.first <= item.last && item.first <= p.last &&
                 offs[p.index] < at + item.bytes &&
                 at < offs[p.index] + p.bytes;
        });
        if (!clash) {
          offs[item.index] = at;
          break;
        }
      }
      end = std::max(end, offs[item.index] + item.bytes);
      placed.push_back(item);
    }
    return end;
  }

  static int64_t sizeOf(MemRefType type) {
    return type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
  }

  /// Callers in this module (test harnesses) get one workspace per calling
  /// function, initialised by @dc_init (checked) before the first call.
  LogicalResult updateCallers(ModuleOp module, ArrayRef<func::FuncOp> funcs,
                              func::FuncOp init, MemRefType workspaceType) {
    llvm::DenseMap<Operation *, Value> workspaces;
    llvm::SmallPtrSet<Operation *, 4> created;
    for (func::FuncOp f : funcs) {
      std::optional<SymbolTable::UseRange> uses = f.getSymbolUses(module);
      if (!uses)
        continue;
      // Collected first: the loop adds calls of @dc_init.
      SmallVector<SymbolTable::SymbolUse> useList(uses->begin(), uses->end());
      for (SymbolTable::SymbolUse use : useList) {
        if (created.contains(use.getUser()))
          continue;
        auto call = dyn_cast<func::CallOp>(use.getUser());
        auto caller = call ? call->getParentOfType<func::FuncOp>() : nullptr;
        if (!call || llvm::is_contained(funcs, caller))
          return use.getUser()->emitOpError()
                 << "uses @" << f.getName()
                 << " in a way dc-workspace cannot update";
        Value &workspace = workspaces[caller];
        if (!workspace) {
          OpBuilder b(&caller.getBody().front(),
                      caller.getBody().front().begin());
          Location loc = caller.getLoc();
          workspace =
              memref::AllocOp::create(b, loc, workspaceType, ValueRange{},
                                      b.getI64IntegerAttr(kAlignment));
          if (init) {
            auto initCall =
                func::CallOp::create(b, loc, init, ValueRange{workspace});
            created.insert(initCall);
            Value rc = initCall.getResult(0);
            Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
            Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             rc, zero);
            cf::AssertOp::create(b, loc, ok,
                                 "dc_init: a payload does not decode");
          }
          caller.walk([&](func::ReturnOp ret) {
            OpBuilder rb(ret);
            memref::DeallocOp::create(rb, ret.getLoc(), workspace);
          });
        }
        OpBuilder b(call);
        SmallVector<Value> operands(call.getOperands());
        operands.push_back(workspace);
        auto newCall = func::CallOp::create(b, call.getLoc(), f, operands);
        call->replaceAllUsesWith(newCall->getResults());
        call.erase();
      }
    }
    return success();
  }
};

} // namespace
