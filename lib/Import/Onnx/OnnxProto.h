//===- OnnxProto.h - libonnx calls that may throw ---------------*- C++ -*-===//
//
// The part of the ONNX importer that calls libonnx's checker, version
// converter and shape inference. Those throw C++ exceptions and Debian's
// LLVM is built without them, so this one translation unit is compiled with
// exceptions (LLVM_REQUIRES_EH, lib/Import/CMakeLists.txt) and holds no MLIR
// or LLVM code: every exception is caught here and comes back as a plain
// error string.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_IMPORT_ONNXPROTO_H
#define DC_LIB_IMPORT_ONNXPROTO_H

// onnx_pb.h defines ONNX_API and includes onnx-ml.pb.h (ONNX_ML=1).
#include "onnx/onnx_pb.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace dc::onnx_import {

/// The opset of the default ("" / "ai.onnx") domain the importer reads:
/// every model is converted to it first.
constexpr int kTargetOpset = 17;

/// Parses the ModelProto in `data[0, size)` into `model`, rejects what the
/// importer cannot read (another operator domain, external data, no default
/// opset), runs ONNX's checker, converts the model to kTargetOpset with
/// ONNX's version converter and infers every value's type and shape with
/// ONNX's shape inference (strict, with data propagation). Returns "" on
/// success, otherwise the reason; a reason about one node starts with
/// "node 'NAME' (OPTYPE): ". Never throws.
/// `screenNode` (may be null) is asked about every node before the checker
/// runs and returns "" or why the importer cannot take the node (e.g. an
/// operator it does not implement), so that such a node is reported by name
/// rather than through whatever libonnx makes of it.
using NodeScreen = std::string (*)(const onnx::NodeProto &node);
/// `bindings` (input name, value) replace graph inputs by initializers
/// first.
std::string
prepareModel(const void *data, size_t size, onnx::ModelProto &model,
             NodeScreen screenNode,
             const std::vector<std::pair<std::string, onnx::TensorProto>>
                 &bindings = {});

/// Parses a TensorProto (the test data sets' input_K.pb / output_K.pb).
/// Returns "" on success, otherwise the reason. Never throws.
std::string parseTensor(const void *data, size_t size,
                        onnx::TensorProto &tensor);

/// "node 'NAME' (OPTYPE)", or for an unnamed node "node producing 'OUT'
/// (OPTYPE)".
std::string describeNode(const onnx::NodeProto &node);

} // namespace dc::onnx_import

#endif // DC_LIB_IMPORT_ONNXPROTO_H
