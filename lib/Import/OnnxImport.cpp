//===- OnnxImport.cpp - ONNX models as linalg on tensors ------------------===//
//
// Builds func.func @forward from the ModelProto that OnnxProto.cpp loaded,
// checked, converted to opset 17 and shape-inferred. Reads the proto only
// through its generated accessors (no libonnx call that may throw).
//
//===----------------------------------------------------------------------===//

#include "dc/Import/OnnxImport.h"
#include "OnnxProto.h"

#include "dc/Support/FileIO.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"

#include <cmath>
#include <deque>
#include <functional>
#include <limits>

using namespace mlir;
namespace oi = ::dc::onnx_import;

namespace {

using Body = std::function<Value(OpBuilder &, Location, ValueRange)>;

/// The operators the importer implements (opset 17 forms).
const llvm::StringSet<> &supportedOps() {
  static const llvm::StringSet<> ops = {
      "Atan", "Ceil", "Celu", "Cos", "Erf", "Floor", "HardSwish", "Mish",
      "Sign", "Sin", "ThresholdedRelu", "Split", "Slice", "Expand",
      "Shape", "Size", "CastLike", "ConstantOfShape", "InstanceNormalization",
      "Abs", "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat",
      "Constant", "Conv", "ConvTranspose", "Div", "Dropout", "Elu", "Exp", "Flatten", "Gemm",
      "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "Identity",
      "LayerNormalization", "LeakyRelu", "Log", "LogSoftmax", "MatMul", "Max", "MaxPool", "Mean",
      "Min", "Mul", "Neg", "Pad", "Pow", "PRelu", "Reciprocal", "ReduceL1", "ReduceL2",
      "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd",
      "ReduceSum", "ReduceSumSquare", "Relu", "Reshape", "Selu", "Sigmoid",
      "Softmax", "Softplus", "Softsign", "Sqrt", "Squeeze", "Sub", "Sum",
      "Tanh", "Transpose", "Unsqueeze"};
  return ops;
}

std::string screenNode(const onnx::NodeProto &node) {
  if (!supportedOps().contains(node.op_type()))
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

std::string typeName(int type) {
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

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

/// Limits that keep sizes and window arithmetic far from overflow.
constexpr int64_t kMaxDim = int64_t(1) << 31;
constexpr int64_t kMaxElements = int64_t(1) << 40;
constexpr int64_t kMaxWindow = int64_t(1) << 24;

/// A double as int64, clamped (an int64 read through a double may round up
/// past INT64_MAX, e.g. Slice's "to the end").
int64_t toInt64(double v) {
  if (!(v > -9.2e18))
    return v != v ? 0 : std::numeric_limits<int64_t>::min();
  if (v >= 9.2e18)
    return std::numeric_limits<int64_t>::max();
  return int64_t(v);
}

/// The number of elements of `dims`, or -1 when a dimension is negative or
/// the tensor is larger than kMaxDim / kMaxElements allow.
template <typename Range> int64_t elementCount(const Range &dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || d > kMaxDim || (d && n > kMaxElements / d))
      return -1;
    n *= d;
  }
  return n;
}

/// A tensor's values as doubles (float, double and integer types).
LogicalResult tensorValues(const onnx::TensorProto &t,
                           std::vector<double> &out, std::string &error) {
  int64_t n = elementCount(t.dims());
  if (n < 0) {
    error = "tensor '" + t.name() + "' has a negative or too large shape";
    return failure();
  }
  out.clear();
  const std::string &raw = t.raw_data();
  auto fromRaw = [&](size_t width, auto decode) {
    if (raw.size() != size_t(n) * width) {
      error = "tensor '" + t.name() + "' holds " + std::to_string(raw.size()) +
              " bytes of data for " + std::to_string(n) + " elements";
      return failure();
    }
    out.reserve(n);
    for (int64_t i = 0; i < n; ++i)
      out.push_back(decode(raw.data() + i * width));
    return success();
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
    error = "tensor '" + t.name() + "' has element type " +
            typeName(t.data_type()) +
            ", which is not supported (float, double, int32, int64 are)";
    return failure();
  }
  if (int64_t(out.size()) != n) {
    error = "tensor '" + t.name() + "' holds " + std::to_string(out.size()) +
            " values for " + std::to_string(n) + " elements";
    return failure();
  }
  return success();
}

class Importer {
public:
  Importer(MLIRContext &ctx, const onnx::ModelProto &model, StringRef file)
      : ctx(ctx), b(&ctx), model(model), file(file.str()),
        f32(b.getF32Type()), loc(UnknownLoc::get(&ctx)) {}

  FailureOr<OwningOpRef<ModuleOp>> run(std::string &errorOut);

private:
  // --- errors -----------------------------------------------------------
  LogicalResult fail(const std::string &message) {
    if (error.empty())
      error = (node ? oi::describeNode(*node) + ": " : std::string()) +
              message;
    return failure();
  }

  // --- types and values ---------------------------------------------------
  FailureOr<SmallVector<int64_t>> shapeOf(const std::string &name,
                                          StringRef what);
  FailureOr<Value> get(int index);
  FailureOr<Value> materialize(const std::string &name,
                               ArrayRef<int64_t> reshaped = {});
  FailureOr<Value> weightAs(int index, ArrayRef<int64_t> shape);
  bool has(int index) const {
    return index < node->input_size() && !node->input(index).empty();
  }
  const onnx::TensorProto *constantInput(int index) const {
    if (!has(index))
      return nullptr;
    auto it = constants.find(node->input(index));
    return it == constants.end() ? nullptr : it->second;
  }
  LogicalResult constantInts(int index, std::vector<int64_t> &out,
                             StringRef what);
  FailureOr<float> constantScalar(int index, StringRef what);
  LogicalResult setResult(int index, Value value);
  RankedTensorType tensorType(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, f32);
  }
  static ArrayRef<int64_t> shape(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }

  // --- attributes ---------------------------------------------------------
  const onnx::AttributeProto *attr(StringRef name) const {
    for (const onnx::AttributeProto &a : node->attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  LogicalResult allowAttrs(std::initializer_list<StringRef> names) {
    for (const onnx::AttributeProto &a : node->attribute())
      if (llvm::find(names, StringRef(a.name())) == names.end())
        return fail("unsupported attribute '" + a.name() + "'");
    return success();
  }
  int64_t intAttr(StringRef name, int64_t dflt) const {
    const onnx::AttributeProto *a = attr(name);
    return a ? a->i() : dflt;
  }
  float floatAttr(StringRef name, float dflt) const {
    const onnx::AttributeProto *a = attr(name);
    return a ? a->f() : dflt;
  }
  std::string stringAttr(StringRef name, StringRef dflt) const {
    const onnx::AttributeProto *a = attr(name);
    return a ? a->s() : dflt.str();
  }
  std::vector<int64_t> intsAttr(StringRef name) const {
    const onnx::AttributeProto *a = attr(name);
    if (!a)
      return {};
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
  }
  std::optional<int64_t> normAxis(int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= rank)
      return std::nullopt;
    return axis < 0 ? axis + rank : axis;
  }

  // --- building blocks ----------------------------------------------------
  Value fill(ArrayRef<int64_t> shape, float value) {
    Value empty = tensor::EmptyOp::create(b, loc, shape, f32);
    Value scalar = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
    return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
        .getResult(0);
  }
  Value scalarConstant(float value) {
    auto type = tensorType({});
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(type, value));
  }
  Value elementwise(ArrayRef<Value> inputs, ArrayRef<int64_t> outShape,
                    const Body &body);
  /// Whether every input broadcasts to `out` (numpy rules).
  LogicalResult checkBroadcast(ArrayRef<Value> inputs, ArrayRef<int64_t> out) {
    for (Value in : inputs) {
      ArrayRef<int64_t> s = shape(in);
      if (s.size() > out.size())
        return fail("an input does not broadcast to the output's shape");
      for (size_t j = 0; j < s.size(); ++j) {
        int64_t o = out[out.size() - s.size() + j];
        if (s[j] != o && s[j] != 1)
          return fail("an input does not broadcast to the output's shape");
      }
    }
    return success();
  }
  Value unary(Value x, const Body &body) {
    return elementwise({x}, shape(x), body);
  }
  Value reshapeTo(Value x, ArrayRef<int64_t> target);
  Value transpose(Value x, ArrayRef<int64_t> perm);
  Value pad(Value x, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
            float value, Value runtimeValue = {});
  Value reduce(Value x, int64_t axis, float init, bool max);
  FailureOr<Value> softmax(Value x, int64_t axis, bool log);
  LogicalResult spatialPads(ArrayRef<int64_t> in, ArrayRef<int64_t> kernel,
                            ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations,
                            SmallVectorImpl<int64_t> &begin,
                            SmallVectorImpl<int64_t> &end);

  // --- operators ----------------------------------------------------------
  LogicalResult importNode();
  LogicalResult importElementwise(StringRef op);
  LogicalResult importGemm();
  LogicalResult importMatMul();
  LogicalResult importConv();
  LogicalResult importConvTranspose();
  LogicalResult convGeneric(Value x, ArrayRef<int64_t> ws,
                            ArrayRef<int64_t> kernel,
                            ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations,
                            ArrayRef<int64_t> begin, ArrayRef<int64_t> end,
                            int64_t group, ArrayRef<int64_t> out);
  Value poolGeneric(Value x, ArrayRef<int64_t> kernel,
                    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                    ArrayRef<int64_t> outSpatial, float init, bool max);
  LogicalResult importPool(bool max);
  LogicalResult importGlobalPool(bool max);
  LogicalResult importBatchNorm();
  LogicalResult importReshapeLike(StringRef op);
  LogicalResult importTranspose();
  LogicalResult importConcat();
  LogicalResult importSoftmax(bool log);
  LogicalResult importConstant();
  LogicalResult importPassThrough(StringRef op);
  LogicalResult importClip();
  LogicalResult importVariadic(StringRef op);
  LogicalResult importReduce(StringRef op);
  LogicalResult importLayerNorm();
  LogicalResult importInstanceNorm();
  LogicalResult importCast();
  LogicalResult importPad();
  LogicalResult importShape();
  FailureOr<bool> foldInt64();
  std::optional<SmallVector<int64_t>> anyShape(const std::string &name);
  LogicalResult importConstantOfShape();
  LogicalResult importSplit();
  LogicalResult importSlice();
  LogicalResult importExpand();
  Value meanOver(Value x, int64_t from);

  MLIRContext &ctx;
  OpBuilder b;
  const onnx::ModelProto &model;
  std::string file;
  Type f32;
  Location loc;
  const onnx::NodeProto *node = nullptr;
  std::string error;
  llvm::StringMap<const onnx::TypeProto *> types;
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> constants;
  llvm::StringSet<> initializers;
  std::deque<onnx::TensorProto> ownedTensors;
};

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
  std::vector<double> data;
  if (failed(tensorValues(*t, data, error)))
    return fail(std::string(std::move(error)));
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
        b, loc, DenseElementsAttr::get(type, float(data[0])));
    values[name] = v;
    return v;
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(
      data.size() * sizeof(float), alignof(float));
  auto *out = reinterpret_cast<float *>(blob.getMutableData().data());
  for (size_t i = 0; i < data.size(); ++i)
    out[i] = float(data[i]);
  auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
  Value v = arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  if (reshaped.empty())
    values[name] = v;
  return v;
}

/// Input `index` in `shape` (a reshape of it): a constant not used yet is
/// made in that shape directly, as torch-mlir's weights are.
FailureOr<Value> Importer::weightAs(int index, ArrayRef<int64_t> shape) {
  if (const onnx::TensorProto *t = constantInput(index))
    if (!values.count(node->input(index)) &&
        elementCount(t->dims()) == elementCount(shape) &&
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

LogicalResult Importer::constantInts(int index, std::vector<int64_t> &out,
                                     StringRef what) {
  const onnx::TensorProto *t = constantInput(index);
  if (!t)
    return fail(what.str() + " must be a constant (an initializer or a "
                             "Constant node)");
  std::vector<double> data;
  if (failed(tensorValues(*t, data, error)))
    return fail(std::string(std::move(error)));
  out.clear();
  for (double v : data)
    out.push_back(toInt64(v));
  return success();
}

FailureOr<float> Importer::constantScalar(int index, StringRef what) {
  const onnx::TensorProto *t = constantInput(index);
  if (!t)
    return failure();
  std::vector<double> data;
  if (failed(tensorValues(*t, data, error)))
    return fail(std::string(std::move(error)));
  if (data.size() != 1)
    return fail(what.str() + " must hold one value");
  return float(data[0]);
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

Value Importer::elementwise(ArrayRef<Value> inputs, ArrayRef<int64_t> outShape,
                            const Body &body) {
  int64_t rank = outShape.size();
  SmallVector<AffineMap> maps;
  for (Value in : inputs) {
    ArrayRef<int64_t> s = shape(in);
    int64_t r = s.size();
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0; j < r; ++j) {
      int64_t d = rank - r + j;
      if (s[j] == 1 && outShape[d] != 1)
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(d));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, &ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, &ctx));
  Value init = tensor::EmptyOp::create(b, loc, outShape, f32);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value v = body(nb, nl, args.drop_back());
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

Value Importer::reshapeTo(Value x, ArrayRef<int64_t> target) {
  ArrayRef<int64_t> src = shape(x);
  if (src == target)
    return x;
  auto dstType = tensorType(target);
  if (src.size() > target.size())
    if (auto groups = getReassociationIndicesForCollapse(src, target))
      return tensor::CollapseShapeOp::create(b, loc, dstType, x, *groups);
  if (src.size() < target.size())
    if (auto groups = getReassociationIndicesForCollapse(target, src))
      return tensor::ExpandShapeOp::create(b, loc, dstType, x, *groups);
  // Through one dimension (or none, for one element).
  int64_t n = 1;
  for (int64_t d : src)
    n *= d;
  auto all = [](size_t rank) {
    SmallVector<ReassociationIndices> g;
    if (rank) {
      g.emplace_back();
      for (size_t i = 0; i < rank; ++i)
        g.back().push_back(i);
    }
    return g;
  };
  Value flat = x;
  if (src.size() != 1)
    flat = tensor::CollapseShapeOp::create(b, loc, tensorType({n}), x,
                                           all(src.size()));
  if (target.size() == 1)
    return flat;
  if (target.empty())
    return tensor::CollapseShapeOp::create(b, loc, dstType, flat,
                                           SmallVector<ReassociationIndices>{});
  return tensor::ExpandShapeOp::create(b, loc, dstType, flat,
                                       all(target.size()));
}

Value Importer::transpose(Value x, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(shape(x)[p]);
  Value init = tensor::EmptyOp::create(b, loc, out, f32);
  return linalg::TransposeOp::create(b, loc, x, init, perm).getResult()[0];
}

Value Importer::pad(Value x, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                    float value, Value runtimeValue) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return x;
  SmallVector<int64_t> out(shape(x));
  SmallVector<OpFoldResult> lo, hi;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] += low[i] + high[i];
    lo.push_back(b.getIndexAttr(low[i]));
    hi.push_back(b.getIndexAttr(high[i]));
  }
  Value v = runtimeValue ? runtimeValue
                         : arith::ConstantOp::create(b, loc,
                                                     b.getF32FloatAttr(value))
                               .getResult();
  return tensor::PadOp::create(b, loc, tensorType(out), x, lo, hi, v);
}

