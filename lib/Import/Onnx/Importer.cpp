//===- Importer.cpp - The ONNX importer's graph walk ----------------------===//
//
// Values, initializers, graph inputs and outputs, the dispatch of each node
// through the operator table, and the final verification (Importer.h).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/Endian.h"

#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::dc::onnx_import;

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

std::string mlir::dc::onnx_import::typeName(int type) {
  switch (type) {
  case onnx::TensorProto::FLOAT: return "float";
  case onnx::TensorProto::UINT8: return "uint8";
  case onnx::TensorProto::INT8: return "int8";
  case onnx::TensorProto::UINT16: return "uint16";
  case onnx::TensorProto::INT16: return "int16";
  case onnx::TensorProto::INT32: return "int32";
  case onnx::TensorProto::INT64: return "int64";
  case onnx::TensorProto::STRING: return "string";
  case onnx::TensorProto::BOOL: return "bool";
  case onnx::TensorProto::FLOAT16: return "float16";
  case onnx::TensorProto::DOUBLE: return "double";
  case onnx::TensorProto::UINT32: return "uint32";
  case onnx::TensorProto::UINT64: return "uint64";
  case onnx::TensorProto::BFLOAT16: return "bfloat16";
  default: return "type " + std::to_string(type);
  }
}

std::string mlir::dc::onnx_import::shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

int64_t mlir::dc::onnx_import::toInt64(double v) {
  if (!(v > -9.2e18))
    return v != v ? 0 : std::numeric_limits<int64_t>::min();
  if (v >= 9.2e18)
    return std::numeric_limits<int64_t>::max();
  return int64_t(v);
}

llvm::Expected<std::vector<double>>
mlir::dc::onnx_import::tensorValues(const onnx::TensorProto &t) {
  auto error = [](const std::string &message) {
    return llvm::createStringError(message);
  };
  int64_t n = elementCount(t.dims());
  if (n < 0)
    return error("tensor '" + t.name() +
                 "' has a negative or too large shape");
  std::vector<double> out;
  const std::string &raw = t.raw_data();
  auto fromRaw = [&](size_t width,
                     auto decode) -> llvm::Expected<std::vector<double>> {
    if (raw.size() != size_t(n) * width)
      return error("tensor '" + t.name() + "' holds " +
                   std::to_string(raw.size()) + " bytes of data for " +
                   std::to_string(n) + " elements");
    out.reserve(n);
    for (int64_t i = 0; i < n; ++i)
      out.push_back(decode(raw.data() + i * width));
    return std::move(out);
  };
  using namespace llvm::support;
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (t.has_raw_data())
      return fromRaw(4, [](const char *p) {
        uint32_t bits = endian::read32le(p);
        float f;
        memcpy(&f, &bits, 4);
        return double(f);
      });
    out.assign(t.float_data().begin(), t.float_data().end());
    break;
  case onnx::TensorProto::DOUBLE:
    if (t.has_raw_data())
      return fromRaw(8, [](const char *p) {
        uint64_t bits = endian::read64le(p);
        double d;
        memcpy(&d, &bits, 8);
        return d;
      });
    out.assign(t.double_data().begin(), t.double_data().end());
    break;
  case onnx::TensorProto::INT64:
    if (t.has_raw_data())
      return fromRaw(
          8, [](const char *p) { return double(int64_t(endian::read64le(p))); });
    out.assign(t.int64_data().begin(), t.int64_data().end());
    break;
  case onnx::TensorProto::INT32:
    if (t.has_raw_data())
      return fromRaw(
          4, [](const char *p) { return double(int32_t(endian::read32le(p))); });
    out.assign(t.int32_data().begin(), t.int32_data().end());
    break;
  default:
    return error("tensor '" + t.name() + "' has element type " +
                 typeName(t.data_type()) +
                 ", which is not supported (float, double, int32, int64 are)");
  }
  if (int64_t(out.size()) != n)
    return error("tensor '" + t.name() + "' holds " +
                 std::to_string(out.size()) + " values for " +
                 std::to_string(n) + " elements");
  return std::move(out);
}

//===----------------------------------------------------------------------===//
// Errors, values and attributes
//===----------------------------------------------------------------------===//

Location Importer::fileLoc() {
  return FileLineColLoc::get(b.getStringAttr(file), 0, 0);
}

