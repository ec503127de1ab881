//===- ShapeIndexing.cpp - Shapes, indexing and constants -----------------===//
//
// Flatten/Reshape/Squeeze/Unsqueeze, Transpose, Concat, Split, Slice,
// Expand and Pad on float values; Constant, Identity/Dropout, Cast and
// CastLike, Shape and Size, ConstantOfShape, which fold to constants when
// their input is one.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dc::onnx_import;

LogicalResult Importer::importReshapeLike(const OnnxOperator &entry) {
  StringRef op = entry.name;
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
  FailureOr<SmallVector<int64_t>> out = outputShape();
  if (failed(out))
    return failure();
  return setResult(0, reshapeTo(*x, *out));
}

LogicalResult Importer::importTranspose(const OnnxOperator &) {
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

LogicalResult Importer::importConcat(const OnnxOperator &) {
  FailureOr<SmallVector<int64_t>> out = outputShape();
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

LogicalResult Importer::importConstant(const OnnxOperator &) {
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

LogicalResult Importer::importPassThrough(const OnnxOperator &op) {
  if (op.name == "Dropout") {
    if (node->output_size() > 1 && !node->output(1).empty())
      return fail("the mask output is not supported (inference only)");
    if (has(2)) {
      const onnx::TensorProto *t = constantInput(2);
      std::optional<llvm::Expected<std::vector<double>>> mode;
      if (t)
        mode.emplace(tensorValues(*t));
      // A mode that does not read is reported as such, without the node.
      if (mode && !*mode)
        return failWithoutNode(llvm::toString(mode->takeError()));
      if (!t || (*mode)->size() != 1 || (**mode)[0] != 0)
        return fail("training_mode must be a constant false (inference "
                    "only)");
    }
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

/// Split along an axis into the outputs' inferred sizes (the split sizes,
/// when given, must be constant).
LogicalResult Importer::importSplit(const OnnxOperator &) {
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
    FailureOr<SmallVector<int64_t>> out = outputShape(i);
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
LogicalResult Importer::importSlice(const OnnxOperator &) {
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
LogicalResult Importer::importExpand(const OnnxOperator &) {
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  std::vector<int64_t> ignored;
  if (failed(constantInts(1, ignored, "the shape")))
    return failure();
  FailureOr<SmallVector<int64_t>> out = outputShape();
  if (failed(out) || failed(checkBroadcast({*xv}, *out)))
    return failure();
  return setResult(0, elementwise({*xv}, *out,
                                  [](OpBuilder &, Location, ValueRange a) {
                                    return a[0];
                                  }));
}

/// Pad, constant mode, with constant pads (negative ones crop) and value.
LogicalResult Importer::importPad(const OnnxOperator &) {
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
  FailureOr<SmallVector<int64_t>> out = outputShape();
  if (failed(out))
    return failure();
  FailureOr<Value> y =
      crop(pad(x, low, high, value, runtimeValue), cropLow, cropHigh,
           /*allowEmpty=*/true, "the pads crop more than the input");
  if (failed(y))
    return failure();
  return setResult(0, *y);
}

/// Shape (or Size) of a statically shaped value: an int64 constant.
LogicalResult Importer::importShape(const OnnxOperator &) {
  SmallVector<int64_t> dims;
  if (const onnx::TensorProto *t = unmaterializedInput(0)) {
    dims.assign(t->dims().begin(), t->dims().end());
  } else {
    FailureOr<Value> x = get(0);
    if (failed(x))
      return failure();
    dims.assign(shape(*x).begin(), shape(*x).end());
  }
  if (node->op_type() == "Size") {
    onnx::TensorProto &c = newConstant();
    c.set_data_type(onnx::TensorProto::INT64);
    c.add_int64_data(elementCount(dims));
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
  onnx::TensorProto &c = newConstant();
  c.set_data_type(onnx::TensorProto::INT64);
  c.add_dims(std::max<int64_t>(end - start, 0));
  for (int64_t i = start; i < end; ++i)
    c.add_int64_data(dims[i]);
  return success();
}

/// ConstantOfShape with a constant shape: a constant.
LogicalResult Importer::importConstantOfShape(const OnnxOperator &) {
  std::vector<int64_t> dims;
  if (failed(constantInts(0, dims, "the shape")))
    return failure();
  int64_t n = elementCount(dims);
  if (n < 0 || n > kMaxWindow)
    return fail("the shape is negative or too large");
  double value = 0;
  int type = onnx::TensorProto::FLOAT;
  if (const onnx::AttributeProto *a = attr("value")) {
    auto v = tensorValues(a->t());
    if (!v)
      return fail(llvm::toString(v.takeError()));
    if (v->size() != 1)
      return fail("'value' must hold one value");
    value = (*v)[0];
    type = a->t().data_type();
  }
  onnx::TensorProto &c = newConstant();
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
  return success();
}

/// Cast: of a constant, folded (to float, double, int32 or int64); of a
/// float value to float, nothing.
LogicalResult Importer::importCast(const OnnxOperator &) {
  bool like = node->op_type() == "CastLike";
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
  if (const onnx::TensorProto *t = unmaterializedInput(0)) {
    auto data = tensorValues(*t);
    if (!data)
      return fail(llvm::toString(data.takeError()));
    onnx::TensorProto &c = newConstant();
    c.mutable_dims()->CopyFrom(t->dims());
    switch (to) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::DOUBLE:
      c.set_data_type(onnx::TensorProto::FLOAT);
      for (double v : *data)
        c.add_float_data(float(v));
      break;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT64:
      c.set_data_type(onnx::TensorProto::INT64);
      for (double v : *data)
        c.add_int64_data(toInt64(std::trunc(v)));
      break;
    default:
      return fail("a cast of a constant to " + typeName(to) +
                  " is not supported");
    }
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