/// max or sum over `axis`, the axis kept with size 1.
Value Importer::reduce(Value x, int64_t axis, float init, bool max) {
  ArrayRef<int64_t> s = shape(x);
  int64_t rank = s.size();
  SmallVector<int64_t> outShape(s);
  outShape[axis] = 1;
  Value acc = fill(outShape, init);
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    outExprs.push_back(d == axis ? b.getAffineConstantExpr(0)
                                 : b.getAffineDimExpr(d));
    iters.push_back(d == axis ? utils::IteratorType::reduction
                              : utils::IteratorType::parallel);
  }
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, &ctx);
  return linalg::GenericOp::create(
             b, loc, TypeRange{acc.getType()}, ValueRange{x}, ValueRange{acc},
             ArrayRef<AffineMap>{id, outMap}, iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value v = max ? arith::MaximumFOp::create(nb, nl, a[0], a[1])
                                   .getResult()
                             : arith::AddFOp::create(nb, nl, a[0], a[1])
                                   .getResult();
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

FailureOr<Value> Importer::softmax(Value x, int64_t axis, bool log) {
  Value m = reduce(x, axis, -std::numeric_limits<float>::infinity(), true);
  Value shifted = elementwise({x, m}, shape(x),
                              [](OpBuilder &nb, Location nl, ValueRange a) {
                                return arith::SubFOp::create(nb, nl, a[0], a[1])
                                    .getResult();
                              });
  Value e = unary(shifted, [](OpBuilder &nb, Location nl, ValueRange a) {
    return math::ExpOp::create(nb, nl, a[0]).getResult();
  });
  Value sum = reduce(e, axis, 0.0f, false);
  if (log)
    return elementwise({shifted, sum}, shape(x),
                       [](OpBuilder &nb, Location nl, ValueRange a) {
                         Value l = math::LogOp::create(nb, nl, a[1]);
                         return arith::SubFOp::create(nb, nl, a[0], l)
                             .getResult();
                       });
  return elementwise({e, sum}, shape(x),
                     [](OpBuilder &nb, Location nl, ValueRange a) {
                       return arith::DivFOp::create(nb, nl, a[0], a[1])
                           .getResult();
                     });
}

/// Pads of a convolution or pooling window from pads/auto_pad.
LogicalResult Importer::spatialPads(ArrayRef<int64_t> in,
                                    ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations,
                                    SmallVectorImpl<int64_t> &begin,
                                    SmallVectorImpl<int64_t> &end) {
  size_t n = in.size();
  for (ArrayRef<int64_t> values : {kernel, strides, dilations})
    for (int64_t v : values)
      if (v < 1 || v > kMaxWindow)
        return fail("kernel sizes, strides and dilations must be in [1, " +
                    std::to_string(kMaxWindow) + "]");
  std::string autoPad = stringAttr("auto_pad", "NOTSET");
  begin.assign(n, 0);
  end.assign(n, 0);
  if (autoPad == "NOTSET") {
    std::vector<int64_t> pads = intsAttr("pads");
    if (pads.empty())
      return success();
    if (pads.size() != 2 * n)
      return fail("'pads' has " + std::to_string(pads.size()) +
                  " values for " + std::to_string(n) + " spatial dimensions");
    for (size_t i = 0; i < n; ++i) {
      begin[i] = pads[i];
      end[i] = pads[n + i];
      if (begin[i] < 0 || end[i] < 0)
        return fail("negative 'pads' are not supported");
      if (begin[i] > kMaxWindow || end[i] > kMaxWindow)
        return fail("'pads' are too large");
    }
    return success();
  }
  if (autoPad == "VALID")
    return success();
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return fail("unsupported auto_pad '" + autoPad + "'");
  for (size_t i = 0; i < n; ++i) {
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[i]);
    begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    end[i] = total - begin[i];
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Operators
//===----------------------------------------------------------------------===//

LogicalResult Importer::importElementwise(StringRef op) {
  bool binary = op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
                op == "PRelu" || op == "Pow";
  if (op == "LeakyRelu" || op == "Elu" || op == "Celu" ||
      op == "ThresholdedRelu") {
    if (failed(allowAttrs({"alpha"})))
      return failure();
  } else if (op == "Selu" || op == "HardSigmoid") {
    if (failed(allowAttrs({"alpha", op == "Selu" ? "gamma" : "beta"})))
      return failure();
  } else if (failed(allowAttrs({}))) {
    return failure();
  }
  SmallVector<Value> inputs;
  for (int i = 0, e = binary ? 2 : 1; i < e; ++i) {
    FailureOr<Value> v = get(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  if (failed(checkBroadcast(inputs, *out)))
    return failure();
  float alpha = floatAttr("alpha", op == "LeakyRelu"     ? 0.01f
                                   : op == "HardSigmoid" ? 0.2f
                                   : op == "Selu" ? 1.67326319217681884765625f
                                                  : 1.0f);
  float gamma = floatAttr("gamma", 1.05070102214813232421875f);
  float beta = floatAttr("beta", 0.5f);
  std::string name = op.str();
  Body body = [name, alpha, gamma, beta](OpBuilder &nb, Location nl,
                                         ValueRange a) -> Value {
    auto cst = [&](float v) {
      return arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(v));
    };
    if (name == "Add")
      return arith::AddFOp::create(nb, nl, a[0], a[1]);
    if (name == "Sub")
      return arith::SubFOp::create(nb, nl, a[0], a[1]);
    if (name == "Mul")
      return arith::MulFOp::create(nb, nl, a[0], a[1]);
    if (name == "Div")
      return arith::DivFOp::create(nb, nl, a[0], a[1]);
    if (name == "Relu")
      return arith::MaximumFOp::create(nb, nl, a[0], cst(0.0f));
    if (name == "LeakyRelu") {
      Value zero = cst(0.0f);
      Value gt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0],
                                       zero);
      Value scaled = arith::MulFOp::create(nb, nl, a[0], cst(alpha));
      return arith::SelectOp::create(nb, nl, gt, a[0], scaled);
    }
    if (name == "Sigmoid") {
      Value neg = arith::NegFOp::create(nb, nl, a[0]);
      Value e = math::ExpOp::create(nb, nl, neg);
      Value den = arith::AddFOp::create(nb, nl, cst(1.0f), e);
      return arith::DivFOp::create(nb, nl, cst(1.0f), den);
    }
    if (name == "Tanh")
      return math::TanhOp::create(nb, nl, a[0]);
    if (name == "PRelu") {
      Value gt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0],
                                       cst(0.0f));
      Value scaled = arith::MulFOp::create(nb, nl, a[0], a[1]);
      return arith::SelectOp::create(nb, nl, gt, a[0], scaled);
    }
    if (name == "Elu" || name == "Selu") {
      // x > 0 ? x : alpha * (exp(x) - 1), times gamma for Selu.
      Value gt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0],
                                       cst(0.0f));
      Value e = math::ExpOp::create(nb, nl, a[0]);
      Value em1 = arith::SubFOp::create(nb, nl, e, cst(1.0f));
      Value neg = arith::MulFOp::create(nb, nl, em1, cst(alpha));
      Value v = arith::SelectOp::create(nb, nl, gt, a[0], neg);
      if (name == "Selu")
        v = arith::MulFOp::create(nb, nl, v, cst(gamma));
      return v;
    }
    if (name == "HardSigmoid") {
      Value v = arith::AddFOp::create(
          nb, nl, arith::MulFOp::create(nb, nl, a[0], cst(alpha)), cst(beta));
      v = arith::MaximumFOp::create(nb, nl, v, cst(0.0f));
      return arith::MinimumFOp::create(nb, nl, v, cst(1.0f));
    }
    if (name == "Softplus") {
      // log(1 + exp(x)), as max(x, 0) + log(1 + exp(-|x|)) (no overflow).
      Value absx = math::AbsFOp::create(nb, nl, a[0]);
      Value e = math::ExpOp::create(nb, nl, arith::NegFOp::create(nb, nl, absx));
      Value l = math::Log1pOp::create(nb, nl, e);
      Value m = arith::MaximumFOp::create(nb, nl, a[0], cst(0.0f));
      return arith::AddFOp::create(nb, nl, m, l);
    }
    if (name == "Softsign") {
      Value den = arith::AddFOp::create(
          nb, nl, cst(1.0f), math::AbsFOp::create(nb, nl, a[0]));
      return arith::DivFOp::create(nb, nl, a[0], den);
    }
    if (name == "Log")
      return math::LogOp::create(nb, nl, a[0]);
    if (name == "Pow")
      return math::PowFOp::create(nb, nl, a[0], a[1]);
    if (name == "Erf")
      return math::ErfOp::create(nb, nl, a[0]);
    if (name == "Sin")
      return math::SinOp::create(nb, nl, a[0]);
    if (name == "Cos")
      return math::CosOp::create(nb, nl, a[0]);
    if (name == "Atan")
      return math::AtanOp::create(nb, nl, a[0]);
    if (name == "Floor")
      return math::FloorOp::create(nb, nl, a[0]);
    if (name == "Ceil")
      return math::CeilOp::create(nb, nl, a[0]);
    if (name == "Sign") {
      Value pos = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT,
                                        a[0], cst(0.0f));
      Value neg = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT,
                                        a[0], cst(0.0f));
      Value v = arith::SelectOp::create(nb, nl, neg, cst(-1.0f), cst(0.0f));
      return arith::SelectOp::create(nb, nl, pos, cst(1.0f), v);
    }
    if (name == "ThresholdedRelu") {
      Value gt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0],
                                       cst(alpha));
      return arith::SelectOp::create(nb, nl, gt, a[0], cst(0.0f));
    }
    if (name == "Celu") {
      // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
      Value e = math::ExpOp::create(
          nb, nl, arith::DivFOp::create(nb, nl, a[0], cst(alpha)));
      Value neg = arith::MulFOp::create(
          nb, nl, cst(alpha), arith::SubFOp::create(nb, nl, e, cst(1.0f)));
      Value lo = arith::MinimumFOp::create(nb, nl, neg, cst(0.0f));
      Value hi = arith::MaximumFOp::create(nb, nl, a[0], cst(0.0f));
      return arith::AddFOp::create(nb, nl, hi, lo);
    }
    if (name == "HardSwish") {
      // x * max(0, min(1, x / 6 + 1 / 2))
      Value v = arith::AddFOp::create(
          nb, nl, arith::MulFOp::create(nb, nl, a[0], cst(1.0f / 6.0f)),
          cst(0.5f));
      v = arith::MaximumFOp::create(nb, nl, v, cst(0.0f));
      v = arith::MinimumFOp::create(nb, nl, v, cst(1.0f));
      return arith::MulFOp::create(nb, nl, a[0], v);
    }
    if (name == "Mish") {
      // x * tanh(softplus(x))
      Value absx = math::AbsFOp::create(nb, nl, a[0]);
      Value e = math::ExpOp::create(nb, nl, arith::NegFOp::create(nb, nl, absx));
      Value sp = arith::AddFOp::create(
          nb, nl, arith::MaximumFOp::create(nb, nl, a[0], cst(0.0f)),
          math::Log1pOp::create(nb, nl, e));
      return arith::MulFOp::create(nb, nl, a[0],
                                   math::TanhOp::create(nb, nl, sp));
    }
    if (name == "Exp")
      return math::ExpOp::create(nb, nl, a[0]);
    if (name == "Neg")
      return arith::NegFOp::create(nb, nl, a[0]);
    if (name == "Abs")
      return math::AbsFOp::create(nb, nl, a[0]);
    if (name == "Sqrt")
      return math::SqrtOp::create(nb, nl, a[0]);
    // Reciprocal.
    return arith::DivFOp::create(nb, nl, cst(1.0f), a[0]);
  };
  return setResult(0, elementwise(inputs, *out, body));
}