LogicalResult Importer::failWithoutNode(const std::string &message) {
  if (!reported)
    emitError(fileLoc()) << message;
  reported = true;
  return failure();
}

LogicalResult Importer::fail(const std::string &message) {
  if (!node)
    return failWithoutNode(message);
  if (!reported) {
    Location where = fileLoc();
    if (auto name = dyn_cast<NameLoc>(loc))
      where = NameLoc::get(name.getName(), where);
    emitError(where) << proto::describeNode(*node) << ": " << message;
  }
  reported = true;
  return failure();
}

LogicalResult Importer::allowAttrs(StringRef names) {
  SmallVector<StringRef> allowed;
  names.split(allowed, ' ', -1, /*KeepEmpty=*/false);
  for (const onnx::AttributeProto &a : node->attribute())
    if (llvm::find(allowed, StringRef(a.name())) == allowed.end())
      return fail("unsupported attribute '" + a.name() + "'");
  return success();
}

FailureOr<SmallVector<int64_t>> Importer::shapeOf(const std::string &name,
                                                  StringRef what) {
  auto it = types.find(name);
  if (it == types.end() || !it->second->has_tensor_type())
    return fail("dynamic shape: ONNX's shape inference gives " + what.str() +
                " '" + name + "' no type");
  const onnx::TypeProto::Tensor &t = it->second->tensor_type();
  if (t.elem_type() != onnx::TensorProto::FLOAT)
    return fail(what.str() + " '" + name + "' has element type " +
                typeName(t.elem_type()) +
                ", which is not supported (only float tensors are" +
                (what == "input" && t.elem_type() == onnx::TensorProto::INT64
                     ? "; a shape or axes operand must be an initializer or "
                       "a Constant"
                     : "") +
                ")");
  if (!t.has_shape())
    return fail("dynamic shape: ONNX's shape inference gives " + what.str() +
                " '" + name + "' no shape");
  SmallVector<int64_t> shape;
  for (int i = 0; i < t.shape().dim_size(); ++i) {
    const onnx::TensorShapeProto::Dimension &d = t.shape().dim(i);
    if (!d.has_dim_value() || d.dim_value() < 0)
      return fail("dynamic shape: dimension " + std::to_string(i) + " of " +
                  what.str() + " '" + name + "' has no static size" +
                  (d.has_dim_param() ? " ('" + d.dim_param() + "')" : "") +
                  " (dc compiles static shapes only)");
    shape.push_back(d.dim_value());
  }
  if (elementCount(shape) < 0)
    return fail(what.str() + " '" + name + "' is too large " +
                shapeString(shape));
  return shape;
}

/// `reshaped` (same element count): the constant is made in that shape and
/// not kept as the initializer's value (a conv weight seen through a
/// reshape is still recognised as the layer's weight).
FailureOr<Value> Importer::materialize(const std::string &name,
                                       ArrayRef<int64_t> reshaped) {
  const onnx::TensorProto *t = constants.lookup(name);
  auto data = tensorValues(*t);
  if (!data)
    return fail(llvm::toString(data.takeError()));
  if (t->data_type() != onnx::TensorProto::FLOAT &&
      t->data_type() != onnx::TensorProto::DOUBLE)
    return fail("constant '" + name + "' is an integer tensor used as data "
                "(only float tensors are)");
  SmallVector<int64_t> dims(t->dims().begin(), t->dims().end());
  if (!reshaped.empty())
    dims.assign(reshaped.begin(), reshaped.end());
  auto type = tensorType(dims);
  // A scalar stays an inline dense<>: upstream's memref.global lowering
  // (convert-to-llvm) aborts on a rank-0 dense_resource initializer
  // ("ElementsAttr does not provide iteration facilities"), and a scalar is
  // not a layer's weight.
  if (type.getRank() == 0) {
    Value v = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, float((*data)[0])));
    values[name] = v;
    return v;
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(
      data->size() * sizeof(float), alignof(float));
  auto *out = reinterpret_cast<float *>(blob.getMutableData().data());
  for (size_t i = 0; i < data->size(); ++i)
    out[i] = float((*data)[i]);
  auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
  Value v = arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  if (reshaped.empty())
    values[name] = v;
  return v;
}

