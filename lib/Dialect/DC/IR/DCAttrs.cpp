//===- DCAttrs.cpp - dc attributes and enums ------------------------------===//

#include "dc/Dialect/DC/IR/DCAttrs.h"
#include "dc/Dialect/DC/IR/DCDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dc;

#include "dc/Dialect/DC/IR/DCEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dc/Dialect/DC/IR/DCAttrs.cpp.inc"

void DCDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dc/Dialect/DC/IR/DCAttrs.cpp.inc"
      >();
}

static_assert(static_cast<int>(Layout::Dense) ==
                      static_cast<int>(::dc::codec::Layout::Dense) &&
                  static_cast<int>(Layout::CSR) ==
                      static_cast<int>(::dc::codec::Layout::CSR) &&
                  static_cast<int>(Layout::CSC) ==
                      static_cast<int>(::dc::codec::Layout::CSC),
              "dc::Layout must match the codec's layout codes");
static_assert(static_cast<int>(Entropy::None) ==
                      static_cast<int>(::dc::codec::Entropy::None) &&
                  static_cast<int>(Entropy::Huffman) ==
                      static_cast<int>(::dc::codec::Entropy::Huffman),
              "dc::Entropy must match the codec's entropy codes");

LogicalResult EncodingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   Layout layout, unsigned weightBits,
                                   unsigned indexBits, Entropy entropy) {
  if (weightBits < 1 || weightBits > ::dc::codec::kMaxWeightBits)
    return emitError() << "weightBits must be in [1, "
                       << ::dc::codec::kMaxWeightBits << "], got "
                       << weightBits;
  if (layout == Layout::Dense) {
    if (indexBits != 0)
      return emitError() << "indexBits must be 0 (or absent) for the dense "
                            "layout, got "
                         << indexBits;
  } else if (indexBits < 1 || indexBits > ::dc::codec::kMaxIndexBits) {
    return emitError() << "indexBits must be in [1, "
                       << ::dc::codec::kMaxIndexBits << "] for the "
                       << stringifyLayout(layout) << " layout, got "
                       << indexBits;
  }
  return success();
}

::dc::codec::Params EncodingAttr::toCodecParams() const {
  ::dc::codec::Params p;
  p.layout = static_cast<::dc::codec::Layout>(getLayout());
  p.weightBits = getWeightBits();
  p.indexBits = getIndexBits();
  p.entropy = static_cast<::dc::codec::Entropy>(getEntropy());
  return p;
}