LogicalResult Importer::importClip() {
  if (failed(allowAttrs({})))
    return failure();
  FailureOr<Value> x = get(0);
  if (failed(x))
    return failure();
  // Bounds: constants when they are, else run-time scalars.
  SmallVector<Value> inputs = {*x};
  float bounds[2] = {-std::numeric_limits<float>::infinity(),
                     std::numeric_limits<float>::infinity()};
  bool runtime[2] = {false, false};
  for (int i = 1; i <= 2; ++i) {
    if (!has(i))
      continue;
    if (constantInput(i)) {
      FailureOr<float> v = constantScalar(i, i == 1 ? "min" : "max");
      if (failed(v))
        return failure();
      bounds[i - 1] = *v;
      continue;
    }
    FailureOr<Value> v = get(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
    runtime[i - 1] = true;
  }
  Body body = [=](OpBuilder &nb, Location nl, ValueRange a) -> Value {
    Value v = a[0];
    int next = 1;
    for (int i = 0; i < 2; ++i) {
      Value bound =
          runtime[i] ? a[next++]
                     : arith::ConstantOp::create(nb, nl,
                                                 nb.getF32FloatAttr(bounds[i]))
                           .getResult();
      v = i == 0 ? arith::MaximumFOp::create(nb, nl, v, bound).getResult()
                 : arith::MinimumFOp::create(nb, nl, v, bound).getResult();
    }
    return v;
  };
  return setResult(0, elementwise(inputs, shape(*x), body));
}

LogicalResult Importer::importGemm() {
  if (failed(allowAttrs({"alpha", "beta", "transA", "transB"})))
    return failure();
  FailureOr<Value> a = get(0), bm = get(1);
  if (failed(a) || failed(bm))
    return failure();
  float alpha = floatAttr("alpha", 1.0f), beta = floatAttr("beta", 1.0f);
  Value x = *a, w = *bm;
  if (shape(x).size() != 2 || shape(w).size() != 2)
    return fail("Gemm's A and B must be matrices");
  if (intAttr("transA", 0))
    x = transpose(x, {1, 0});
  // nn.Linear's [out, in] weight: transposed to [in, out] as torch-mlir
  // does, which dc-compress recognises.
  if (intAttr("transB", 0))
    w = transpose(w, {1, 0});
  int64_t m = shape(x)[0], n = shape(w)[1];
  Value c;
  if (has(2)) {
    FailureOr<Value> cv = get(2);
    if (failed(cv))
      return failure();
    c = *cv;
  }
  Value init;
  bool biasInInit = c && alpha == 1.0f && beta == 1.0f;
  if (biasInInit && shape(c).size() == 1 && shape(c)[0] == n) {
    Value empty = tensor::EmptyOp::create(b, loc, {m, n}, f32);
    init = linalg::BroadcastOp::create(b, loc, c, empty, ArrayRef<int64_t>{0})
               .getResult()[0];
  } else if (biasInInit) {
    init = elementwise({c}, {m, n}, [](OpBuilder &, Location, ValueRange a) {
      return a[0];
    });
  } else {
    init = fill({m, n}, 0.0f);
  }
  Value y = linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                     ValueRange{x, w}, ValueRange{init})
                .getResult(0);
  if (alpha != 1.0f || (c && !biasInInit)) {
    SmallVector<Value> ins = {y};
    if (c && beta != 0.0f)
      ins.push_back(c);
    y = elementwise(ins, {m, n},
                    [alpha, beta](OpBuilder &nb, Location nl, ValueRange a) {
                      Value v = a[0];
                      if (alpha != 1.0f)
                        v = arith::MulFOp::create(
                            nb, nl, v,
                            arith::ConstantOp::create(
                                nb, nl, nb.getF32FloatAttr(alpha)));
                      if (a.size() > 1) {
                        Value cv = a[1];
                        if (beta != 1.0f)
                          cv = arith::MulFOp::create(
                              nb, nl, cv,
                              arith::ConstantOp::create(
                                  nb, nl, nb.getF32FloatAttr(beta)));
                        v = arith::AddFOp::create(nb, nl, v, cv);
                      }
                      return v;
                    });
  }
  return setResult(0, y);
}

LogicalResult Importer::importMatMul() {
  if (failed(allowAttrs({})))
    return failure();
  FailureOr<Value> av = get(0), bv = get(1);
  if (failed(av) || failed(bv))
    return failure();
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  Value a = *av, bm = *bv;
  if (shape(a).size() == 2 && shape(bm).size() == 2) {
    Value init = fill({shape(a)[0], shape(bm)[1]}, 0.0f);
    return setResult(0, linalg::MatmulOp::create(b, loc,
                                                 TypeRange{init.getType()},
                                                 ValueRange{a, bm},
                                                 ValueRange{init})
                            .getResult(0));
  }
  // Vectors become matrices; batch dimensions broadcast.
  if (shape(a).size() == 1)
    a = reshapeTo(a, {1, shape(a)[0]});
  if (shape(bm).size() == 1)
    bm = reshapeTo(bm, {shape(bm)[0], 1});
  ArrayRef<int64_t> as = shape(a), bs = shape(bm);
  int64_t ra = as.size(), rb = bs.size();
  int64_t batchRank = std::max(ra, rb) - 2;
  SmallVector<int64_t> outShape;
  for (int64_t i = 0; i < batchRank; ++i) {
    int64_t da = i - (batchRank - (ra - 2)) >= 0
                     ? as[i - (batchRank - (ra - 2))]
                     : 1;
    int64_t db = i - (batchRank - (rb - 2)) >= 0
                     ? bs[i - (batchRank - (rb - 2))]
                     : 1;
    outShape.push_back(std::max(da, db));
  }
  outShape.push_back(as[ra - 2]);
  outShape.push_back(bs[rb - 1]);
  int64_t p = outShape.size();
  auto operandMap = [&](ArrayRef<int64_t> s, bool isA) {
    int64_t r = s.size();
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0; j < r - 2; ++j) {
      int64_t d = batchRank - (r - 2) + j;
      exprs.push_back(s[j] == 1 && outShape[d] != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(d));
    }
    if (isA) {
      exprs.push_back(b.getAffineDimExpr(p - 2));
      exprs.push_back(b.getAffineDimExpr(p));
    } else {
      exprs.push_back(b.getAffineDimExpr(p));
      exprs.push_back(b.getAffineDimExpr(p - 1));
    }
    return AffineMap::get(p + 1, 0, exprs, &ctx);
  };
  SmallVector<AffineExpr> outExprs;
  for (int64_t d = 0; d < p; ++d)
    outExprs.push_back(b.getAffineDimExpr(d));
  SmallVector<AffineMap> maps = {operandMap(as, true), operandMap(bs, false),
                                 AffineMap::get(p + 1, 0, outExprs, &ctx)};
  SmallVector<utils::IteratorType> iters(p, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  Value init = fill(outShape, 0.0f);
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{a, bm},
                ValueRange{init}, maps, iters,
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  Value prod = arith::MulFOp::create(nb, nl, args[0], args[1]);
                  Value sum = arith::AddFOp::create(nb, nl, args[2], prod);
                  linalg::YieldOp::create(nb, nl, sum);
                })
                .getResult(0);
  return setResult(0, reshapeTo(y, *out));
}

LogicalResult Importer::importConv() {
  if (failed(allowAttrs({"auto_pad", "dilations", "group", "kernel_shape",
                         "pads", "strides"})))
    return failure();
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  Value x = *xv;
  // The weight is made in the shape the linalg op reads (weightAs), so its
  // shape comes first from the initializer.
  SmallVector<int64_t> ws;
  if (const onnx::TensorProto *t = constantInput(1);
      t && !values.count(node->input(1))) {
    ws.assign(t->dims().begin(), t->dims().end());
    if (elementCount(ws) < 0)
      return fail("the weight is too large");
  } else {
    FailureOr<Value> wv = get(1);
    if (failed(wv))
      return failure();
    ws.assign(shape(*wv).begin(), shape(*wv).end());
  }
  int64_t rank = shape(x).size();
  if (rank < 3 || rank > 5)
    return fail("only 1-D, 2-D and 3-D convolutions are supported (the input "
                "has rank " +
                std::to_string(rank) + ")");
  if (int64_t(ws.size()) != rank)
    return fail("the weight's rank differs from the input's");
  int64_t spatial = rank - 2;
  SmallVector<int64_t> kernel(ArrayRef<int64_t>(ws).drop_front(2));
  std::vector<int64_t> strides = intsAttr("strides"),
                       dilations = intsAttr("dilations");
  if (strides.empty())
    strides.assign(spatial, 1);
  if (dilations.empty())
    dilations.assign(spatial, 1);
  if (int64_t(strides.size()) != spatial ||
      int64_t(dilations.size()) != spatial)
    return fail("'strides' and 'dilations' need one value per spatial "
                "dimension");
  SmallVector<int64_t> begin, end;
  if (failed(spatialPads(shape(x).drop_front(2), kernel, strides, dilations,
                         begin, end)))
    return failure();
  int64_t group = intAttr("group", 1);
  int64_t n = shape(x)[0], c = shape(x)[1], f = ws[0];
  if (group <= 0 || c % group || f % group || ws[1] != c / group)
    return fail("the weight's shape does not match group " +
                std::to_string(group));
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  if (spatial == 3)
    return convGeneric(x, ws, kernel, strides, dilations, begin, end, group,
                       *out);
  // 1-D as 2-D with a height of one.
  if (spatial == 1) {
    x = reshapeTo(x, {n, c, 1, shape(x)[2]});
    ws = {f, ws[1], 1, kernel[0]};
    kernel.insert(kernel.begin(), 1);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
    begin.insert(begin.begin(), 0);
    end.insert(end.begin(), 0);
  }
  x = pad(x, {0, 0, begin[0], begin[1]}, {0, 0, end[0], end[1]}, 0.0f);
  int64_t oh = (shape(x)[2] - dilations[0] * (kernel[0] - 1) - 1) / strides[0] +
               1;
  int64_t ow = (shape(x)[3] - dilations[1] * (kernel[1] - 1) - 1) / strides[1] +
               1;
  Value bias;
  if (has(2)) {
    FailureOr<Value> bv = get(2);
    if (failed(bv))
      return failure();
    bias = *bv;
  }
  auto i64x2 = [&](ArrayRef<int64_t> v) {
    return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()),
                                     v);
  };
  Value y;
  bool depthwise = group == c && f == c && group > 1;
  if (group == 1 || depthwise) {
    Value init;
    if (bias) {
      Value empty = tensor::EmptyOp::create(b, loc, {n, f, oh, ow}, f32);
      init = linalg::BroadcastOp::create(b, loc, bias, empty,
                                         ArrayRef<int64_t>{0, 2, 3})
                 .getResult()[0];
    } else {
      init = fill({n, f, oh, ow}, 0.0f);
    }
    if (group == 1) {
      FailureOr<Value> w = weightAs(1, ws);
      if (failed(w))
        return failure();
      y = linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{init.getType()},
                                           ValueRange{x, *w}, ValueRange{init},
                                           i64x2(strides), i64x2(dilations))
              .getResult(0);
    } else {
      FailureOr<Value> wd = weightAs(1, {c, kernel[0], kernel[1]});
      if (failed(wd))
        return failure();
      y = linalg::DepthwiseConv2DNchwChwOp::create(
              b, loc, TypeRange{init.getType()}, ValueRange{x, *wd},
              ValueRange{init}, i64x2(strides), i64x2(dilations))
              .getResult(0);
    }
  } else {
    int64_t g = group, cg = c / g, fg = f / g;
    Value xg = reshapeTo(x, {n, g, cg, shape(x)[2], shape(x)[3]});
    FailureOr<Value> wgv = weightAs(1, {g, fg, cg, kernel[0], kernel[1]});
    if (failed(wgv))
      return failure();
    Value wg = *wgv;
    Value init;
    if (bias) {
      Value bg = reshapeTo(bias, {g, fg});
      Value empty = tensor::EmptyOp::create(b, loc, {n, g, fg, oh, ow}, f32);
      init = linalg::BroadcastOp::create(b, loc, bg, empty,
                                         ArrayRef<int64_t>{0, 3, 4})
                 .getResult()[0];
    } else {
      init = fill({n, g, fg, oh, ow}, 0.0f);
    }
    y = linalg::Conv2DNgchwGfchwOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{xg, wg},
            ValueRange{init}, i64x2(strides), i64x2(dilations))
            .getResult(0);
    y = reshapeTo(y, {n, f, oh, ow});
  }
  return setResult(0, reshapeTo(y, *out));
}

