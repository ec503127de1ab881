//===- Elementwise.h - Scalar bodies of elementwise operators ---*- C++ -*-===//
//
// The scalar computation of each elementwise ONNX operator, as the
// operator table (Operators.cpp) names it; Elementwise.cpp defines them.
// A body reads its node's attributes (alpha, beta, gamma) through the
// importer.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_IMPORT_ONNX_ELEMENTWISE_H
#define DC_LIB_IMPORT_ONNX_ELEMENTWISE_H

#include "Importer.h"

namespace mlir::dc::onnx_import::scalar {

#define DC_ONNX_SCALAR(NAME)                                                   \
  Value NAME(const Importer &imp, OpBuilder &nb, Location nl, ValueRange a);
DC_ONNX_SCALAR(abs)
DC_ONNX_SCALAR(add)
DC_ONNX_SCALAR(atan)
DC_ONNX_SCALAR(ceil)
DC_ONNX_SCALAR(celu)
DC_ONNX_SCALAR(cos)
DC_ONNX_SCALAR(div)
DC_ONNX_SCALAR(elu)
DC_ONNX_SCALAR(erf)
DC_ONNX_SCALAR(exp)
DC_ONNX_SCALAR(floor)
DC_ONNX_SCALAR(hardSigmoid)
DC_ONNX_SCALAR(hardSwish)
DC_ONNX_SCALAR(leakyRelu)
DC_ONNX_SCALAR(log)
DC_ONNX_SCALAR(mish)
DC_ONNX_SCALAR(mul)
DC_ONNX_SCALAR(neg)
DC_ONNX_SCALAR(pow)
DC_ONNX_SCALAR(prelu)
DC_ONNX_SCALAR(reciprocal)
DC_ONNX_SCALAR(relu)
DC_ONNX_SCALAR(selu)
DC_ONNX_SCALAR(sigmoid)
DC_ONNX_SCALAR(sign)
DC_ONNX_SCALAR(sin)
DC_ONNX_SCALAR(softplus)
DC_ONNX_SCALAR(softsign)
DC_ONNX_SCALAR(sqrt)
DC_ONNX_SCALAR(sub)
DC_ONNX_SCALAR(tanh)
DC_ONNX_SCALAR(thresholdedRelu)
#undef DC_ONNX_SCALAR

} // namespace mlir::dc::onnx_import::scalar

#endif // DC_LIB_IMPORT_ONNX_ELEMENTWISE_H
