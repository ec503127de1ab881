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

struct OnnxImportOptions {
  /// Graph inputs bound to constants before anything else looks at the
  /// model: (input name, TensorProto file). A shape or axes operand that is
  /// a graph input (ONNX's Reshape/Squeeze/Unsqueeze node tests) becomes an
  /// initializer; the input leaves @forward's arguments.
  std::vector<std::pair<std::string, std::string>> bindInputs;
};

/// Imports the ONNX model in file `path` ("-" = stdin). On failure returns
/// failure and sets `error` (see above).
FailureOr<OwningOpRef<ModuleOp>>
importOnnx(StringRef path, MLIRContext &context, std::string &error,
           const OnnxImportOptions &options = {});

/// The same for a model already in memory; `name` stands for the file in
/// errors.
FailureOr<OwningOpRef<ModuleOp>>
importOnnxBuffer(StringRef bytes, StringRef name, MLIRContext &context,
                 std::string &error, const OnnxImportOptions &options = {});

/// The ONNX operators the importer implements, sorted, comma-separated.
std::string supportedOnnxOperators();

/// Whether `path` names an ONNX model (ends in .onnx).
bool isOnnxPath(StringRef path);

/// A TensorProto file (ONNX's test data: input_K.pb, output_K.pb).
struct OnnxTensor {
  std::string name;          ///< The tensor's name (the graph value's).
  std::string type;          ///< Its element type: float, int64, ...
  std::vector<int64_t> shape;
  std::vector<float> values; ///< Row-major; double and integers as f32.
};
LogicalResult readOnnxTensor(StringRef path, OnnxTensor &tensor,
                             std::string &error);

/// The dialects the imported modules use.
void registerOnnxImportDialects(DialectRegistry &registry);

} // namespace mlir::dc

#endif // DC_IMPORT_ONNXIMPORT_H