/// A grouped convolution of any spatial rank as one linalg.generic
/// (linalg has no named grouped 3-D convolution): loops n, g, f, the output
/// positions, then c and the window; the weight seen as [G, F/G, C/G, K...].
LogicalResult Importer::convGeneric(Value x, ArrayRef<int64_t> ws,
                                    ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations,
                                    ArrayRef<int64_t> begin,
                                    ArrayRef<int64_t> end, int64_t group,
                                    ArrayRef<int64_t> out) {
  int64_t sp = kernel.size();
  SmallVector<int64_t> low = {0, 0}, high = {0, 0};
  low.append(begin.begin(), begin.end());
  high.append(end.begin(), end.end());
  x = pad(x, low, high, 0.0f);
  int64_t n = shape(x)[0], c = shape(x)[1], f = ws[0];
  int64_t g = group, cg = c / g, fg = f / g;
  SmallVector<int64_t> xs = {n, g, cg}, wgs = {g, fg, cg}, os = {n, g, fg},
                       flat = {n, f};
  for (int64_t i = 0; i < sp; ++i) {
    int64_t o = (shape(x)[2 + i] - dilations[i] * (kernel[i] - 1) - 1) /
                    strides[i] +
                1;
    if (o <= 0)
      return fail("the window is larger than the padded input");
    xs.push_back(shape(x)[2 + i]);
    wgs.push_back(kernel[i]);
    os.push_back(o);
    flat.push_back(o);
  }
  Value xg = reshapeTo(x, xs);
  FailureOr<Value> w = weightAs(1, wgs);
  if (failed(w))
    return failure();
  Value init;
  if (has(2)) {
    FailureOr<Value> bias = weightAs(2, {g, fg});
    if (failed(bias))
      return failure();
    SmallVector<int64_t> dims = {0};
    for (int64_t i = 0; i < sp; ++i)
      dims.push_back(3 + i);
    Value empty = tensor::EmptyOp::create(b, loc, os, f32);
    init = linalg::BroadcastOp::create(b, loc, *bias, empty, dims)
               .getResult()[0];
  } else {
    init = fill(os, 0.0f);
  }
  int64_t loops = 4 + 2 * sp;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe = {d(0), d(1), d(3 + sp)}, we = {d(1), d(2),
                                                              d(3 + sp)},
                          oe = {d(0), d(1), d(2)};
  SmallVector<utils::IteratorType> iters(3 + sp,
                                         utils::IteratorType::parallel);
  iters.append(1 + sp, utils::IteratorType::reduction);
  for (int64_t i = 0; i < sp; ++i) {
    xe.push_back(d(3 + i) * strides[i] + d(4 + sp + i) * dilations[i]);
    we.push_back(d(4 + sp + i));
    oe.push_back(d(3 + i));
  }
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{xg, *w},
                ValueRange{init},
                ArrayRef<AffineMap>{AffineMap::get(loops, 0, xe, &ctx),
                                    AffineMap::get(loops, 0, we, &ctx),
                                    AffineMap::get(loops, 0, oe, &ctx)},
                iters,
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value p = arith::MulFOp::create(nb, nl, a[0], a[1]);
                  linalg::YieldOp::create(
                      nb, nl, arith::AddFOp::create(nb, nl, a[2], p)
                                  .getResult());
                })
                .getResult(0);
  return setResult(0, reshapeTo(reshapeTo(y, flat), out));
}

/// Max or sum pooling of any spatial rank as one linalg.generic (the
/// input already padded).
Value Importer::poolGeneric(Value x, ArrayRef<int64_t> kernel,
                            ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations,
                            ArrayRef<int64_t> outSpatial, float init,
                            bool max) {
  int64_t sp = kernel.size(), loops = 2 + 2 * sp;
  SmallVector<int64_t> os = {shape(x)[0], shape(x)[1]};
  os.append(outSpatial.begin(), outSpatial.end());
  Value acc = fill(os, init);
  Value window = tensor::EmptyOp::create(b, loc, kernel, f32);
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe = {d(0), d(1)}, we, oe = {d(0), d(1)};
  for (int64_t i = 0; i < sp; ++i) {
    xe.push_back(d(2 + i) * strides[i] + d(2 + sp + i) * dilations[i]);
    we.push_back(d(2 + sp + i));
    oe.push_back(d(2 + i));
  }
  SmallVector<utils::IteratorType> iters(2 + sp,
                                         utils::IteratorType::parallel);
  iters.append(sp, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{acc.getType()}, ValueRange{x, window},
             ValueRange{acc},
             ArrayRef<AffineMap>{AffineMap::get(loops, 0, xe, &ctx),
                                 AffineMap::get(loops, 0, we, &ctx),
                                 AffineMap::get(loops, 0, oe, &ctx)},
             iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value v = max ? arith::MaximumFOp::create(nb, nl, a[0], a[2])
                                   .getResult()
                             : arith::AddFOp::create(nb, nl, a[0], a[2])
                                   .getResult();
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

/// ConvTranspose as a convolution: the input spread out by the strides
/// (zeros between), padded by dilation * (kernel - 1) less the pads, and
/// the kernel flipped with its two channel dimensions swapped.
LogicalResult Importer::importConvTranspose() {
  if (failed(allowAttrs({"auto_pad", "dilations", "group", "kernel_shape",
                         "output_padding", "output_shape", "pads",
                         "strides"})))
    return failure();
  if (intAttr("group", 1) != 1)
    return fail("only group 1 is supported");
  FailureOr<Value> xv = get(0), wv = get(1);
  if (failed(xv) || failed(wv))
    return failure();
  Value x = *xv, w = *wv;
  int64_t rank = shape(x).size();
  if (rank != 3 && rank != 4)
    return fail("only 1-D and 2-D transposed convolutions are supported (the "
                "input has rank " +
                std::to_string(rank) + ")");
  if (int64_t(shape(w).size()) != rank || shape(w)[0] != shape(x)[1])
    return fail("the weight's shape does not match the input's");
  int64_t spatial = rank - 2;
  int64_t n = shape(x)[0], c = shape(x)[1], f = shape(w)[1];
  SmallVector<int64_t> in(shape(x).drop_front(2)),
      kernel(shape(w).drop_front(2));
  std::vector<int64_t> strides = intsAttr("strides"),
                       dilations = intsAttr("dilations"),
                       outPad = intsAttr("output_padding"),
                       outShape = intsAttr("output_shape"),
                       pads = intsAttr("pads");
  if (strides.empty())
    strides.assign(spatial, 1);
  if (dilations.empty())
    dilations.assign(spatial, 1);
  if (outPad.empty())
    outPad.assign(spatial, 0);
  if (int64_t(strides.size()) != spatial ||
      int64_t(dilations.size()) != spatial ||
      int64_t(outPad.size()) != spatial ||
      (!outShape.empty() && int64_t(outShape.size()) != spatial) ||
      (!pads.empty() && int64_t(pads.size()) != 2 * spatial))
    return fail("'strides', 'dilations', 'output_padding', 'output_shape' "
                "and 'pads' need one value (pads: two) per spatial dimension");
  for (ArrayRef<int64_t> values : {ArrayRef<int64_t>(kernel),
                                   ArrayRef<int64_t>(strides),
                                   ArrayRef<int64_t>(dilations)})
    for (int64_t v : values)
      if (v < 1 || v > kMaxWindow)
        return fail("kernel sizes, strides and dilations must be in [1, " +
                    std::to_string(kMaxWindow) + "]");
  std::string autoPad = stringAttr("auto_pad", "NOTSET");
  SmallVector<int64_t> begin(spatial, 0), end(spatial, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    if (outPad[i] < 0 || outPad[i] > kMaxWindow)
      return fail("'output_padding' is out of range");
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    if (!outShape.empty() || same) {
      int64_t out = outShape.empty() ? in[i] * strides[i] : outShape[i];
      int64_t total = strides[i] * (in[i] - 1) + outPad[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - out;
      // ONNX's reference floors the half (a negative total, when
      // output_shape asks for more than the strides give, adds zeros at the
      // end).
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      if (autoPad == "SAME_UPPER") {
        begin[i] = half;
        end[i] = total - half;
      } else {
        begin[i] = total - half;
        end[i] = half;
      }
    } else if (!pads.empty()) {
      begin[i] = pads[i];
      end[i] = pads[spatial + i];
    }
    if (begin[i] < -kMaxWindow || begin[i] > kMaxWindow ||
        end[i] < -kMaxWindow || end[i] > kMaxWindow)
      return fail("'pads' are out of range");
  }
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  if (spatial == 1) {
    x = reshapeTo(x, {n, c, 1, in[0]});
    w = reshapeTo(w, {c, f, 1, kernel[0]});
    for (auto *v : {&in, &kernel, &begin, &end})
      v->insert(v->begin(), v == &begin || v == &end ? 0 : 1);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
    outPad.insert(outPad.begin(), 0);
  }
  // Spread: [N, C, (H - 1) * sh + 1, (W - 1) * sw + 1], zeros between.
  SmallVector<int64_t> spread = {n, c, (in[0] - 1) * strides[0] + 1,
                                 (in[1] - 1) * strides[1] + 1};
  Value y = fill(spread, 0.0f);
  if (strides[0] != 1 || strides[1] != 1) {
    SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0)), sizes, steps;
    for (int64_t d : shape(x))
      sizes.push_back(b.getIndexAttr(d));
    steps = {b.getIndexAttr(1), b.getIndexAttr(1),
             b.getIndexAttr(strides[0]), b.getIndexAttr(strides[1])};
    y = tensor::InsertSliceOp::create(b, loc, x, y, offsets, sizes, steps);
  } else {
    y = x;
  }
  // Pad by dilation * (kernel - 1) - pads (+ output_padding at the end);
  // negative amounts crop.
  SmallVector<int64_t> low(4, 0), high(4, 0), cropLow(4, 0), cropHigh(4, 0);
  for (int i = 0; i < 2; ++i) {
    int64_t l = dilations[i] * (kernel[i] - 1) - begin[i];
    int64_t h = dilations[i] * (kernel[i] - 1) - end[i] + outPad[i];
    low[2 + i] = std::max<int64_t>(l, 0);
    high[2 + i] = std::max<int64_t>(h, 0);
    cropLow[2 + i] = std::max<int64_t>(-l, 0);
    cropHigh[2 + i] = std::max<int64_t>(-h, 0);
  }
  y = pad(y, low, high, 0.0f);
  if (llvm::any_of(cropLow, [](int64_t v) { return v; }) ||
      llvm::any_of(cropHigh, [](int64_t v) { return v; })) {
    SmallVector<OpFoldResult> offsets, sizes, steps(4, b.getIndexAttr(1));
    SmallVector<int64_t> cropped;
    for (int d = 0; d < 4; ++d) {
      int64_t size = shape(y)[d] - cropLow[d] - cropHigh[d];
      if (size <= 0)
        return fail("the pads leave no output");
      offsets.push_back(b.getIndexAttr(cropLow[d]));
      sizes.push_back(b.getIndexAttr(size));
      cropped.push_back(size);
    }
    y = tensor::ExtractSliceOp::create(b, loc, tensorType(cropped), y, offsets,
                                       sizes, steps);
  }
  // Kernel [C, F, KH, KW] -> [F, C, KH, KW], flipped.
  AffineExpr fd = b.getAffineDimExpr(0), cd = b.getAffineDimExpr(1),
             i = b.getAffineDimExpr(2), j = b.getAffineDimExpr(3);
  AffineMap flip = AffineMap::get(
      4, 0, {cd, fd, kernel[0] - 1 - i, kernel[1] - 1 - j}, &ctx);
  Value wInit = tensor::EmptyOp::create(b, loc, {f, c, kernel[0], kernel[1]},
                                        f32);
  Value wf = linalg::GenericOp::create(
                 b, loc, TypeRange{wInit.getType()}, ValueRange{w},
                 ValueRange{wInit},
                 ArrayRef<AffineMap>{flip,
                                     AffineMap::getMultiDimIdentityMap(4, &ctx)},
                 SmallVector<utils::IteratorType>(
                     4, utils::IteratorType::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange a) {
                   linalg::YieldOp::create(nb, nl, a[0]);
                 })
                 .getResult(0);
  int64_t oh = shape(y)[2] - dilations[0] * (kernel[0] - 1);
  int64_t ow = shape(y)[3] - dilations[1] * (kernel[1] - 1);
  if (oh <= 0 || ow <= 0)
    return fail("the pads leave no output");
  Value init;
  if (has(2)) {
    FailureOr<Value> bias = get(2);
    if (failed(bias))
      return failure();
    Value empty = tensor::EmptyOp::create(b, loc, {n, f, oh, ow}, f32);
    init = linalg::BroadcastOp::create(b, loc, *bias, empty,
                                       ArrayRef<int64_t>{0, 2, 3})
               .getResult()[0];
  } else {
    init = fill({n, f, oh, ow}, 0.0f);
  }
  auto i64x2 = [&](ArrayRef<int64_t> v) {
    return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()),
                                     v);
  };
  Value r = linalg::Conv2DNchwFchwOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{y, wf},
                ValueRange{init}, i64x2({1, 1}), i64x2(dilations))
                .getResult(0);
  return setResult(0, reshapeTo(r, *out));
}