/// Input `index` in `shape` (a reshape of it): a constant not used yet is
/// made in that shape directly, as torch-mlir's weights are.
FailureOr<Value> Importer::weightAs(int index, ArrayRef<int64_t> shape) {
  if (const onnx::TensorProto *t = unmaterializedInput(index))
    if (elementCount(t->dims()) == elementCount(shape) &&
        (t->data_type() == onnx::TensorProto::FLOAT ||
         t->data_type() == onnx::TensorProto::DOUBLE))
      return materialize(node->input(index), shape);
  FailureOr<Value> v = get(index);
  if (failed(v))
    return failure();
  return reshapeTo(*v, shape);
}

FailureOr<Value> Importer::get(int index) {
  if (!has(index))
    return fail("input " + std::to_string(index) + " is missing");
  const std::string &name = node->input(index);
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  if (constants.count(name))
    return materialize(name);
  return fail("input '" + name + "' is not defined before the node");
}

FailureOr<SmallVector<Value>> Importer::inputs(int count) {
  SmallVector<Value> result;
  for (int i = 0; i < count; ++i) {
    FailureOr<Value> v = get(i);
    if (failed(v))
      return failure();
    result.push_back(*v);
  }
  return result;
}

LogicalResult Importer::constantInts(int index, std::vector<int64_t> &out,
                                     StringRef what) {
  const onnx::TensorProto *t = constantInput(index);
  if (!t)
    return fail(what.str() + " must be a constant (an initializer or a "
                             "Constant node)");
  auto data = tensorValues(*t);
  if (!data)
    return fail(llvm::toString(data.takeError()));
  out.clear();
  for (double v : *data)
    out.push_back(toInt64(v));
  return success();
}

FailureOr<float> Importer::constantScalar(int index, StringRef what) {
  const onnx::TensorProto *t = constantInput(index);
  if (!t)
    return failure();
  auto data = tensorValues(*t);
  if (!data)
    return fail(llvm::toString(data.takeError()));
  if (data->size() != 1)
    return fail(what.str() + " must hold one value");
  return float((*data)[0]);
}

LogicalResult Importer::setResult(int index, Value value) {
  const std::string &name = node->output(index);
  FailureOr<SmallVector<int64_t>> expected = shapeOf(name, "output");
  if (failed(expected))
    return failure();
  if (ArrayRef<int64_t>(*expected) != shape(value))
    return fail("internal error: the importer computes shape " +
                shapeString(shape(value)) + " for output '" + name +
                "' but ONNX's shape inference gives " +
                shapeString(*expected));
  values[name] = value;
  return success();
}

onnx::TensorProto &Importer::newConstant() {
  onnx::TensorProto &c = ownedTensors.emplace_back();
  c.set_name(node->output(0));
  constants[node->output(0)] = &c;
  return c;
}

//===----------------------------------------------------------------------===//
// The graph walk
//===----------------------------------------------------------------------===//

LogicalResult Importer::importNode() {
  FailureOr<bool> folded = foldInt64();
  if (failed(folded))
    return failure();
  if (*folded)
    return success();
  const OnnxOperator *op = lookupOperator(node->op_type());
  if (!op)
    return fail("unsupported operator '" + node->op_type() + "'");
  if (!op->handlerChecksAttributes && failed(allowAttrs(op->attributes)))
    return failure();
  return (this->*(op->handler))(*op);
}

void Importer::collectGraph() {
  const onnx::GraphProto &graph = model.graph();
  for (const onnx::ValueInfoProto &v : graph.input())
    types[v.name()] = &v.type();
  for (const onnx::ValueInfoProto &v : graph.value_info())
    types[v.name()] = &v.type();
  for (const onnx::ValueInfoProto &v : graph.output())
    types[v.name()] = &v.type();
  for (const onnx::TensorProto &t : graph.initializer()) {
    constants[t.name()] = &t;
    initializers.insert(t.name());
  }
}

