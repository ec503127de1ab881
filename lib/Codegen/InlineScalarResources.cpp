//===- InlineScalarResources.cpp - rank-0 resources as dense<> ------------===//
//
// dc-inline-scalar-resources (include/dc/Codegen/Passes.td): upstream's
// memref.global lowering aborts on a rank-0 dense_resource constant.
//
//===----------------------------------------------------------------------===//

#include "dc/Codegen/Passes.h"

#include "mlir/IR/DialectResourceBlobManager.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCINLINESCALARRESOURCES
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;

namespace {
struct DCInlineScalarResourcesPass
    : public dc::impl::DCInlineScalarResourcesBase<
          DCInlineScalarResourcesPass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->walk([](arith::ConstantOp op) {
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
  }
};
} // namespace
