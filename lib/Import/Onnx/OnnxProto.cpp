//===- OnnxProto.cpp - libonnx calls that may throw -----------------------===//
//
// Compiled with exceptions (see OnnxProto.h): the checker, the version
// converter and shape inference report problems by throwing, and every
// throw ends here as an error string.
//
//===----------------------------------------------------------------------===//

#include "OnnxProto.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

#include <climits>
#include <exception>
#include <unordered_set>

using namespace dc::onnx_import;

std::string dc::onnx_import::describeNode(const onnx::NodeProto &node) {
  std::string s = "node ";
  if (!node.name().empty())
    s += "'" + node.name() + "'";
  else if (node.output_size() > 0)
    s += "producing '" + node.output(0) + "'";
  else
    s += "(unnamed)";
  return s + " (" + node.op_type() + ")";
}

namespace {

bool isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

bool isExternal(const onnx::TensorProto &t) {
  return t.data_location() == onnx::TensorProto::EXTERNAL ||
         t.external_data_size() > 0;
}

/// What must be rejected before libonnx looks at the model: another
/// domain's operators (the checker and converter know none of them) and
/// external data (they would go looking for the files).
std::string screen(const onnx::ModelProto &model, NodeScreen screenNode) {
  const onnx::GraphProto &graph = model.graph();
  for (const onnx::TensorProto &t : graph.initializer())
    if (isExternal(t))
      return "initializer '" + t.name() +
             "' keeps its data in an external file, which is not supported "
             "(save the model with its weights inside)";
  if (graph.sparse_initializer_size() > 0)
    return "sparse initializer '" +
           graph.sparse_initializer(0).values().name() +
           "' is not supported";
  // Every value defined before use and every graph output defined: libonnx
  // 1.12's version converter dereferences a null pointer for an output no
  // node produces (found by dc-fuzz-onnx), so this is checked first.
  std::unordered_set<std::string> defined;
  for (const onnx::ValueInfoProto &v : graph.input())
    defined.insert(v.name());
  for (const onnx::TensorProto &t : graph.initializer())
    defined.insert(t.name());
  for (const onnx::NodeProto &node : graph.node()) {
    for (const std::string &in : node.input())
      if (!in.empty() && !defined.count(in))
        return describeNode(node) + ": input '" + in +
               "' is not defined before the node";
    for (const std::string &out : node.output())
      defined.insert(out);
  }
  for (const onnx::ValueInfoProto &v : graph.output())
    if (!defined.count(v.name()))
      return "graph output '" + v.name() + "' is not computed by any node";
  for (const onnx::NodeProto &node : graph.node()) {
    if (!isDefaultDomain(node.domain()))
      return describeNode(node) + ": operator domain '" + node.domain() +
             "' is not supported (only the default ONNX domain is)";
    if (screenNode)
      if (std::string error = screenNode(node); !error.empty())
        return describeNode(node) + ": " + error;
    for (const onnx::AttributeProto &a : node.attribute()) {
      if (a.has_t() && isExternal(a.t()))
        return describeNode(node) + ": attribute '" + a.name() +
               "' keeps its data in an external file, which is not "
               "supported";
    }
  }
  return "";
}

} // namespace

std::string dc::onnx_import::prepareModel(
    const void *data, size_t size, onnx::ModelProto &model,
    NodeScreen screenNode,
    const std::vector<std::pair<std::string, onnx::TensorProto>> &bindings) {
  if (size > size_t(INT_MAX))
    return "the file is " + std::to_string(size) +
           " bytes, over protobuf's 2 GB limit (models that large keep "
           "their weights as external data, which is not supported)";
  try {
    if (!model.ParseFromArray(data, int(size)))
      return "not an ONNX model (the file does not parse as an "
             "onnx.ModelProto)";
    if (!model.has_graph())
      return "the model has no graph";
    onnx::GraphProto &graph = *model.mutable_graph();
    for (const auto &[name, value] : bindings) {
      int found = -1;
      for (int i = 0; i < graph.input_size(); ++i)
        if (graph.input(i).name() == name)
          found = i;
      if (found < 0)
        return "there is no graph input '" + name + "' to bind";
      graph.mutable_input()->DeleteSubrange(found, 1);
      onnx::TensorProto *t = nullptr;
      for (onnx::TensorProto &init : *graph.mutable_initializer())
        if (init.name() == name)
          t = &init;
      if (!t)
        t = graph.add_initializer();
      *t = value;
      t->set_name(name);
    }
    if (std::string error = screen(model, screenNode); !error.empty())
      return error;
    int64_t opset = -1;
    for (const onnx::OperatorSetIdProto &id : model.opset_import())
      if (isDefaultDomain(id.domain()))
        opset = id.version();
    if (opset < 0)
      return "the model imports no opset of the default ONNX domain";
    if (opset > kTargetOpset)
      return "the model uses opset " + std::to_string(opset) +
             ", newer than the " + std::to_string(kTargetOpset) +
             " this importer reads";
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      return std::string("ONNX's checker rejects the model: ") + e.what();
    }
    if (opset < kTargetOpset) {
      // Some adapters need shapes (Softmax 12 -> 13 reshapes through them):
      // a first, lenient inference; its errors show in the strict one.
      try {
        onnx::shape_inference::InferShapes(model,
                                           onnx::OpSchemaRegistry::Instance());
      } catch (const std::exception &) {
      }
      try {
        model = onnx::version_conversion::ConvertVersion(model, kTargetOpset);
      } catch (const std::exception &e) {
        return "ONNX's version converter cannot convert the model from opset " +
               std::to_string(opset) + " to " + std::to_string(kTargetOpset) +
               ": " + e.what();
      }
    }
    try {
      onnx::ShapeInferenceOptions options(/*check_type_val=*/true,
                                          /*strict_mode_val=*/1,
                                          /*data_prop_val=*/true);
      onnx::shape_inference::InferShapes(
          model, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception &e) {
      return std::string("ONNX's shape inference fails: ") + e.what();
    }
  } catch (const std::exception &e) {
    return std::string("cannot read the model: ") + e.what();
  } catch (...) {
    return "cannot read the model (libonnx failed)";
  }
  return "";
}

std::string dc::onnx_import::parseTensor(const void *data, size_t size,
                                         onnx::TensorProto &tensor) {
  if (size > size_t(INT_MAX))
    return "the file is over protobuf's 2 GB limit";
  try {
    if (!tensor.ParseFromArray(data, int(size)))
      return "not an ONNX tensor (the file does not parse as an "
             "onnx.TensorProto)";
  } catch (...) {
    return "not an ONNX tensor";
  }
  return "";
}
