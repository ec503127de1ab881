//===- DCAttrs.cpp - dc attributes and enums ------------------------------===//

#include "dc/Dialect/DC/IR/DCAttrs.h"
#include "dc/Dialect/DC/IR/DCDialect.h"
#include "dc/Runtime/Decode.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/SmallString.h"
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

static_assert(static_cast<int>(RuntimeForm::Dense) == DCRT_FORM_DENSE &&
                  static_cast<int>(RuntimeForm::CSR) == DCRT_FORM_CSR &&
                  static_cast<int>(RuntimeForm::Grid) == DCRT_FORM_GRID,
              "dc::RuntimeForm must match the run-time's DCRT_FORM_* codes");

LogicalResult
RuntimeLayoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          RuntimeForm form, RuntimeKernel kernel, int64_t lines,
                          int64_t lineLength, unsigned coordinateBytes,
                          unsigned indexBytes, bool transposed,
                          bool prunedEntry) {
  bool csrKernel = kernel == RuntimeKernel::Sparsifier ||
                   kernel == RuntimeKernel::FcRows ||
                   kernel == RuntimeKernel::FcGather ||
                   kernel == RuntimeKernel::ConvRows;
  if ((form == RuntimeForm::CSR) != csrKernel ||
      (kernel == RuntimeKernel::DecodePerCall && form != RuntimeForm::Grid))
    return emitError() << "kernel " << stringifyRuntimeKernel(kernel)
                       << " does not compute on the "
                       << stringifyRuntimeForm(form) << " form";
  if (form == RuntimeForm::CSR) {
    if (lines < 1)
      return emitError() << "the csr form needs lines >= 1, got " << lines;
    if (lineLength < 0)
      return emitError() << "lineLength must be >= 0, got " << lineLength;
    if (coordinateBytes != 2 && coordinateBytes != 4)
      return emitError() << "coordinateBytes must be 2 or 4, got "
                         << coordinateBytes;
  } else if (lines || lineLength || coordinateBytes) {
    return emitError() << "lines, lineLength and coordinateBytes apply to the "
                          "csr form only";
  }
  if (form == RuntimeForm::Dense) {
    if (indexBytes)
      return emitError() << "the dense form has no indexBytes";
  } else if (indexBytes != 1 && indexBytes != 2) {
    return emitError() << "indexBytes must be 1 or 2, got " << indexBytes;
  }
  if ((transposed || prunedEntry) && form != RuntimeForm::Grid)
    return emitError() << "transposed and prunedEntry apply to the grid form "
                          "only";
  if (transposed && kernel != RuntimeKernel::DenseLoops)
    return emitError() << "a transposed grid is read by dense_loops only";
  return success();
}

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

FailureOr<unsigned> mlir::dc::parseCountParameter(AsmParser &parser) {
  llvm::SMLoc loc = parser.getCurrentLocation();
  APInt value;
  OptionalParseResult result = parser.parseOptionalInteger(value);
  if (!result.has_value())
    return parser.emitError(loc, "expected an integer");
  if (failed(*result))
    return failure();
  if (value.isNegative() || value.getActiveBits() > 16 ||
      value.getZExtValue() >= 65536) {
    SmallString<24> text;
    value.toStringSigned(text);
    return parser.emitError(loc, "expected a non-negative count below "
                                 "65536, got ")
           << text;
  }
  return unsigned(value.getZExtValue());
}