LogicalResult Importer::importPool(bool max) {
  if (max) {
    if (failed(allowAttrs({"auto_pad", "ceil_mode", "dilations",
                           "kernel_shape", "pads", "storage_order",
                           "strides"})))
      return failure();
    if (intAttr("storage_order", 0) != 0)
      return fail("storage_order 1 is not supported");
    if (node->output_size() > 1 && !node->output(1).empty())
      return fail("the Indices output is not supported");
  } else if (failed(allowAttrs({"auto_pad", "ceil_mode", "count_include_pad",
                                "kernel_shape", "pads", "strides"}))) {
    return failure();
  }
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  Value x = *xv;
  int64_t rank = shape(x).size();
  if (rank < 3 || rank > 5)
    return fail("only 1-D, 2-D and 3-D pooling is supported (the input has "
                "rank " +
                std::to_string(rank) + ")");
  int64_t spatial = rank - 2;
  std::vector<int64_t> kernel = intsAttr("kernel_shape"),
                       strides = intsAttr("strides"),
                       dilations = intsAttr("dilations");
  if (strides.empty())
    strides.assign(spatial, 1);
  if (dilations.empty())
    dilations.assign(spatial, 1);
  if (int64_t(kernel.size()) != spatial ||
      int64_t(strides.size()) != spatial ||
      int64_t(dilations.size()) != spatial)
    return fail("'kernel_shape', 'strides' and 'dilations' need one value "
                "per spatial dimension");
  SmallVector<int64_t> in(shape(x).drop_front(2));
  SmallVector<int64_t> begin, end;
  if (failed(spatialPads(in, kernel, strides, dilations, begin, end)))
    return failure();
  FailureOr<SmallVector<int64_t>> outv = shapeOf(node->output(0), "output");
  if (failed(outv))
    return failure();
  SmallVector<int64_t> outSpatial(ArrayRef<int64_t>(*outv).drop_front(2));
  int64_t n = shape(x)[0], c = shape(x)[1];
  // The divisor of each output position (average pooling): the window's
  // elements inside the input, or inside input + pads with
  // count_include_pad; what ceil_mode adds past the pads never counts.
  bool includePad = intAttr("count_include_pad", 0) != 0;
  std::vector<std::vector<float>> counts(spatial);
  SmallVector<int64_t> extra(spatial, 0);
  int64_t positions = 1;
  for (int64_t i = 0; i < spatial; ++i) {
    if (outSpatial[i] < 1 || outSpatial[i] > kMaxDim)
      return fail("the pooled output has no positions or too many");
    positions = outSpatial[i] > kMaxElements / positions
                    ? kMaxElements
                    : positions * outSpatial[i];
    if (!max && positions > kMaxWindow)
      return fail("the pooled output is too large");
    int64_t needed =
        (outSpatial[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
    extra[i] = std::max<int64_t>(0, needed - (in[i] + begin[i] + end[i]));
    if (max)
      continue;
    // The divisor table (average pooling) has one entry per output
    // position and costs kernel steps each.
    if (outSpatial[i] > kMaxWindow / kernel[i])
      return fail("the pooled output is too large");
    int64_t lo = includePad ? -begin[i] : 0;
    int64_t hi = includePad ? in[i] + end[i] : in[i];
    for (int64_t o = 0; o < outSpatial[i]; ++o) {
      int64_t count = 0;
      for (int64_t k = 0; k < kernel[i]; ++k) {
        int64_t pos = o * strides[i] - begin[i] + k * dilations[i];
        count += pos >= lo && pos < hi;
      }
      counts[i].push_back(float(count));
    }
  }
  float padValue = max ? -std::numeric_limits<float>::infinity() : 0.0f;
  if (spatial == 3) {
    SmallVector<int64_t> low = {0, 0}, high = {0, 0};
    for (int64_t i = 0; i < 3; ++i) {
      low.push_back(begin[i]);
      high.push_back(end[i] + extra[i]);
    }
    x = pad(x, low, high, padValue);
    Value y =
        poolGeneric(x, kernel, strides, dilations, outSpatial, padValue, max);
    if (!max) {
      std::vector<float> divisor;
      for (float c0 : counts[0])
        for (float c1 : counts[1])
          for (float c2 : counts[2])
            divisor.push_back(c0 * c1 * c2);
      Value dv = arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(tensorType(outSpatial),
                                 ArrayRef<float>(divisor)));
      y = elementwise({y, dv}, shape(y),
                      [](OpBuilder &nb, Location nl, ValueRange a) {
                        return arith::DivFOp::create(nb, nl, a[0], a[1])
                            .getResult();
                      });
    }
    return setResult(0, reshapeTo(y, *outv));
  }
  if (spatial == 1) {
    x = reshapeTo(x, {n, c, 1, in[0]});
    in.insert(in.begin(), 1);
    kernel.insert(kernel.begin(), 1);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
    begin.insert(begin.begin(), 0);
    end.insert(end.begin(), 0);
    extra.insert(extra.begin(), 0);
    outSpatial.insert(outSpatial.begin(), 1);
    counts.insert(counts.begin(), std::vector<float>{1.0f});
  }
  x = pad(x, {0, 0, begin[0], begin[1]},
          {0, 0, end[0] + extra[0], end[1] + extra[1]}, padValue);
  Value acc = fill({n, c, outSpatial[0], outSpatial[1]}, padValue);
  Value window = tensor::EmptyOp::create(b, loc, {kernel[0], kernel[1]}, f32);
  auto i64x2 = [&](ArrayRef<int64_t> v) {
    return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()),
                                     v);
  };
  Value y;
  if (max) {
    y = linalg::PoolingNchwMaxOp::create(b, loc, TypeRange{acc.getType()},
                                         ValueRange{x, window},
                                         ValueRange{acc}, i64x2(strides),
                                         i64x2(dilations))
            .getResult(0);
  } else {
    y = linalg::PoolingNchwSumOp::create(b, loc, TypeRange{acc.getType()},
                                         ValueRange{x, window},
                                         ValueRange{acc}, i64x2(strides),
                                         i64x2(dilations))
            .getResult(0);
    std::vector<float> divisor;
    for (float ch : counts[0])
      for (float cw : counts[1])
        divisor.push_back(ch * cw);
    auto type = tensorType({outSpatial[0], outSpatial[1]});
    Value d = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, ArrayRef<float>(divisor)));
    y = elementwise({y, d}, shape(y),
                    [](OpBuilder &nb, Location nl, ValueRange a) {
                      return arith::DivFOp::create(nb, nl, a[0], a[1])
                          .getResult();
                    });
  }
  return setResult(0, reshapeTo(y, *outv));
}

LogicalResult Importer::importGlobalPool(bool max) {
  if (failed(allowAttrs({})))
    return failure();
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  Value x = *xv;
  ArrayRef<int64_t> s = shape(x);
  if (s.size() < 3)
    return fail("the input needs spatial dimensions");
  int64_t n = s[0], c = s[1], size = 1;
  for (int64_t d : s.drop_front(2))
    size *= d;
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  Value flat = reshapeTo(x, {n, c, size});
  Value r = reduce(flat, 2,
                   max ? -std::numeric_limits<float>::infinity() : 0.0f, max);
  if (!max)
    r = unary(r, [size](OpBuilder &nb, Location nl, ValueRange a) {
      Value d =
          arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(float(size)));
      return arith::DivFOp::create(nb, nl, a[0], d).getResult();
    });
  return setResult(0, reshapeTo(r, *out));
}

LogicalResult Importer::importBatchNorm() {
  if (failed(allowAttrs({"epsilon", "momentum", "training_mode"})))
    return failure();
  if (intAttr("training_mode", 0) != 0)
    return fail("training_mode 1 is not supported (inference only)");
  for (int i = 1; i < node->output_size(); ++i)
    if (!node->output(i).empty())
      return fail("the running statistics outputs are not supported "
                  "(inference only)");
  SmallVector<Value> ins;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = get(i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  ArrayRef<int64_t> s = shape(ins[0]);
  int64_t rank = s.size();
  if (rank < 2)
    return fail("the input needs a channel dimension");
  for (int i = 1; i < 5; ++i)
    if (shape(ins[i]).size() != 1 || shape(ins[i])[0] != s[1])
      return fail("scale, bias, mean and variance must be [C]");
  float eps = floatAttr("epsilon", 1e-5f);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap channel = AffineMap::get(rank, 0, {b.getAffineDimExpr(1)}, &ctx);
  Value init = tensor::EmptyOp::create(b, loc, s, f32);
  Value y =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ins, ValueRange{init},
          ArrayRef<AffineMap>{id, channel, channel, channel, channel, id},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value e = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(eps));
            Value centred = arith::SubFOp::create(nb, nl, a[0], a[3]);
            Value sd = math::SqrtOp::create(
                nb, nl, arith::AddFOp::create(nb, nl, a[4], e));
            Value normed = arith::DivFOp::create(nb, nl, centred, sd);
            Value scaled = arith::MulFOp::create(nb, nl, normed, a[1]);
            Value r = arith::AddFOp::create(nb, nl, scaled, a[2]);
            linalg::YieldOp::create(nb, nl, r);
          })
          .getResult(0);
  return setResult(0, y);
}

LogicalResult Importer::importReshapeLike(StringRef op) {
  if (op == "Flatten" ? failed(allowAttrs({"axis"}))
      : op == "Reshape" ? failed(allowAttrs({"allowzero"}))
                        : failed(allowAttrs({})))
    return failure();
  FailureOr<Value> x = get(0);
  if (failed(x))
    return failure();
  if (op == "Reshape" || has(1)) {
    // The target shape or axes must be known at compile time.
    std::vector<int64_t> ignored;
    if (failed(constantInts(1, ignored,
                            op == "Reshape" ? "the target shape"
                                            : "the axes")))
      return failure();
  }
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  return setResult(0, reshapeTo(*x, *out));
}

LogicalResult Importer::importTranspose() {
  if (failed(allowAttrs({"perm"})))
    return failure();
  FailureOr<Value> x = get(0);
  if (failed(x))
    return failure();
  int64_t rank = shape(*x).size();
  std::vector<int64_t> perm = intsAttr("perm");
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<int64_t> sorted(perm.begin(), perm.end());
  llvm::sort(sorted);
  bool permutation = int64_t(sorted.size()) == rank;
  for (int64_t i = 0; permutation && i < rank; ++i)
    permutation = sorted[i] == i;
  if (!permutation)
    return fail("'perm' is not a permutation of the input's dimensions");
  return setResult(0, transpose(*x, perm));
}

LogicalResult Importer::importConcat() {
  if (failed(allowAttrs({"axis"})))
    return failure();
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  std::optional<int64_t> axis = normAxis(intAttr("axis", 0), out->size());
  if (!axis)
    return fail("'axis' is out of range");
  Value result = tensor::EmptyOp::create(b, loc, *out, f32);
  int64_t offset = 0;
  for (int i = 0; i < node->input_size(); ++i) {
    FailureOr<Value> v = get(i);
    if (failed(v))
      return failure();
    ArrayRef<int64_t> s = shape(*v);
    if (s.size() != out->size())
      return fail("the inputs' ranks differ from the output's");
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (size_t d = 0; d < s.size(); ++d) {
      offsets.push_back(b.getIndexAttr(int64_t(d) == *axis ? offset : 0));
      sizes.push_back(b.getIndexAttr(s[d]));
      strides.push_back(b.getIndexAttr(1));
    }
    offset += s[*axis];
    if (s[*axis] == 0)
      continue;
    result = tensor::InsertSliceOp::create(b, loc, *v, result, offsets, sizes,
                                           strides);
  }
  return setResult(0, result);
}

LogicalResult Importer::importSoftmax(bool log) {
  if (failed(allowAttrs({"axis"})))
    return failure();
  FailureOr<Value> x = get(0);
  if (failed(x))
    return failure();
  std::optional<int64_t> axis = normAxis(intAttr("axis", -1), shape(*x).size());
  if (!axis)
    return fail("'axis' is out of range");
  FailureOr<Value> y = softmax(*x, *axis, log);
  if (failed(y))
    return failure();
  return setResult(0, *y);
}

LogicalResult Importer::importConstant() {
  if (node->attribute_size() != 1)
    return fail("a Constant needs exactly one attribute");
  const onnx::AttributeProto &a = node->attribute(0);
  onnx::TensorProto &t = ownedTensors.emplace_back();
  if (a.name() == "value") {
    t = a.t();
  } else if (a.name() == "value_float") {
    t.set_data_type(onnx::TensorProto::FLOAT);
    t.add_float_data(a.f());
  } else if (a.name() == "value_floats") {
    t.set_data_type(onnx::TensorProto::FLOAT);
    t.add_dims(a.floats_size());
    for (float f : a.floats())
      t.add_float_data(f);
  } else if (a.name() == "value_int") {
    t.set_data_type(onnx::TensorProto::INT64);
    t.add_int64_data(a.i());
  } else if (a.name() == "value_ints") {
    t.set_data_type(onnx::TensorProto::INT64);
    t.add_dims(a.ints_size());
    for (int64_t i : a.ints())
      t.add_int64_data(i);
  } else {
    return fail("unsupported attribute '" + a.name() + "'");
  }
  t.set_name(node->output(0));
  constants[node->output(0)] = &t;
  return success();
}

LogicalResult Importer::importPassThrough(StringRef op) {
  if (op == "Dropout") {
    if (failed(allowAttrs({"seed"})))
      return failure();
    if (node->output_size() > 1 && !node->output(1).empty())
      return fail("the mask output is not supported (inference only)");
    if (has(2)) {
      const onnx::TensorProto *t = constantInput(2);
      std::vector<double> mode;
      if (!t || failed(tensorValues(*t, mode, error)) || mode.size() != 1 ||
          mode[0] != 0)
        return fail("training_mode must be a constant false (inference "
                    "only)");
    }
  } else if (failed(allowAttrs({}))) {
    return failure();
  }
  if (!has(0))
    return fail("input 0 is missing");
  const std::string &in = node->input(0);
  if (!values.count(in) && constants.count(in)) {
    constants[node->output(0)] = constants.lookup(in);
    return success();
  }
  FailureOr<Value> x = get(0);
  if (failed(x))
    return failure();
  return setResult(0, *x);
}

