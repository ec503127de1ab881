//===- ShapeFolding.cpp - Integer shape arithmetic at import time ---------===//
//
// What ONNX's expanded functions and exporters do with Shape's result
// (Slice, Concat, Gather, the reshapes, Add/Sub/Mul/Div/Neg, Range on int64
// constants) is folded into constants before the node reaches its handler:
// dc compiles static shapes, and linalg has no int64 shape values.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dc::onnx_import;

namespace {

/// Row-major strides of a shape.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> d) {
  SmallVector<int64_t> st(d.size(), 1);
  for (int64_t i = int64_t(d.size()) - 2; i >= 0; --i)
    st[i] = st[i + 1] * d[i + 1];
  return st;
}

/// The multi-index of element `flat` of shape `d`.
SmallVector<int64_t> indexOf(int64_t flat, ArrayRef<int64_t> d) {
  SmallVector<int64_t> idx(d.size());
  for (int64_t i = int64_t(d.size()) - 1; i >= 0; --i) {
    idx[i] = d[i] ? flat % d[i] : 0;
    flat = d[i] ? flat / d[i] : 0;
  }
  return idx;
}

/// A node's constant inputs and its output's shape; each fold returns the
/// output's values, or nothing when it does not apply (the node is then
/// imported as usual).
struct Fold {
  Importer &imp;
  StringRef op;
  std::vector<std::vector<double>> in;
  std::vector<SmallVector<int64_t>> dims;
  SmallVector<int64_t> outDims;
  int64_t n = 0;

  int64_t rank() const { return outDims.size(); }

  std::optional<std::vector<double>> broadcastArith() {
    if (in.size() != 2)
      return std::nullopt;
    SmallVector<int64_t> sa = stridesOf(dims[0]), sb = stridesOf(dims[1]);
    std::vector<double> out;
    for (int64_t f = 0; f < n; ++f) {
      SmallVector<int64_t> idx = indexOf(f, outDims);
      double v[2];
      for (int k = 0; k < 2; ++k) {
        ArrayRef<int64_t> d = dims[k];
        ArrayRef<int64_t> st = k ? sb : sa;
        if (d.size() > size_t(rank()))
          return std::nullopt;
        int64_t off = 0;
        for (size_t j = 0; j < d.size(); ++j) {
          int64_t o = idx[rank() - d.size() + j];
          off += (d[j] == 1 ? 0 : o) * st[j];
        }
        if (off >= int64_t(in[k].size()))
          return std::nullopt;
        v[k] = in[k][off];
      }
      double r = op == "Add"   ? v[0] + v[1]
                 : op == "Sub" ? v[0] - v[1]
                 : op == "Mul" ? v[0] * v[1]
                 : v[1] != 0   ? std::trunc(v[0] / v[1])
                               : 0;
      out.push_back(r);
    }
    return out;
  }

  std::optional<std::vector<double>> concat() {
    std::optional<int64_t> axis =
        Importer::normAxis(imp.intAttr("axis", 0), rank());
    if (!axis)
      return std::nullopt;
    std::vector<double> out;
    for (int64_t f = 0; f < n; ++f) {
      SmallVector<int64_t> idx = indexOf(f, outDims);
      int64_t a = idx[*axis];
      size_t k = 0;
      while (k < dims.size() && (dims[k].size() != size_t(rank()) ||
                                 a >= dims[k][*axis])) {
        if (dims[k].size() != size_t(rank()))
          return std::nullopt;
        a -= dims[k][*axis];
        ++k;
      }
      if (k == dims.size())
        return std::nullopt;
      idx[*axis] = a;
      SmallVector<int64_t> st = stridesOf(dims[k]);
      int64_t off = 0;
      for (int64_t j = 0; j < rank(); ++j)
        off += idx[j] * st[j];
      out.push_back(in[k][off]);
    }
    return out;
  }

