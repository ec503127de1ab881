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
// A failed import emits one error diagnostic located at the file
// (FILE:0:0; about one node: the node's NameLoc around it) whose message is
// "WHAT" or "node 'NAME' (OPTYPE): WHAT": an operator, attribute or domain
// the importer does not implement, a dynamic shape, external data, a
// malformed file; libonnx's exceptions are caught and reported the same
// way. Tools print it as "TOOL: error: FILE: WHAT" (importOnnxForTool).
//
// The implementation is lib/Import/Onnx (Importer.h there describes its
// parts); its operator table is the one list of supported operators.
//
//===----------------------------------------------------------------------===//

#ifndef DC_IMPORT_ONNX_ONNXIMPORT_H
#define DC_IMPORT_ONNX_ONNXIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

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

/// Imports the ONNX model in file `path` ("-" = stdin). On failure emits
/// the error (see above) on `context` and returns failure.
FailureOr<OwningOpRef<ModuleOp>>
importOnnx(StringRef path, MLIRContext &context,
           const OnnxImportOptions &options = {});

/// The same for a model already in memory; `name` stands for the file in
/// errors.
FailureOr<OwningOpRef<ModuleOp>>
importOnnxBuffer(StringRef bytes, StringRef name, MLIRContext &context,
                 const OnnxImportOptions &options = {});

/// An importer error as the tools print it: "FILE: WHAT" (WHAT alone when
/// it is not about the file, e.g. one that cannot be opened).
std::string formatOnnxImportError(const Diagnostic &diagnostic);

/// importOnnx with its error printed on stderr as "TOOL: error: FILE: WHAT".
FailureOr<OwningOpRef<ModuleOp>>
importOnnxForTool(StringRef path, MLIRContext &context, StringRef tool,
                  const OnnxImportOptions &options = {});

/// One operator of the importer's table.
struct OnnxOperatorInfo {
  StringRef name;
  /// The attributes it reads, space-separated (any other is an error).
  StringRef attributes;
  /// The opsets whose form of the operator it implements.
  int firstOpset, lastOpset;
};
/// The ONNX operators the importer implements, sorted by name.
SmallVector<OnnxOperatorInfo> onnxOperators();

/// Their names, comma-separated.
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
/// Reads one; the error is "FILE: WHAT" (or the reason the file cannot be
/// read).
llvm::Expected<OnnxTensor> readOnnxTensor(StringRef path);

/// The dialects the imported modules use.
void registerOnnxImportDialects(DialectRegistry &registry);

} // namespace mlir::dc

#endif // DC_IMPORT_ONNX_ONNXIMPORT_H