/// Max, Min, Sum, Mean of any number of broadcast inputs.
LogicalResult Importer::importVariadic(StringRef op) {
  if (failed(allowAttrs({})))
    return failure();
  SmallVector<Value> inputs;
  for (int i = 0; i < node->input_size(); ++i) {
    FailureOr<Value> v = get(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  if (inputs.empty())
    return fail("no inputs");
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out) || failed(checkBroadcast(inputs, *out)))
    return failure();
  std::string name = op.str();
  Body body = [name](OpBuilder &nb, Location nl, ValueRange a) -> Value {
    Value v = a[0];
    for (Value x : a.drop_front()) {
      if (name == "Max")
        v = arith::MaximumFOp::create(nb, nl, v, x);
      else if (name == "Min")
        v = arith::MinimumFOp::create(nb, nl, v, x);
      else
        v = arith::AddFOp::create(nb, nl, v, x);
    }
    if (name == "Mean")
      v = arith::DivFOp::create(
          nb, nl, v,
          arith::ConstantOp::create(nb, nl,
                                    nb.getF32FloatAttr(float(a.size()))));
    return v;
  };
  return setResult(0, elementwise(inputs, *out, body));
}

/// ReduceMax/Min/Sum/Mean/Prod/L1/L2/SumSquare/LogSumExp over constant
/// axes (an attribute, or ReduceSum's input).
LogicalResult Importer::importReduce(StringRef op) {
  bool sumForm = op == "ReduceSum";
  if (sumForm ? failed(allowAttrs({"keepdims", "noop_with_empty_axes"}))
              : failed(allowAttrs({"axes", "keepdims"})))
    return failure();
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  Value x = *xv;
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  ArrayRef<int64_t> s = shape(x);
  int64_t rank = s.size();
  std::vector<int64_t> axes;
  if (sumForm) {
    if (has(1) && failed(constantInts(1, axes, "the axes")))
      return failure();
  } else {
    axes = intsAttr("axes");
  }
  if (axes.empty()) {
    if (sumForm && intAttr("noop_with_empty_axes", 0))
      return setResult(0, x);
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  SmallVector<bool> reduced(rank, false);
  for (int64_t a : axes) {
    std::optional<int64_t> axis = normAxis(a, rank);
    if (!axis)
      return fail("an axis is out of range");
    reduced[*axis] = true;
  }
  int64_t count = 1;
  SmallVector<int64_t> kept;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    if (reduced[d]) {
      count *= s[d];
      iters.push_back(utils::IteratorType::reduction);
    } else {
      kept.push_back(s[d]);
      outExprs.push_back(b.getAffineDimExpr(d));
      iters.push_back(utils::IteratorType::parallel);
    }
  }
  std::string name = op.str();
  float inf = std::numeric_limits<float>::infinity();
  float init = name == "ReduceMax"    ? -inf
               : name == "ReduceMin"  ? inf
               : name == "ReduceProd" ? 1.0f
                                      : 0.0f;
  Value acc = fill(kept, init);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, &ctx);
  Value r = linalg::GenericOp::create(
                b, loc, TypeRange{acc.getType()}, ValueRange{x},
                ValueRange{acc}, ArrayRef<AffineMap>{id, outMap}, iters,
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value v = a[0];
                  Value result;
                  if (name == "ReduceMax")
                    result = arith::MaximumFOp::create(nb, nl, v, a[1]);
                  else if (name == "ReduceMin")
                    result = arith::MinimumFOp::create(nb, nl, v, a[1]);
                  else if (name == "ReduceProd")
                    result = arith::MulFOp::create(nb, nl, v, a[1]);
                  else {
                    if (name == "ReduceL1")
                      v = math::AbsFOp::create(nb, nl, v);
                    else if (name == "ReduceL2" || name == "ReduceSumSquare")
                      v = arith::MulFOp::create(nb, nl, v, v);
                    else if (name == "ReduceLogSumExp")
                      v = math::ExpOp::create(nb, nl, v);
                    result = arith::AddFOp::create(nb, nl, v, a[1]);
                  }
                  linalg::YieldOp::create(nb, nl, result);
                })
                .getResult(0);
  if (name == "ReduceMean" || name == "ReduceL2" ||
      name == "ReduceLogSumExp")
    r = unary(r, [name, count](OpBuilder &nb, Location nl, ValueRange a) {
      if (name == "ReduceMean")
        return arith::DivFOp::create(
                   nb, nl, a[0],
                   arith::ConstantOp::create(nb, nl,
                                             nb.getF32FloatAttr(float(count))))
            .getResult();
      if (name == "ReduceL2")
        return math::SqrtOp::create(nb, nl, a[0]).getResult();
      return math::LogOp::create(nb, nl, a[0]).getResult();
    });
  return setResult(0, reshapeTo(r, *out));
}

/// Split along an axis into the outputs' inferred sizes (the split sizes,
/// when given, must be constant).
LogicalResult Importer::importSplit() {
  if (failed(allowAttrs({"axis"})))
    return failure();
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  std::vector<int64_t> sizes;
  if (has(1) && failed(constantInts(1, sizes, "the split sizes")))
    return failure();
  ArrayRef<int64_t> s = shape(*xv);
  int64_t rank = s.size();
  std::optional<int64_t> axis = normAxis(intAttr("axis", 0), rank);
  if (!axis)
    return fail("'axis' is out of range");
  int64_t offset = 0;
  for (int i = 0; i < node->output_size(); ++i) {
    FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(i), "output");
    if (failed(out))
      return failure();
    if (int64_t(out->size()) != rank)
      return fail("an output's rank differs from the input's");
    int64_t size = (*out)[*axis];
    if (offset + size > s[*axis])
      return fail("the outputs are larger than the input");
    SmallVector<OpFoldResult> offsets, extents, steps(rank, b.getIndexAttr(1));
    for (int64_t d = 0; d < rank; ++d) {
      // An empty part starts at 0 (an offset at the end does not verify).
      offsets.push_back(b.getIndexAttr(d == *axis && size ? offset : 0));
      extents.push_back(b.getIndexAttr((*out)[d]));
    }
    offset += size;
    // An empty part is just empty (a slice of an empty tensor does not
    // verify).
    Value part =
        elementCount(*out) == 0
            ? tensor::EmptyOp::create(b, loc, *out, f32).getResult()
            : tensor::ExtractSliceOp::create(b, loc, tensorType(*out), *xv,
                                             offsets, extents, steps)
                  .getResult();
    if (failed(setResult(i, part)))
      return failure();
  }
  return success();
}

/// Slice with constant starts, ends, axes and positive steps.
LogicalResult Importer::importSlice() {
  if (failed(allowAttrs({})))
    return failure();
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  ArrayRef<int64_t> s = shape(*xv);
  int64_t rank = s.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (failed(constantInts(1, starts, "the starts")) ||
      failed(constantInts(2, ends, "the ends")) ||
      (has(3) && failed(constantInts(3, axes, "the axes"))) ||
      (has(4) && failed(constantInts(4, steps, "the steps"))))
    return failure();
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return fail("starts, ends, axes and steps differ in length");
  SmallVector<int64_t> offset(rank, 0), size(s), stride(rank, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    std::optional<int64_t> axis = normAxis(axes[i], rank);
    if (!axis)
      return fail("an axis is out of range");
    if (steps[i] < 1 || steps[i] > kMaxDim)
      return fail("only positive steps are supported");
    int64_t dim = s[*axis];
    auto clamp = [dim](int64_t v) {
      if (v < 0)
        v = v < -dim ? 0 : v + dim;
      return std::min(v, dim);
    };
    int64_t b0 = clamp(starts[i]), e0 = clamp(ends[i]);
    size[*axis] = e0 > b0 ? (e0 - b0 + steps[i] - 1) / steps[i] : 0;
    offset[*axis] = size[*axis] ? b0 : 0;
    stride[*axis] = steps[i];
  }
  SmallVector<OpFoldResult> offsets, sizes, strides;
  for (int64_t d = 0; d < rank; ++d) {
    offsets.push_back(b.getIndexAttr(offset[d]));
    sizes.push_back(b.getIndexAttr(size[d]));
    strides.push_back(b.getIndexAttr(stride[d]));
  }
  if (elementCount(size) == 0)
    return setResult(0, tensor::EmptyOp::create(b, loc, size, f32));
  return setResult(0, tensor::ExtractSliceOp::create(b, loc, tensorType(size),
                                                     *xv, offsets, sizes,
                                                     strides));
}

/// Expand to the inferred shape (the target shape must be constant).
LogicalResult Importer::importExpand() {
  if (failed(allowAttrs({})))
    return failure();
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  std::vector<int64_t> ignored;
  if (failed(constantInts(1, ignored, "the shape")))
    return failure();
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out) || failed(checkBroadcast({*xv}, *out)))
    return failure();
  return setResult(0, elementwise({*xv}, *out,
                                  [](OpBuilder &, Location, ValueRange a) {
                                    return a[0];
                                  }));
}

/// Pad, constant mode, with constant pads (negative ones crop) and value.
LogicalResult Importer::importPad() {
  if (failed(allowAttrs({"mode"})))
    return failure();
  std::string mode = stringAttr("mode", "constant");
  if (mode != "constant")
    return fail("mode '" + mode + "' is not supported (only constant is)");
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  Value x = *xv;
  int64_t rank = shape(x).size();
  std::vector<int64_t> pads;
  if (failed(constantInts(1, pads, "the pads")))
    return failure();
  if (int64_t(pads.size()) != 2 * rank)
    return fail("the pads need two values per dimension");
  float value = 0.0f;
  Value runtimeValue;
  if (has(2) && constantInput(2)) {
    FailureOr<float> v = constantScalar(2, "the constant value");
    if (failed(v))
      return failure();
    value = *v;
  } else if (has(2)) {
    // A run-time scalar (a graph input).
    FailureOr<Value> v = get(2);
    if (failed(v))
      return failure();
    if (elementCount(shape(*v)) != 1)
      return fail("the constant value must hold one value");
    SmallVector<Value> zeros(
        shape(*v).size(), arith::ConstantIndexOp::create(b, loc, 0).getResult());
    runtimeValue = tensor::ExtractOp::create(b, loc, *v, zeros);
  }
  SmallVector<int64_t> low, high, cropLow, cropHigh;
  for (int64_t d = 0; d < rank; ++d) {
    for (int64_t p : {pads[d], pads[rank + d]})
      if (p < -kMaxDim || p > kMaxDim)
        return fail("the pads are out of range");
    low.push_back(std::max<int64_t>(pads[d], 0));
    high.push_back(std::max<int64_t>(pads[rank + d], 0));
    cropLow.push_back(std::max<int64_t>(-pads[d], 0));
    cropHigh.push_back(std::max<int64_t>(-pads[rank + d], 0));
  }
  FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(0), "output");
  if (failed(out))
    return failure();
  Value y = pad(x, low, high, value, runtimeValue);
  if (llvm::any_of(cropLow, [](int64_t v) { return v; }) ||
      llvm::any_of(cropHigh, [](int64_t v) { return v; })) {
    SmallVector<OpFoldResult> offsets, sizes, steps(rank, b.getIndexAttr(1));
    SmallVector<int64_t> cropped;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = shape(y)[d] - cropLow[d] - cropHigh[d];
      if (size < 0)
        return fail("the pads crop more than the input");
      offsets.push_back(b.getIndexAttr(cropLow[d]));
      sizes.push_back(b.getIndexAttr(size));
      cropped.push_back(size);
    }
    y = tensor::ExtractSliceOp::create(b, loc, tensorType(cropped), y, offsets,
                                       sizes, steps);
  }
  return setResult(0, y);
}

/// Shape (or Size) of a statically shaped value: an int64 constant.
LogicalResult Importer::importShape() {
  if (failed(allowAttrs(node->op_type() == "Size"
                            ? std::initializer_list<StringRef>{}
                            : std::initializer_list<StringRef>{"end",
                                                               "start"})))
    return failure();
  SmallVector<int64_t> dims;
  if (const onnx::TensorProto *t = constantInput(0);
      t && !values.count(node->input(0))) {
    dims.assign(t->dims().begin(), t->dims().end());
  } else {
    FailureOr<Value> x = get(0);
    if (failed(x))
      return failure();
    dims.assign(shape(*x).begin(), shape(*x).end());
  }
  if (node->op_type() == "Size") {
    onnx::TensorProto &c = ownedTensors.emplace_back();
    c.set_name(node->output(0));
    c.set_data_type(onnx::TensorProto::INT64);
    c.add_int64_data(elementCount(dims));
    constants[node->output(0)] = &c;
    return success();
  }
  int64_t rank = dims.size();
  auto clamp = [rank](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clamp(intAttr("start", 0));
  int64_t end = attr("end") ? clamp(intAttr("end", rank)) : rank;
  onnx::TensorProto &c = ownedTensors.emplace_back();
  c.set_name(node->output(0));
  c.set_data_type(onnx::TensorProto::INT64);
  c.add_dims(std::max<int64_t>(end - start, 0));
  for (int64_t i = start; i < end; ++i)
    c.add_int64_data(dims[i]);
  constants[node->output(0)] = &c;
  return success();
}

/// ConstantOfShape with a constant shape: a constant.
LogicalResult Importer::importConstantOfShape() {
  if (failed(allowAttrs({"value"})))
    return failure();
  std::vector<int64_t> dims;
  if (failed(constantInts(0, dims, "the shape")))
    return failure();
  int64_t n = elementCount(dims);
  if (n < 0 || n > kMaxWindow)
    return fail("the shape is negative or too large");
  double value = 0;
  int type = onnx::TensorProto::FLOAT;
  if (const onnx::AttributeProto *a = attr("value")) {
    std::vector<double> v;
    if (failed(tensorValues(a->t(), v, error)))
      return fail(std::string(std::move(error)));
    if (v.size() != 1)
      return fail("'value' must hold one value");
    value = v[0];
    type = a->t().data_type();
  }
  onnx::TensorProto &c = ownedTensors.emplace_back();
  c.set_name(node->output(0));
  for (int64_t d : dims)
    c.add_dims(d);
  if (type == onnx::TensorProto::FLOAT || type == onnx::TensorProto::DOUBLE) {
    c.set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t i = 0; i < n; ++i)
      c.add_float_data(float(value));
  } else {
    c.set_data_type(onnx::TensorProto::INT64);
    for (int64_t i = 0; i < n; ++i)
      c.add_int64_data(toInt64(value));
  }
  constants[node->output(0)] = &c;
  return success();
}

