//===- Importer.h - The ONNX importer's core and operator table -*- C++ -*-===//
//
// The importer builds func.func @forward from the ModelProto that
// OnnxProto.cpp loaded, checked, converted to opset 17 and shape-inferred;
// it reads the proto only through its generated accessors (no libonnx call
// that may throw). Its parts:
//
//   Importer.cpp       the graph walk: values, initializers, graph inputs
//                      and outputs, the node dispatch, the final verify
//   Operators.cpp      the operator table (name -> handler, attributes,
//                      opset range): the one list of supported operators
//   Builders.cpp       linalg building blocks the handlers share
//   Elementwise.cpp    elementwise, variadic and Clip operators
//   ConvPool.cpp       Gemm, MatMul, convolutions and pooling
//   Normalization.cpp  batch, layer and instance normalisation, softmax
//   ShapeIndexing.cpp  reshapes, transpose, concat, split, slice, pad,
//                      constants, casts, shapes
//   Reductions.cpp     the Reduce* operators
//   ShapeFolding.cpp   integer shape arithmetic folded at import time
//   OnnxImport.cpp     the public interface (dc/Import/Onnx/OnnxImport.h)
//
// An operator's handler is a member of Importer; the table lists it with
// the attributes it reads (any other attribute is an error before the
// handler runs) and, for elementwise operators, its scalar body.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_IMPORT_ONNX_IMPORTER_H
#define DC_LIB_IMPORT_ONNX_IMPORTER_H

#include "OnnxProto.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlir::dc::onnx_import {

namespace proto = ::dc::onnx_import;

using Body = std::function<Value(OpBuilder &, Location, ValueRange)>;

/// Limits that keep sizes and window arithmetic far from overflow.
constexpr int64_t kMaxDim = int64_t(1) << 31;
constexpr int64_t kMaxElements = int64_t(1) << 40;
constexpr int64_t kMaxWindow = int64_t(1) << 24;

/// An ONNX element type's name ("float", "int64", ...).
std::string typeName(int type);
/// "[2,3]".
std::string shapeString(ArrayRef<int64_t> shape);
/// A double as int64, clamped (an int64 read through a double may round up
/// past INT64_MAX, e.g. Slice's "to the end").
int64_t toInt64(double v);

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

/// A tensor's values as doubles (float, double and integer types); the
/// error says why not.
llvm::Expected<std::vector<double>>
tensorValues(const onnx::TensorProto &tensor);

class Importer;
struct OnnxOperator;

/// Imports the current node (Importer::node) of the operator.
using Handler = LogicalResult (Importer::*)(const OnnxOperator &op);
/// The scalar computation of an elementwise operator on its inputs (the
/// node's attributes read through the importer).
using ScalarBody = Value (*)(const Importer &imp, OpBuilder &b, Location loc,
                             ValueRange args);

/// One entry of the operator table (Operators.cpp).
struct OnnxOperator {
  StringLiteral name;
  Handler handler;
  /// The attributes the handler reads, space-separated; a node with any
  /// other attribute is an error before the handler runs.
  StringLiteral attributes;
  /// The opsets whose form of the operator the handler implements (models
  /// are converted to proto::kTargetOpset first).
  int firstOpset, lastOpset;
  /// Elementwise operators: the scalar body and the number of inputs.
  ScalarBody body = nullptr;
  int arity = 1;
  /// The handler checks the attributes itself (Constant: exactly one of
  /// them).
  bool handlerChecksAttributes = false;
};

/// The operator table, sorted by name.
ArrayRef<OnnxOperator> operatorTable();
/// The table's entry for `name`, or null.
const OnnxOperator *lookupOperator(StringRef name);

class Importer {
public:
  Importer(MLIRContext &ctx, const onnx::ModelProto &model, StringRef file)
      : ctx(ctx), b(&ctx), model(model), file(file.str()),
        f32(b.getF32Type()), loc(UnknownLoc::get(&ctx)) {}

  /// Builds the module; on failure one error diagnostic has been emitted.
  FailureOr<OwningOpRef<ModuleOp>> run();

