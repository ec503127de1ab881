//===- Workspace.cpp - dc-workspace: allocations into a workspace ---------===//
//
// The generated code must not call malloc (dc-compile's libraries have no
// libc): after bufferization, the static allocations of the entry function
// become views of one caller-provided workspace.
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCWORKSPACE
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

constexpr int64_t kAlignment = 64;

struct DCWorkspacePass
    : public mlir::dc::impl::DCWorkspaceBase<DCWorkspacePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(entry);
    if (!func || func.isExternal()) {
      module.emitError() << "dc-workspace: no function @" << entry
                         << " with a body";
      return signalPassFailure();
    }

    // Lay the allocations out one after the other.
    SmallVector<std::pair<memref::AllocOp, int64_t>> placed;
    int64_t bytes = 0;
    WalkResult result = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (alloc->getParentRegion() != &func.getBody() ||
          !type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrFloat()) {
        alloc.emitOpError() << "cannot be placed in the workspace (dynamic "
                               "size, layout or element type, or inside a "
                               "region)";
        return WalkResult::interrupt();
      }
      int64_t size =
          type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
      placed.push_back({alloc, bytes});
      bytes += (size + kAlignment - 1) / kAlignment * kAlignment;
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();

    // The workspace is the last argument.
    MLIRContext *ctx = module.getContext();
    auto workspaceType = MemRefType::get({bytes}, IntegerType::get(ctx, 8));
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(index, workspaceType, {}, func.getLoc())))
      return signalPassFailure();
    Value workspace = func.getArgument(index);
    for (auto [alloc, offset] : placed) {
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
    func->setAttr("dc.workspace_bytes",
                  IntegerAttr::get(IntegerType::get(ctx, 64), bytes));

    // Callers in this module (test harnesses) provide a workspace.
    std::optional<SymbolTable::UseRange> uses = func.getSymbolUses(module);
    for (SymbolTable::SymbolUse use :
         uses ? *uses : SymbolTable::UseRange({})) {
      auto call = dyn_cast<func::CallOp>(use.getUser());
      if (!call) {
        use.getUser()->emitOpError()
            << "uses @" << entry << " in a way dc-workspace cannot update";
        return signalPassFailure();
      }
      OpBuilder b(call);
      Value buffer =
          memref::AllocOp::create(b, call.getLoc(), workspaceType, ValueRange{},
                                  b.getI64IntegerAttr(kAlignment));
      SmallVector<Value> operands(call.getOperands());
      operands.push_back(buffer);
      auto newCall = func::CallOp::create(b, call.getLoc(), func, operands);
      call->replaceAllUsesWith(newCall->getResults());
      call.erase();
      b.setInsertionPointAfter(newCall);
      memref::DeallocOp::create(b, newCall.getLoc(), buffer);
    }
  }
};

} // namespace
