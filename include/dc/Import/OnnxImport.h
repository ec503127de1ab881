//===- OnnxImport.h - ONNX models as linalg on tensors ----------*- C++ -*-===//
//
// dc's ONNX front end. An ONNX ModelProto is read with libonnx (protobuf),
// checked with ONNX's checker, converted to one opset (17) with ONNX's
// version converter and given static shapes by ONNX's shape inference; its
// graph then becomes
//
//   func.func @forward(%input0: tensor<...xf32>, ...) -> (tensor<...>, ...)
//
// in linalg on tensors, in the shape torch-mlir gives PyTorch models (so
// dc's compression recognises the layers): initializers are
// `arith.constant dense_resource<INITIALIZER_NAME>`, and every op carries
// the ONNX node's name as a NameLoc (an unnamed node: its first output's
// name), which dc-compress's `layer=NAME` and the report use. Graph inputs
// and outputs stay in their order.
//
// Errors are strings "FILE: WHAT" (about one node: "FILE: node 'NAME'
// (OPTYPE): WHAT"): an operator, attribute or domain the importer does not
// implement, a dynamic shape, external data, a malformed file; libonnx's
// exceptions are caught and reported the same way.
//
//===----------------------------------------------------------------------===//

#ifndef DC_IMPORT_ONNXIMPORT_H
#define DC_IMPORT_ONNXIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::dc {

/// Imports the ONNX model in file `path` ("-" = stdin). On failure returns
/// failure and sets `error` (see above).
FailureOr<OwningOpRef<ModuleOp>> importOnnx(StringRef path,
                                            MLIRContext &context,
                                            std::string &error);

/// The same for a model already in memory; `name` stands for the file in
/// errors.
FailureOr<OwningOpRef<ModuleOp>> importOnnxBuffer(StringRef bytes,
                                                  StringRef name,
                                                  MLIRContext &context,
                                                  std::string &error);

/// Whether `path` names an ONNX model (ends in .onnx).
bool isOnnxPath(StringRef path);

/// A TensorProto file (ONNX's test data: input_K.pb, output_K.pb) as f32
/// values, little-endian order of the tensor, and its shape. Float, double
/// and integer tensors are converted to f32.
LogicalResult readOnnxTensor(StringRef path, std::vector<float> &values,
                             std::vector<int64_t> &shape, std::string &error);

/// The dialects the imported modules use.
void registerOnnxImportDialects(DialectRegistry &registry);

} // namespace mlir::dc

#endif // DC_IMPORT_ONNXIMPORT_H