  // --- errors (Importer.cpp) ---------------------------------------------
  /// Emits the error (about the current node, if any) at the file's
  /// location, once: a later failure of the same import says nothing.
  LogicalResult fail(const std::string &message);
  /// The same without naming the current node.
  LogicalResult failWithoutNode(const std::string &message);

  // --- types and values (Importer.cpp) -----------------------------------
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
  /// Input `index` when it is a constant not yet made a value.
  const onnx::TensorProto *unmaterializedInput(int index) const {
    const onnx::TensorProto *t = constantInput(index);
    return t && !values.count(node->input(index)) ? t : nullptr;
  }
  LogicalResult constantInts(int index, std::vector<int64_t> &out,
                             StringRef what);
  FailureOr<float> constantScalar(int index, StringRef what);
  /// The node's inputs [0, count) as values.
  FailureOr<SmallVector<Value>> inputs(int count);
  FailureOr<SmallVector<int64_t>> outputShape(int index = 0) {
    return shapeOf(node->output(index), "output");
  }
  LogicalResult setResult(int index, Value value);
  /// A new constant owned by the importer: output 0's value (folded).
  onnx::TensorProto &newConstant();
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
  /// Fails for an attribute not in `names` (space-separated).
  LogicalResult allowAttrs(StringRef names);
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
  /// `name`'s values, or `count` times `dflt` when it is absent.
  std::vector<int64_t> intsAttrOr(StringRef name, int64_t count,
                                  int64_t dflt) const {
    std::vector<int64_t> v = intsAttr(name);
    if (v.empty())
      v.assign(count, dflt);
    return v;
  }
  static std::optional<int64_t> normAxis(int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= rank)
      return std::nullopt;
    return axis < 0 ? axis + rank : axis;
  }

  // --- building blocks (Builders.cpp) -------------------------------------
  Value fill(ArrayRef<int64_t> shape, float value);
  Value elementwise(ArrayRef<Value> inputs, ArrayRef<int64_t> outShape,
                    const Body &body);
  Value unary(Value x, const Body &body) {
    return elementwise({x}, shape(x), body);
  }
  /// Whether every input broadcasts to `out` (numpy rules).
  LogicalResult checkBroadcast(ArrayRef<Value> inputs, ArrayRef<int64_t> out);
  Value reshapeTo(Value x, ArrayRef<int64_t> target);
  Value transpose(Value x, ArrayRef<int64_t> perm);
  Value pad(Value x, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
            float value, Value runtimeValue = {});
  /// Crops `cropLow`/`cropHigh` off each dimension (all >= 0); fails with
  /// `message` when nothing (`allowEmpty`: less than nothing) is left.
  FailureOr<Value> crop(Value x, ArrayRef<int64_t> cropLow,
                        ArrayRef<int64_t> cropHigh, bool allowEmpty,
                        StringRef message);
  Value reduce(Value x, int64_t axis, float init, bool max);
  Value meanOver(Value x, int64_t from);
  /// x - y elementwise (y broadcast), and x * x.
  Value subtract(Value x, Value y);
  Value square(Value x);
  /// x / constant.
  Value divideBy(Value x, float divisor);

  // --- operators (the family files) ---------------------------------------
  LogicalResult importNode();
  LogicalResult importElementwise(const OnnxOperator &op);
  LogicalResult importClip(const OnnxOperator &op);
  LogicalResult importVariadic(const OnnxOperator &op);
  LogicalResult importGemm(const OnnxOperator &op);
  LogicalResult importMatMul(const OnnxOperator &op);
  LogicalResult importConv(const OnnxOperator &op);
  LogicalResult importConvTranspose(const OnnxOperator &op);
  LogicalResult importPool(const OnnxOperator &op);
  LogicalResult importGlobalPool(const OnnxOperator &op);
  LogicalResult importBatchNorm(const OnnxOperator &op);
  LogicalResult importLayerNorm(const OnnxOperator &op);
  LogicalResult importInstanceNorm(const OnnxOperator &op);
  LogicalResult importSoftmax(const OnnxOperator &op);
  LogicalResult importReduce(const OnnxOperator &op);
  LogicalResult importReshapeLike(const OnnxOperator &op);
  LogicalResult importTranspose(const OnnxOperator &op);
  LogicalResult importConcat(const OnnxOperator &op);
  LogicalResult importSplit(const OnnxOperator &op);
  LogicalResult importSlice(const OnnxOperator &op);
  LogicalResult importExpand(const OnnxOperator &op);
  LogicalResult importPad(const OnnxOperator &op);
  LogicalResult importConstant(const OnnxOperator &op);
  LogicalResult importPassThrough(const OnnxOperator &op);
  LogicalResult importCast(const OnnxOperator &op);
  LogicalResult importShape(const OnnxOperator &op);
  LogicalResult importConstantOfShape(const OnnxOperator &op);

  // --- helpers of the families --------------------------------------------
  struct TransposedWindow {
    std::vector<int64_t> strides, dilations, outPad;
    SmallVector<int64_t> begin, end;
  };
  struct PoolWindow {
    std::vector<int64_t> kernel, strides, dilations;
    SmallVector<int64_t> begin, end;
  };
  LogicalResult transposedWindow(ArrayRef<int64_t> in,
                                 ArrayRef<int64_t> kernel, TransposedWindow &w);
  FailureOr<Value> spreadInput(Value x, ArrayRef<int64_t> kernel,
                               const TransposedWindow &w);
  Value flipKernel(Value w);
  LogicalResult poolWindows(bool max, const PoolWindow &w,
                            ArrayRef<int64_t> in, ArrayRef<int64_t> outSpatial,
                            std::vector<std::vector<float>> &counts,
                            SmallVectorImpl<int64_t> &extra);
  Value divideByCounts(Value y, ArrayRef<int64_t> outSpatial,
                       const std::vector<std::vector<float>> &counts);
  LogicalResult spatialPads(ArrayRef<int64_t> in, ArrayRef<int64_t> kernel,
                            ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations,
                            SmallVectorImpl<int64_t> &begin,
                            SmallVectorImpl<int64_t> &end);
  LogicalResult convGeneric(Value x, ArrayRef<int64_t> ws,
                            ArrayRef<int64_t> kernel,
                            ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations,
                            ArrayRef<int64_t> begin, ArrayRef<int64_t> end,
                            int64_t group, ArrayRef<int64_t> out);
  FailureOr<Value> conv2D(Value x, ArrayRef<int64_t> ws,
                          ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations, int64_t group);
  Value poolGeneric(Value x, ArrayRef<int64_t> kernel,
                    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                    ArrayRef<int64_t> outSpatial, float init, bool max);
  FailureOr<Value> softmax(Value x, int64_t axis, bool log);

  // --- shape folding (ShapeFolding.cpp) -----------------------------------
  FailureOr<bool> foldInt64();
  std::optional<SmallVector<int64_t>> anyShape(const std::string &name);

  MLIRContext &ctx;
  OpBuilder b;
  const onnx::ModelProto &model;
  std::string file;
  Type f32;
  Location loc;
  const onnx::NodeProto *node = nullptr;
  bool reported = false;
  llvm::StringMap<const onnx::TypeProto *> types;
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> constants;
  llvm::StringSet<> initializers;
  std::deque<onnx::TensorProto> ownedTensors;

private:
  // --- the graph walk (Importer.cpp) --------------------------------------
  void collectGraph();
  FailureOr<func::FuncOp> beginForward(ModuleOp module,
                                       SmallVectorImpl<Type> &argTypes);
  LogicalResult importNodes(llvm::StringMap<std::string> &nodeOps);
  FailureOr<SmallVector<Value>> graphResults();
  LogicalResult verifyImported(ModuleOp module,
                               const llvm::StringMap<std::string> &nodeOps);
  Location fileLoc();
};

} // namespace mlir::dc::onnx_import

#endif // DC_LIB_IMPORT_ONNX_IMPORTER_H
