//===- StripArgAttributes.cpp - dc's attributes off llvm.func arguments ---===//
//
// dc-strip-arg-attributes (include/dc/Codegen/Passes.td): LLVM's
// translation would warn about each dc.* argument attribute.
//
//===----------------------------------------------------------------------===//

#include "dc/Codegen/Passes.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCSTRIPARGATTRIBUTES
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;

namespace {
struct DCStripArgAttributesPass
    : public dc::impl::DCStripArgAttributesBase<DCStripArgAttributesPass> {
  using Base::Base;
  void runOnOperation() override {
    LLVM::LLVMFuncOp fn = getOperation();
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
      if (DictionaryAttr attrs = fn.getArgAttrDict(i))
        for (NamedAttribute attr : llvm::to_vector(attrs.getValue()))
          if (attr.getName().strref().starts_with("dc."))
            fn.removeArgAttr(i, attr.getName());
  }
};
} // namespace
