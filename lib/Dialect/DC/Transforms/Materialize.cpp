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
#include "mlir/IR/DialectResourceBlobManager.h"

#include <vector>

namespace mlir::dc {
#define GEN_PASS_DEF_DCMATERIALIZE
#include "dc/Dialect/DC/Transforms/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

/// Decodes the payload of `op` into a dense<> literal or a dense_resource
/// blob.
FailureOr<ElementsAttr> decodeConstant(ConstantOp op, bool blobs) {
  FailureOr<::dc::codec::LayerView> view = op.getLayerView();
  if (failed(view))
    return failure();
  CompressedTensorType type = op.getType();
  std::vector<float> values(type.getNumElements());
  ::dc::codec::Status status =
      ::dc::codec::decodeDense(*view, values.data(), values.size());
  if (!status.ok())
    return op.emitOpError() << "payload does not decode: " << status.message();
  if (!blobs)
    return cast<ElementsAttr>(
        DenseElementsAttr::get(type.getDenseType(), ArrayRef<float>(values)));
  std::string key = op.getLayer().value_or("layer").str() + "_dense";
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type.getDenseType(), key,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(values))));
}

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
      FailureOr<ElementsAttr> value = decodeConstant(constant, blobs);
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
