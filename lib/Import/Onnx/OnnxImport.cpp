//===- OnnxImport.cpp - The ONNX importer's interface ---------------------===//
//
// dc/Import/Onnx/OnnxImport.h: reading the file and the bound inputs,
// libonnx's preparation (OnnxProto.cpp) with the operator table as the node
// screen, then the Importer; errors as located diagnostics.
//
//===----------------------------------------------------------------------===//

#include "dc/Import/Onnx/OnnxImport.h"
#include "Importer.h"

#include "dc/Support/FileIO.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"

#include <limits>

using namespace mlir;
using namespace mlir::dc::onnx_import;

namespace {

std::string screenNode(const onnx::NodeProto &node) {
  if (!lookupOperator(node.op_type()))
    return "unsupported operator '" + node.op_type() + "'";
  // Before libonnx sees them: 1.12's shape inference for convolutions and
  // pooling divides by a stride without checking it (a stride of 0 killed
  // dc-fuzz-onnx with SIGFPE), and the importer wants all three positive.
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == "strides" || a.name() == "dilations" ||
        a.name() == "kernel_shape")
      for (int64_t v : a.ints())
        if (v < 1)
          return a.name() + " must be positive (got " + std::to_string(v) +
                 ")";
  return "";
}

/// Emits `message` about file `file` (none: a message that names its file
/// itself).
LogicalResult failAt(MLIRContext &context, StringRef file,
                     const Twine &message) {
  Location loc = file.empty()
                     ? Location(UnknownLoc::get(&context))
                     : Location(FileLineColLoc::get(&context, file, 0, 0));
  emitError(loc) << message;
  return failure();
}

} // namespace

SmallVector<mlir::dc::OnnxOperatorInfo> mlir::dc::onnxOperators() {
  SmallVector<OnnxOperatorInfo> result;
  for (const OnnxOperator &op : operatorTable())
    result.push_back({op.name, op.attributes, op.firstOpset, op.lastOpset});
  llvm::sort(result, [](const OnnxOperatorInfo &a, const OnnxOperatorInfo &b) {
    return a.name < b.name;
  });
  return result;
}

std::string mlir::dc::supportedOnnxOperators() {
  SmallVector<StringRef> names;
  for (const OnnxOperatorInfo &op : onnxOperators())
    names.push_back(op.name);
  return llvm::join(names, ", ");
}

bool mlir::dc::isOnnxPath(StringRef path) { return path.ends_with(".onnx"); }

void mlir::dc::registerOnnxImportDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, tensor::TensorDialect>();
}

std::string mlir::dc::formatOnnxImportError(const Diagnostic &diagnostic) {
  Location loc = diagnostic.getLocation();
  if (auto name = dyn_cast<NameLoc>(loc))
    loc = name.getChildLoc();
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return file.getFilename().str() + ": " + diagnostic.str();
  return diagnostic.str();
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::dc::importOnnxForTool(StringRef path, MLIRContext &context,
                            StringRef tool, const OnnxImportOptions &options) {
  ScopedDiagnosticHandler print(&context, [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error)
      llvm::errs() << tool << ": error: " << formatOnnxImportError(d) << "\n";
    return success();
  });
  return importOnnx(path, context, options);
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::dc::importOnnxBuffer(StringRef bytes, StringRef name,
                           MLIRContext &context,
                           const OnnxImportOptions &options) {
  context.loadDialect<arith::ArithDialect, func::FuncDialect,
                      linalg::LinalgDialect, math::MathDialect,
                      tensor::TensorDialect>();
  std::vector<std::pair<std::string, onnx::TensorProto>> bindings;
  for (const auto &[input, file] : options.bindInputs) {
    auto buffer = ::dc::readInputFile(file);
    if (!buffer)
      return failAt(context, "", llvm::toString(buffer.takeError()));
    onnx::TensorProto tensor;
    StringRef data = (*buffer)->getBuffer();
    std::string reason =
        proto::parseTensor(data.data(), data.size(), tensor);
    if (!reason.empty())
      return failAt(context, file, reason);
    bindings.emplace_back(input, std::move(tensor));
  }
  onnx::ModelProto model;
  std::string reason = proto::prepareModel(bytes.data(), bytes.size(), model,
                                           screenNode, bindings);
  if (!reason.empty())
    return failAt(context, name, reason);
  return Importer(context, model, name).run();
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::dc::importOnnx(StringRef path, MLIRContext &context,
                     const OnnxImportOptions &options) {
  // Over protobuf's limit: said before the file is read.
  uint64_t size = 0;
  if (path != "-" && !llvm::sys::fs::file_size(path, size) &&
      size > uint64_t(std::numeric_limits<int>::max()))
    return failAt(context, path,
                  "the file is " + std::to_string(size) +
                      " bytes, over protobuf's 2 GB limit (models that "
                      "large keep their weights as external data, which is "
                      "not supported)");
  auto buffer = ::dc::readInputFile(path);
  if (!buffer)
    return failAt(context, "", llvm::toString(buffer.takeError()));
  return importOnnxBuffer((*buffer)->getBuffer(), path, context, options);
}

llvm::Expected<mlir::dc::OnnxTensor>
mlir::dc::readOnnxTensor(StringRef path) {
  auto buffer = ::dc::readInputFile(path);
  if (!buffer)
    return buffer.takeError();
  onnx::TensorProto tensor;
  StringRef bytes = (*buffer)->getBuffer();
  std::string reason = proto::parseTensor(bytes.data(), bytes.size(), tensor);
  if (!reason.empty())
    return llvm::createStringError(path + ": " + reason);
  auto data = tensorValues(tensor);
  if (!data)
    return llvm::createStringError(path + ": " +
                                   llvm::toString(data.takeError()));
  OnnxTensor result;
  result.name = tensor.name();
  result.type = typeName(tensor.data_type());
  result.values.assign(data->begin(), data->end());
  result.shape.assign(tensor.dims().begin(), tensor.dims().end());
  return result;
}
