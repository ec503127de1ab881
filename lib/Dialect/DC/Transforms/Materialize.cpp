//===- Materialize.cpp - Decode dc.constant into dense constants ----------===//
//
// dc-materialize: dc.decompress(dc.constant) -> arith.constant dense<...>.
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/IR/DCOps.h"
#include "dc/Dialect/DC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCMATERIALIZE
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

struct DCMaterializePass
    : public mlir::dc::impl::DCMaterializeBase<DCMaterializePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<ConstantOp> constants;
    getOperation()->walk([&](ConstantOp op) { constants.push_back(op); });

    for (ConstantOp constant : constants) {
      SmallVector<DecompressOp> users;
      for (Operation *user : constant->getUsers())
        if (auto decompress = dyn_cast<DecompressOp>(user))
          users.push_back(decompress);
      if (users.empty())
        continue;
      // One dense constant per dc.constant, however many users it has.
      FailureOr<ElementsAttr> value = constant.decodeToElements(blobs);
      if (failed(value))
        return signalPassFailure();
      OpBuilder builder(constant);
      auto dense = arith::ConstantOp::create(builder, constant.getLoc(),
                                             cast<TypedAttr>(*value));
      for (DecompressOp user : users) {
        user.getResult().replaceAllUsesWith(dense.getResult());
        user.erase();
      }
      if (constant->use_empty())
        constant.erase();
    }
  }
};

} // namespace