/// func.func @forward with one argument per graph input that is not an
/// initializer; the arguments are the inputs' values.
FailureOr<func::FuncOp>
Importer::beginForward(ModuleOp module, SmallVectorImpl<Type> &argTypes) {
  const onnx::GraphProto &graph = model.graph();
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const onnx::ValueInfoProto &v : graph.input()) {
    if (initializers.contains(v.name()))
      continue; // An initializer listed as an input (IR version < 4).
    FailureOr<SmallVector<int64_t>> s = shapeOf(v.name(), "input");
    if (failed(s))
      return failure();
    argTypes.push_back(tensorType(*s));
    args.push_back(&v);
  }
  if (graph.output_size() == 0)
    return failWithoutNode("the graph has no outputs");
  if (args.empty())
    return failWithoutNode("the graph has no inputs (a compiled @forward "
                           "takes at least one)");
  auto func = func::FuncOp::create(b, UnknownLoc::get(&ctx), "forward",
                                   b.getFunctionType(argTypes, {}));
  SmallVector<Location> argLocs;
  for (const onnx::ValueInfoProto *v : args)
    argLocs.push_back(NameLoc::get(b.getStringAttr(v->name())));
  Block *entry = b.createBlock(&func.getBody(), {}, argTypes, argLocs);
  for (auto [v, arg] : llvm::zip(args, entry->getArguments()))
    values[v->name()] = arg;
  return func;
}

/// Every node in order; `nodeOps` gets the operator of each node, by the
/// name its ops' locations carry.
LogicalResult Importer::importNodes(llvm::StringMap<std::string> &nodeOps) {
  for (const onnx::NodeProto &n : model.graph().node()) {
    node = &n;
    std::string name = n.name();
    if (name.empty() && n.output_size() > 0)
      name = n.output(0);
    nodeOps.try_emplace(name, n.op_type());
    loc = NameLoc::get(b.getStringAttr(name));
    if (failed(importNode()))
      return failure();
  }
  node = nullptr;
  loc = UnknownLoc::get(&ctx);
  return success();
}

FailureOr<SmallVector<Value>> Importer::graphResults() {
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &v : model.graph().output()) {
    FailureOr<SmallVector<int64_t>> s = shapeOf(v.name(), "output");
    if (failed(s))
      return failure();
    Value r = values.lookup(v.name());
    if (!r && constants.count(v.name())) {
      FailureOr<Value> c = materialize(v.name());
      if (failed(c))
        return failure();
      r = *c;
    }
    if (!r)
      return failWithoutNode("graph output '" + v.name() +
                             "' is not computed by any node");
    results.push_back(r);
  }
  return results;
}

/// Shapes the checker and shape inference let through (a Gemm weight too
/// narrow, a Reshape to another element count) make ops that do not
/// verify: the first verifier message, with the node it came from.
LogicalResult
Importer::verifyImported(ModuleOp module,
                         const llvm::StringMap<std::string> &nodeOps) {
  std::string firstMessage;
  Location firstLoc = UnknownLoc::get(&ctx);
  LogicalResult verified = success();
  {
    ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
      if (d.getSeverity() == DiagnosticSeverity::Error && firstMessage.empty()) {
        firstMessage = d.str();
        firstLoc = d.getLocation();
      }
      return success();
    });
    verified = verify(module);
  }
  if (succeeded(verified))
    return success();
  std::string where;
  if (auto name = dyn_cast<NameLoc>(firstLoc)) {
    StringRef nodeName = name.getName().strref();
    auto op = nodeOps.find(nodeName);
    where = "node '" + nodeName.str() + "'" +
            (op == nodeOps.end() ? "" : " (" + op->second + ")") + ": ";
  }
  if (where.empty())
    return failWithoutNode("the imported graph is inconsistent (" +
                           firstMessage + ")");
  return failWithoutNode(where + "the node's shapes are inconsistent (" +
                         firstMessage +
                         "); ONNX's checker and shape inference did not "
                         "catch it");
}

FailureOr<OwningOpRef<ModuleOp>> Importer::run() {
  collectGraph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
  SmallVector<Type> argTypes;
  FailureOr<func::FuncOp> func = beginForward(*module, argTypes);
  if (failed(func))
    return failure();
  llvm::StringMap<std::string> nodeOps;
  if (failed(importNodes(nodeOps)))
    return failure();
  FailureOr<SmallVector<Value>> results = graphResults();
  if (failed(results))
    return failure();
  func::ReturnOp::create(b, UnknownLoc::get(&ctx), *results);
  func->setFunctionType(
      b.getFunctionType(argTypes, ValueRange(*results).getTypes()));
  if (failed(verifyImported(*module, nodeOps)))
    return failure();
  return module;
}
