//===- DCTypes.cpp - dc types ---------------------------------------------===//

#include "dc/Dialect/DC/IR/DCTypes.h"
#include "dc/Dialect/DC/IR/DCDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dc;

/// `300x784xf32`: a static shape followed by the element type.
static ParseResult parseStaticShape(AsmParser &parser,
                                    SmallVector<int64_t> &shape,
                                    Type &elementType) {
  if (parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType))
    return failure();
  return success();
}

static void printStaticShape(AsmPrinter &printer, ArrayRef<int64_t> shape,
                             Type elementType) {
  for (int64_t d : shape)
    printer << d << 'x';
  printer << elementType;
}

#define GET_TYPEDEF_CLASSES
#include "dc/Dialect/DC/IR/DCOpsTypes.cpp.inc"

void DCDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dc/Dialect/DC/IR/DCOpsTypes.cpp.inc"
      >();
}

LogicalResult
CompressedTensorType::verify(function_ref<InFlightDiagnostic()> emitError,
                             ArrayRef<int64_t> shape, Type elementType,
                             EncodingAttr encoding) {
  if (shape.empty())
    return emitError() << "compressed tensor must have rank >= 1";
  if (!elementType.isF32())
    return emitError() << "compressed tensor element type must be f32, got "
                       << elementType;
  if (!encoding)
    return emitError() << "compressed tensor needs an encoding";
  auto matrix = ::dc::codec::matrixShapeOf(shape.data(), shape.size());
  if (!matrix.ok())
    return emitError() << "invalid compressed tensor shape: "
                       << matrix.message();
  return success();
}

int64_t CompressedTensorType::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : getShape())
    n *= d;
  return n;
}

RankedTensorType CompressedTensorType::getDenseType() const {
  return RankedTensorType::get(getShape(), getElementType());
}