/// Cast: of a constant, folded (to float, double, int32 or int64); of a
/// float value to float, nothing.
LogicalResult Importer::importCast() {
  bool like = node->op_type() == "CastLike";
  if (failed(allowAttrs(like ? std::initializer_list<StringRef>{"saturate"}
                             : std::initializer_list<StringRef>{"saturate",
                                                                "to"})))
    return failure();
  int64_t to = intAttr("to", 0);
  if (like) {
    // The type of the second input.
    auto it = types.find(has(1) ? node->input(1) : "");
    const onnx::TensorProto *t = constantInput(1);
    if (t)
      to = t->data_type();
    else if (it != types.end() && it->second->has_tensor_type())
      to = it->second->tensor_type().elem_type();
    else
      return fail("the target type is unknown");
  }
  if (const onnx::TensorProto *t = constantInput(0);
      t && !values.count(node->input(0))) {
    std::vector<double> data;
    if (failed(tensorValues(*t, data, error)))
      return fail(std::string(std::move(error)));
    onnx::TensorProto &c = ownedTensors.emplace_back();
    c.mutable_dims()->CopyFrom(t->dims());
    c.set_name(node->output(0));
    switch (to) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::DOUBLE:
      c.set_data_type(onnx::TensorProto::FLOAT);
      for (double v : data)
        c.add_float_data(float(v));
      break;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT64:
      c.set_data_type(onnx::TensorProto::INT64);
      for (double v : data)
        c.add_int64_data(toInt64(std::trunc(v)));
      break;
    default:
      return fail("a cast of a constant to " + typeName(to) +
                  " is not supported");
    }
    constants[node->output(0)] = &c;
    return success();
  }
  if (to != onnx::TensorProto::FLOAT)
    return fail("a cast to " + typeName(to) +
                " is not supported (only float values are)");
  FailureOr<Value> x = get(0);
  if (failed(x))
    return failure();
  return setResult(0, *x);
}

/// The mean of x over dimensions [from, rank), those kept with size 1.
Value Importer::meanOver(Value x, int64_t from) {
  ArrayRef<int64_t> s = shape(x);
  int64_t rank = s.size(), count = 1;
  SmallVector<int64_t> kept(s);
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = d >= from;
    if (reduced) {
      count *= s[d];
      kept[d] = 1;
    }
    outExprs.push_back(reduced ? b.getAffineConstantExpr(0)
                               : b.getAffineDimExpr(d));
    iters.push_back(reduced ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  }
  Value acc = fill(kept, 0.0f);
  Value sum = linalg::GenericOp::create(
                  b, loc, TypeRange{acc.getType()}, ValueRange{x},
                  ValueRange{acc},
                  ArrayRef<AffineMap>{
                      AffineMap::getMultiDimIdentityMap(rank, &ctx),
                      AffineMap::get(rank, 0, outExprs, &ctx)},
                  iters,
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    linalg::YieldOp::create(
                        nb, nl, arith::AddFOp::create(nb, nl, a[0], a[1])
                                    .getResult());
                  })
                  .getResult(0);
  return unary(sum, [count](OpBuilder &nb, Location nl, ValueRange a) {
    Value c =
        arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(float(count)));
    return arith::DivFOp::create(nb, nl, a[0], c).getResult();
  });
}

/// LayerNormalization (opset 17): over dimensions [axis, rank),
/// (x - mean) / sqrt(var + eps) * scale + bias; Mean and InvStdDev
/// outputs when asked for.
LogicalResult Importer::importLayerNorm() {
  if (failed(allowAttrs({"axis", "epsilon", "stash_type"})))
    return failure();
  if (intAttr("stash_type", 1) != 1)
    return fail("only stash_type 1 (float) is supported");
  FailureOr<Value> xv = get(0), scale = get(1);
  if (failed(xv) || failed(scale))
    return failure();
  Value x = *xv;
  int64_t rank = shape(x).size();
  std::optional<int64_t> axis = normAxis(intAttr("axis", -1), rank);
  if (!axis)
    return fail("'axis' is out of range");
  SmallVector<Value> affine = {*scale};
  if (has(2)) {
    FailureOr<Value> bias = get(2);
    if (failed(bias))
      return failure();
    affine.push_back(*bias);
  }
  if (failed(checkBroadcast(affine, shape(x))))
    return failure();
  float eps = floatAttr("epsilon", 1e-5f);
  Value mean = meanOver(x, *axis);
  auto sub = [](OpBuilder &nb, Location nl, ValueRange a) {
    return arith::SubFOp::create(nb, nl, a[0], a[1]).getResult();
  };
  Value centred = elementwise({x, mean}, shape(x), sub);
  Value squares = unary(centred, [](OpBuilder &nb, Location nl, ValueRange a) {
    return arith::MulFOp::create(nb, nl, a[0], a[0]).getResult();
  });
  Value var = meanOver(squares, *axis);
  Value inv = unary(var, [eps](OpBuilder &nb, Location nl, ValueRange a) {
    Value e = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(eps));
    Value sd = math::SqrtOp::create(nb, nl,
                                    arith::AddFOp::create(nb, nl, a[0], e));
    Value one = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(1.0f));
    return arith::DivFOp::create(nb, nl, one, sd).getResult();
  });
  SmallVector<Value> ins = {centred, inv};
  ins.append(affine.begin(), affine.end());
  Value y = elementwise(ins, shape(x),
                        [](OpBuilder &nb, Location nl, ValueRange a) {
                          Value v = arith::MulFOp::create(nb, nl, a[0], a[1]);
                          v = arith::MulFOp::create(nb, nl, v, a[2]);
                          if (a.size() > 3)
                            v = arith::AddFOp::create(nb, nl, v, a[3]);
                          return v;
                        });
  if (failed(setResult(0, y)))
    return failure();
  Value extra[2] = {mean, inv};
  for (int i = 1; i < 3 && i < node->output_size(); ++i) {
    if (node->output(i).empty())
      continue;
    FailureOr<SmallVector<int64_t>> out = shapeOf(node->output(i), "output");
    if (failed(out) || failed(setResult(i, reshapeTo(extra[i - 1], *out))))
      return failure();
  }
  return success();
}

/// The inferred static shape of any value (any element type).
std::optional<SmallVector<int64_t>>
Importer::anyShape(const std::string &name) {
  auto it = types.find(name);
  if (it == types.end() || !it->second->has_tensor_type() ||
      !it->second->tensor_type().has_shape())
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (const auto &d : it->second->tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0)
      return std::nullopt;
    dims.push_back(d.dim_value());
  }
  if (elementCount(dims) < 0 || elementCount(dims) > kMaxWindow)
    return std::nullopt;
  return dims;
}

/// Integer shape arithmetic on constants (what ONNX's expanded functions
/// do with Shape's result), folded: Slice, Concat, Gather, the reshapes,
/// Add/Sub/Mul/Div/Neg, Range. Only nodes whose inputs are all constants
/// and whose output is int64; true when folded.
FailureOr<bool> Importer::foldInt64() {
  static const llvm::StringSet<> foldable = {
      "Slice", "Concat", "Gather", "Squeeze", "Unsqueeze", "Reshape",
      "Flatten", "Identity", "Add", "Sub", "Mul", "Div", "Neg", "Range"};
  StringRef op = node->op_type();
  if (!foldable.contains(op) || node->output_size() != 1)
    return false;
  auto it = types.find(node->output(0));
  if (it == types.end() || !it->second->has_tensor_type() ||
      it->second->tensor_type().elem_type() != onnx::TensorProto::INT64)
    return false;
  std::vector<std::vector<double>> in;
  std::vector<SmallVector<int64_t>> dims;
  for (int i = 0; i < node->input_size(); ++i) {
    if (node->input(i).empty()) {
      in.emplace_back();
      dims.emplace_back();
      continue;
    }
    const onnx::TensorProto *t = constantInput(i);
    if (!t || values.count(node->input(i)))
      return false;
    in.emplace_back();
    if (failed(tensorValues(*t, in.back(), error)))
      return fail(std::string(std::move(error)));
    dims.emplace_back(t->dims().begin(), t->dims().end());
  }
  std::optional<SmallVector<int64_t>> outDims = anyShape(node->output(0));
  if (!outDims && op == "Concat" && !dims.empty() && !dims[0].empty()) {
    // Shape inference may not see through the constants: the sum of the
    // inputs along the axis.
    std::optional<int64_t> axis =
        normAxis(intAttr("axis", 0), dims[0].size());
    if (!axis)
      return false;
    SmallVector<int64_t> d = dims[0];
    d[*axis] = 0;
    for (const SmallVector<int64_t> &k : dims) {
      if (k.size() != d.size())
        return false;
      d[*axis] += k[*axis];
    }
    outDims = d;
  }
  if (!outDims || elementCount(*outDims) < 0 ||
      elementCount(*outDims) > kMaxWindow)
    return false;
  int64_t n = elementCount(*outDims);
  std::vector<double> out;
  // Row-major strides of a shape.
  auto stridesOf = [](ArrayRef<int64_t> d) {
    SmallVector<int64_t> st(d.size(), 1);
    for (int64_t i = int64_t(d.size()) - 2; i >= 0; --i)
      st[i] = st[i + 1] * d[i + 1];
    return st;
  };
  auto index = [](int64_t flat, ArrayRef<int64_t> d) {
    SmallVector<int64_t> idx(d.size());
    for (int64_t i = int64_t(d.size()) - 1; i >= 0; --i) {
      idx[i] = d[i] ? flat % d[i] : 0;
      flat = d[i] ? flat / d[i] : 0;
    }
    return idx;
  };
  int64_t rank = outDims->size();
  if (op == "Squeeze" || op == "Unsqueeze" || op == "Reshape" ||
      op == "Flatten" || op == "Identity") {
    out = in[0];
  } else if (op == "Neg") {
    for (double v : in[0])
      out.push_back(-v);
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    if (in.size() != 2)
      return false;
    SmallVector<int64_t> sa = stridesOf(dims[0]), sb = stridesOf(dims[1]);
    for (int64_t f = 0; f < n; ++f) {
      SmallVector<int64_t> idx = index(f, *outDims);
      double v[2];
      for (int k = 0; k < 2; ++k) {
        ArrayRef<int64_t> d = dims[k];
        ArrayRef<int64_t> st = k ? sb : sa;
        if (d.size() > size_t(rank))
          return false;
        int64_t off = 0;
        for (size_t j = 0; j < d.size(); ++j) {
          int64_t o = idx[rank - d.size() + j];
          off += (d[j] == 1 ? 0 : o) * st[j];
        }
        if (off >= int64_t(in[k].size()))
          return false;
        v[k] = in[k][off];
      }
      double r = op == "Add"   ? v[0] + v[1]
                 : op == "Sub" ? v[0] - v[1]
                 : op == "Mul" ? v[0] * v[1]
                 : v[1] != 0   ? std::trunc(v[0] / v[1])
                               : 0;
      out.push_back(r);
    }
  } else if (op == "Range") {
    if (in.size() != 3 || in[0].size() != 1 || in[1].size() != 1 ||
        in[2].size() != 1)
      return false;
    for (int64_t i = 0; i < n; ++i)
      out.push_back(in[0][0] + double(i) * in[2][0]);
  } else if (op == "Concat") {
    std::optional<int64_t> axis = normAxis(intAttr("axis", 0), rank);
    if (!axis)
      return false;
    for (int64_t f = 0; f < n; ++f) {
      SmallVector<int64_t> idx = index(f, *outDims);
      int64_t a = idx[*axis];
      size_t k = 0;
      while (k < dims.size() && (dims[k].size() != size_t(rank) ||
                                 a >= dims[k][*axis])) {
        if (dims[k].size() != size_t(rank))
          return false;
        a -= dims[k][*axis];
        ++k;
      }
      if (k == dims.size())
        return false;
      idx[*axis] = a;
      SmallVector<int64_t> st = stridesOf(dims[k]);
      int64_t off = 0;
      for (int64_t j = 0; j < rank; ++j)
        off += idx[j] * st[j];
      out.push_back(in[k][off]);
    }
  } else if (op == "Gather") {
    if (in.size() != 2)
      return false;
    int64_t drank = dims[0].size();
    std::optional<int64_t> axis = normAxis(intAttr("axis", 0), drank);
    if (!axis)
      return false;
    SmallVector<int64_t> st = stridesOf(dims[0]);
    int64_t irank = dims[1].size();
    for (int64_t f = 0; f < n; ++f) {
      SmallVector<int64_t> idx = index(f, *outDims);
      // idx = data[:axis] ++ indices ++ data[axis+1:]
      int64_t iflat = 0, istride = 1;
      for (int64_t j = irank - 1; j >= 0; --j) {
        iflat += idx[*axis + j] * istride;
        istride *= dims[1][j];
      }
      int64_t which = toInt64(in[1][iflat]);
      if (which < 0)
        which += dims[0][*axis];
      if (which < 0 || which >= dims[0][*axis])
        return fail("a Gather index is out of range");
      int64_t off = 0;
      for (int64_t j = 0; j < drank; ++j) {
        int64_t c = j < *axis    ? idx[j]
                    : j == *axis ? which
                                 : idx[j - 1 + irank];
        off += c * st[j];
      }
      out.push_back(in[0][off]);
    }
  } else { // Slice
    if (in.size() < 3)
      return false;
    int64_t drank = dims[0].size();
    if (drank != rank)
      return false;
    SmallVector<int64_t> offset(rank, 0), step(rank, 1);
    size_t count = in[1].size();
    for (size_t i = 0; i < count; ++i) {
      int64_t ax = in.size() > 3 && !in[3].empty() ? toInt64(in[3][i]) : i;
      std::optional<int64_t> axis = normAxis(ax, rank);
      int64_t stp = in.size() > 4 && !in[4].empty() ? toInt64(in[4][i]) : 1;
      if (!axis || stp < 1 || i >= in[2].size())
        return false;
      int64_t dim = dims[0][*axis], b0 = toInt64(in[1][i]);
      if (b0 < 0)
        b0 = b0 < -dim ? 0 : b0 + dim;
      offset[*axis] = std::min(b0, dim);
      step[*axis] = stp;
    }
    SmallVector<int64_t> st = stridesOf(dims[0]);
    for (int64_t f = 0; f < n; ++f) {
      SmallVector<int64_t> idx = index(f, *outDims);
      int64_t off = 0;
      for (int64_t j = 0; j < rank; ++j) {
        int64_t c = offset[j] + idx[j] * step[j];
        if (c >= dims[0][j])
          return false;
        off += c * st[j];
      }
      out.push_back(in[0][off]);
    }
  }
  if (int64_t(out.size()) != n)
    return false;
  onnx::TensorProto &c = ownedTensors.emplace_back();
  c.set_name(node->output(0));
  c.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : *outDims)
    c.add_dims(d);
  for (double v : out)
    c.add_int64_data(toInt64(v));
  constants[node->output(0)] = &c;
  return true;
}