  /// Fails (with the importer's error) for an index out of range.
  FailureOr<std::optional<std::vector<double>>> gather() {
    if (in.size() != 2)
      return std::optional<std::vector<double>>();
    int64_t drank = dims[0].size();
    std::optional<int64_t> axis =
        Importer::normAxis(imp.intAttr("axis", 0), drank);
    if (!axis)
      return std::optional<std::vector<double>>();
    SmallVector<int64_t> st = stridesOf(dims[0]);
    int64_t irank = dims[1].size();
    std::vector<double> out;
    for (int64_t f = 0; f < n; ++f) {
      SmallVector<int64_t> idx = indexOf(f, outDims);
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
        return imp.fail("a Gather index is out of range");
      int64_t off = 0;
      for (int64_t j = 0; j < drank; ++j) {
        int64_t c = j < *axis    ? idx[j]
                    : j == *axis ? which
                                 : idx[j - 1 + irank];
        off += c * st[j];
      }
      out.push_back(in[0][off]);
    }
    return std::optional<std::vector<double>>(std::move(out));
  }

  std::optional<std::vector<double>> slice() {
    if (in.size() < 3)
      return std::nullopt;
    int64_t drank = dims[0].size();
    if (drank != rank())
      return std::nullopt;
    SmallVector<int64_t> offset(rank(), 0), step(rank(), 1);
    size_t count = in[1].size();
    for (size_t i = 0; i < count; ++i) {
      int64_t ax = in.size() > 3 && !in[3].empty() ? toInt64(in[3][i]) : i;
      std::optional<int64_t> axis = Importer::normAxis(ax, rank());
      int64_t stp = in.size() > 4 && !in[4].empty() ? toInt64(in[4][i]) : 1;
      if (!axis || stp < 1 || i >= in[2].size())
        return std::nullopt;
      int64_t dim = dims[0][*axis], b0 = toInt64(in[1][i]);
      if (b0 < 0)
        b0 = b0 < -dim ? 0 : b0 + dim;
      offset[*axis] = std::min(b0, dim);
      step[*axis] = stp;
    }
    SmallVector<int64_t> st = stridesOf(dims[0]);
    std::vector<double> out;
    for (int64_t f = 0; f < n; ++f) {
      SmallVector<int64_t> idx = indexOf(f, outDims);
      int64_t off = 0;
      for (int64_t j = 0; j < rank(); ++j) {
        int64_t c = offset[j] + idx[j] * step[j];
        if (c >= dims[0][j])
          return std::nullopt;
        off += c * st[j];
      }
      out.push_back(in[0][off]);
    }
    return out;
  }

  FailureOr<std::optional<std::vector<double>>> values() {
    using Result = std::optional<std::vector<double>>;
    if (op == "Squeeze" || op == "Unsqueeze" || op == "Reshape" ||
        op == "Flatten" || op == "Identity")
      return Result(in[0]);
    if (op == "Neg") {
      std::vector<double> out;
      for (double v : in[0])
        out.push_back(-v);
      return Result(std::move(out));
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
      return broadcastArith();
    if (op == "Range") {
      if (in.size() != 3 || in[0].size() != 1 || in[1].size() != 1 ||
          in[2].size() != 1)
        return Result();
      std::vector<double> out;
      for (int64_t i = 0; i < n; ++i)
        out.push_back(in[0][0] + double(i) * in[2][0]);
      return Result(std::move(out));
    }
    if (op == "Concat")
      return concat();
    if (op == "Gather")
      return gather();
    return slice();
  }
};

} // namespace

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

/// Integer shape arithmetic on constants, folded: only nodes whose inputs
/// are all constants and whose output is int64; true when folded.
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
  Fold fold{*this, op, {}, {}, {}};
  for (int i = 0; i < node->input_size(); ++i) {
    if (node->input(i).empty()) {
      fold.in.emplace_back();
      fold.dims.emplace_back();
      continue;
    }
    const onnx::TensorProto *t = unmaterializedInput(i);
    if (!t)
      return false;
    auto data = tensorValues(*t);
    if (!data)
      return fail(llvm::toString(data.takeError()));
    fold.in.push_back(std::move(*data));
    fold.dims.emplace_back(t->dims().begin(), t->dims().end());
  }
  std::vector<SmallVector<int64_t>> &dims = fold.dims;
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
  fold.outDims = *outDims;
  fold.n = elementCount(*outDims);
  FailureOr<std::optional<std::vector<double>>> out = fold.values();
  if (failed(out))
    return failure();
  if (!*out || int64_t((*out)->size()) != fold.n)
    return false;
  onnx::TensorProto &c = newConstant();
  c.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : *outDims)
    c.add_dims(d);
  for (double v : **out)
    c.add_int64_data(toInt64(v));
  return true;
}