/// InstanceNormalization: per (n, c) over the spatial dimensions,
/// (x - mean) / sqrt(var + eps) * scale[c] + bias[c].
LogicalResult Importer::importInstanceNorm() {
  if (failed(allowAttrs({"epsilon"})))
    return failure();
  SmallVector<Value> ins;
  for (int i = 0; i < 3; ++i) {
    FailureOr<Value> v = get(i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  Value x = ins[0];
  int64_t rank = shape(x).size();
  if (rank < 3)
    return fail("the input needs spatial dimensions");
  for (int i = 1; i < 3; ++i)
    if (shape(ins[i]).size() != 1 || shape(ins[i])[0] != shape(x)[1])
      return fail("scale and bias must be [C]");
  float eps = floatAttr("epsilon", 1e-5f);
  Value mean = meanOver(x, 2);
  Value centred = elementwise({x, mean}, shape(x),
                              [](OpBuilder &nb, Location nl, ValueRange a) {
                                return arith::SubFOp::create(nb, nl, a[0], a[1])
                                    .getResult();
                              });
  Value squares = unary(centred, [](OpBuilder &nb, Location nl, ValueRange a) {
    return arith::MulFOp::create(nb, nl, a[0], a[0]).getResult();
  });
  Value var = meanOver(squares, 2);
  // scale and bias read along dimension 1.
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap channel = AffineMap::get(rank, 0, {b.getAffineDimExpr(1)}, &ctx);
  SmallVector<AffineExpr> kept;
  for (int64_t d = 0; d < rank; ++d)
    kept.push_back(d < 2 ? b.getAffineDimExpr(d) : b.getAffineConstantExpr(0));
  AffineMap stat = AffineMap::get(rank, 0, kept, &ctx);
  Value init = tensor::EmptyOp::create(b, loc, shape(x), f32);
  Value y =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()},
          ValueRange{centred, var, ins[1], ins[2]}, ValueRange{init},
          ArrayRef<AffineMap>{id, stat, channel, channel, id},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value e = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(eps));
            Value sd = math::SqrtOp::create(
                nb, nl, arith::AddFOp::create(nb, nl, a[1], e));
            Value v = arith::DivFOp::create(nb, nl, a[0], sd);
            v = arith::MulFOp::create(nb, nl, v, a[2]);
            v = arith::AddFOp::create(nb, nl, v, a[3]);
            linalg::YieldOp::create(nb, nl, v);
          })
          .getResult(0);
  return setResult(0, y);
}

LogicalResult Importer::importNode() {
  StringRef op = node->op_type();
  FailureOr<bool> folded = foldInt64();
  if (failed(folded))
    return failure();
  if (*folded)
    return success();
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
      op == "Relu" || op == "LeakyRelu" || op == "Sigmoid" || op == "Tanh" ||
      op == "Exp" || op == "Neg" || op == "Abs" || op == "Sqrt" ||
      op == "Reciprocal" || op == "PRelu" || op == "Elu" || op == "Selu" ||
      op == "HardSigmoid" || op == "Softplus" || op == "Softsign" ||
      op == "Log" || op == "Pow" || op == "Erf" || op == "Sin" ||
      op == "Cos" || op == "Atan" || op == "Floor" || op == "Ceil" ||
      op == "Sign" || op == "ThresholdedRelu" || op == "Celu" ||
      op == "HardSwish" || op == "Mish")
    return importElementwise(op);
  if (op == "Max" || op == "Min" || op == "Sum" || op == "Mean")
    return importVariadic(op);
  if (op.starts_with("Reduce"))
    return importReduce(op);
  if (op == "LayerNormalization")
    return importLayerNorm();
  if (op == "InstanceNormalization")
    return importInstanceNorm();
  if (op == "Cast" || op == "CastLike")
    return importCast();
  if (op == "Shape" || op == "Size")
    return importShape();
  if (op == "ConstantOfShape")
    return importConstantOfShape();
  if (op == "Pad")
    return importPad();
  if (op == "Split")
    return importSplit();
  if (op == "Slice")
    return importSlice();
  if (op == "Expand")
    return importExpand();
  if (op == "Clip")
    return importClip();
  if (op == "Gemm")
    return importGemm();
  if (op == "MatMul")
    return importMatMul();
  if (op == "Conv")
    return importConv();
  if (op == "ConvTranspose")
    return importConvTranspose();
  if (op == "MaxPool" || op == "AveragePool")
    return importPool(op == "MaxPool");
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool")
    return importGlobalPool(op == "GlobalMaxPool");
  if (op == "BatchNormalization")
    return importBatchNorm();
  if (op == "Flatten" || op == "Reshape" || op == "Squeeze" ||
      op == "Unsqueeze")
    return importReshapeLike(op);
  if (op == "Transpose")
    return importTranspose();
  if (op == "Concat")
    return importConcat();
  if (op == "Softmax" || op == "LogSoftmax")
    return importSoftmax(op == "LogSoftmax");
  if (op == "Constant")
    return importConstant();
  if (op == "Identity" || op == "Dropout")
    return importPassThrough(op);
  return fail("unsupported operator '" + op.str() + "'");
}

FailureOr<OwningOpRef<ModuleOp>> Importer::run(std::string &errorOut) {
  auto report = [&]() -> FailureOr<OwningOpRef<ModuleOp>> {
    errorOut = file + ": " + error;
    return failure();
  };
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

  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
  b.setInsertionPointToEnd(module->getBody());
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const onnx::ValueInfoProto &v : graph.input()) {
    if (initializers.contains(v.name()))
      continue; // An initializer listed as an input (IR version < 4).
    FailureOr<SmallVector<int64_t>> s = shapeOf(v.name(), "input");
    if (failed(s))
      return report();
    argTypes.push_back(tensorType(*s));
    args.push_back(&v);
  }
  if (graph.output_size() == 0) {
    error = "the graph has no outputs";
    return report();
  }
  if (args.empty()) {
    error = "the graph has no inputs (a compiled @forward takes at least "
            "one)";
    return report();
  }
  auto func = func::FuncOp::create(b, UnknownLoc::get(&ctx), "forward",
                                   b.getFunctionType(argTypes, {}));
  SmallVector<Location> argLocs;
  for (const onnx::ValueInfoProto *v : args)
    argLocs.push_back(NameLoc::get(b.getStringAttr(v->name())));
  Block *entry = b.createBlock(&func.getBody(), {}, argTypes, argLocs);
  for (auto [v, arg] : llvm::zip(args, entry->getArguments()))
    values[v->name()] = arg;

  // The operator of each node, by the name its ops' locations carry.
  llvm::StringMap<std::string> nodeOps;
  for (const onnx::NodeProto &n : graph.node()) {
    node = &n;
    std::string name = n.name();
    if (name.empty() && n.output_size() > 0)
      name = n.output(0);
    nodeOps.try_emplace(name, n.op_type());
    loc = NameLoc::get(b.getStringAttr(name));
    if (failed(importNode()))
      return report();
  }
  node = nullptr;
  loc = UnknownLoc::get(&ctx);
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &v : graph.output()) {
    FailureOr<SmallVector<int64_t>> s = shapeOf(v.name(), "output");
    if (failed(s))
      return report();
    Value r = values.lookup(v.name());
    if (!r && constants.count(v.name())) {
      FailureOr<Value> c = materialize(v.name());
      if (failed(c))
        return report();
      r = *c;
    }
    if (!r) {
      error = "graph output '" + v.name() + "' is not computed by any node";
      return report();
    }
    results.push_back(r);
  }
  func::ReturnOp::create(b, UnknownLoc::get(&ctx), results);
  func.setFunctionType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  // Shapes the checker and shape inference let through (a Gemm weight too
  // narrow, a Reshape to another element count) make ops that do not
  // verify: the first verifier message, with the node it came from.
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
    verified = verify(*module);
  }
  if (failed(verified)) {
    std::string where;
    if (auto name = dyn_cast<NameLoc>(firstLoc)) {
      StringRef nodeName = name.getName().strref();
      auto op = nodeOps.find(nodeName);
      where = "node '" + nodeName.str() + "'" +
              (op == nodeOps.end() ? "" : " (" + op->second + ")") + ": ";
    }
    error = where + "the node's shapes are inconsistent (" + firstMessage +
            "); ONNX's checker and shape inference did not catch it";
    if (where.empty())
      error = "the imported graph is inconsistent (" + firstMessage + ")";
    return report();
  }
  return module;
}

} // namespace

std::string mlir::dc::supportedOnnxOperators() {
  SmallVector<StringRef> names;
  for (const auto &entry : supportedOps())
    names.push_back(entry.getKey());
  llvm::sort(names);
  return llvm::join(names, ", ");
}

bool mlir::dc::isOnnxPath(StringRef path) { return path.ends_with(".onnx"); }

void mlir::dc::registerOnnxImportDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, tensor::TensorDialect>();
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::dc::importOnnxBuffer(StringRef bytes, StringRef name,
                           MLIRContext &context, std::string &error,
                           const OnnxImportOptions &options) {
  context.loadDialect<arith::ArithDialect, func::FuncDialect,
                      linalg::LinalgDialect, math::MathDialect,
                      tensor::TensorDialect>();
  std::vector<std::pair<std::string, onnx::TensorProto>> bindings;
  for (const auto &[input, file] : options.bindInputs) {
    auto buffer = ::dc::readInputFile(file);
    if (!buffer) {
      error = llvm::toString(buffer.takeError());
      return failure();
    }
    onnx::TensorProto tensor;
    StringRef data = (*buffer)->getBuffer();
    std::string reason = oi::parseTensor(data.data(), data.size(), tensor);
    if (!reason.empty()) {
      error = file + ": " + reason;
      return failure();
    }
    bindings.emplace_back(input, std::move(tensor));
  }
  onnx::ModelProto model;
  std::string reason = oi::prepareModel(bytes.data(), bytes.size(), model,
                                        screenNode, bindings);
  if (!reason.empty()) {
    error = name.str() + ": " + reason;
    return failure();
  }
  return Importer(context, model, name).run(error);
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::dc::importOnnx(StringRef path, MLIRContext &context, std::string &error,
                     const OnnxImportOptions &options) {
  // Over protobuf's limit: said before the file is read.
  uint64_t size = 0;
  if (path != "-" && !llvm::sys::fs::file_size(path, size) &&
      size > uint64_t(std::numeric_limits<int>::max())) {
    error = path.str() + ": the file is " + std::to_string(size) +
            " bytes, over protobuf's 2 GB limit (models that large keep "
            "their weights as external data, which is not supported)";
    return failure();
  }
  auto buffer = ::dc::readInputFile(path);
  if (!buffer) {
    error = llvm::toString(buffer.takeError());
    return failure();
  }
  return importOnnxBuffer((*buffer)->getBuffer(), path, context, error,
                          options);
}

LogicalResult mlir::dc::readOnnxTensor(StringRef path, OnnxTensor &result,
                                       std::string &error) {
  auto buffer = ::dc::readInputFile(path);
  if (!buffer) {
    error = llvm::toString(buffer.takeError());
    return failure();
  }
  onnx::TensorProto tensor;
  StringRef bytes = (*buffer)->getBuffer();
  std::string reason = oi::parseTensor(bytes.data(), bytes.size(), tensor);
  if (!reason.empty()) {
    error = path.str() + ": " + reason;
    return failure();
  }
  std::vector<double> data;
  if (failed(tensorValues(tensor, data, reason))) {
    error = path.str() + ": " + reason;
    return failure();
  }
  result.name = tensor.name();
  result.type = typeName(tensor.data_type());
  result.values.assign(data.begin(), data.end());
  result.shape.assign(tensor.dims().begin(), tensor.dims().end());
  return success();
}
