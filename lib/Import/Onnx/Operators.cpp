//===- Operators.cpp - The ONNX operator table ----------------------------===//
//
// The one list of the operators the importer implements: each with its
// handler (a member of Importer, in the family files), the attributes the
// handler reads (space-separated; any other is an error naming it), the
// opsets whose form it implements (models are converted to opset 17
// first; Mish is opset 18's) and, for elementwise operators, the scalar
// body and the number of inputs. dc-import-onnx --help and --list-ops,
// the node screen before libonnx and the docs' operator list
// (docs/Frontends.md, checked by test/Import/operators.test) read it.
//
//===----------------------------------------------------------------------===//

#include "Elementwise.h"

#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace mlir::dc::onnx_import;

namespace {

// clang-format off
const OnnxOperator kOperators[] = {
    {"Abs", &Importer::importElementwise, "", 13, 17, scalar::abs},
    {"Add", &Importer::importElementwise, "", 14, 17, scalar::add, 2},
    {"Atan", &Importer::importElementwise, "", 7, 17, scalar::atan},
    {"AveragePool", &Importer::importPool, "auto_pad ceil_mode count_include_pad kernel_shape pads strides", 11, 17},
    {"BatchNormalization", &Importer::importBatchNorm, "epsilon momentum training_mode", 15, 17},
    {"Cast", &Importer::importCast, "saturate to", 13, 17},
    {"CastLike", &Importer::importCast, "saturate", 15, 17},
    {"Ceil", &Importer::importElementwise, "", 13, 17, scalar::ceil},
    {"Celu", &Importer::importElementwise, "alpha", 12, 17, scalar::celu},
    {"Clip", &Importer::importClip, "", 13, 17},
    {"Concat", &Importer::importConcat, "axis", 13, 17},
    {"Constant", &Importer::importConstant, "value value_float value_floats value_int value_ints", 13, 17, nullptr, 1, true},
    {"ConstantOfShape", &Importer::importConstantOfShape, "value", 9, 17},
    {"Conv", &Importer::importConv, "auto_pad dilations group kernel_shape pads strides", 11, 17},
    {"ConvTranspose", &Importer::importConvTranspose, "auto_pad dilations group kernel_shape output_padding output_shape pads strides", 11, 17},
    {"Cos", &Importer::importElementwise, "", 7, 17, scalar::cos},
    {"Div", &Importer::importElementwise, "", 14, 17, scalar::div, 2},
    {"Dropout", &Importer::importPassThrough, "seed", 13, 17},
    {"Elu", &Importer::importElementwise, "alpha", 6, 17, scalar::elu},
    {"Erf", &Importer::importElementwise, "", 13, 17, scalar::erf},
    {"Exp", &Importer::importElementwise, "", 13, 17, scalar::exp},
    {"Expand", &Importer::importExpand, "", 13, 17},
    {"Flatten", &Importer::importReshapeLike, "axis", 13, 17},
    {"Floor", &Importer::importElementwise, "", 13, 17, scalar::floor},
    {"Gemm", &Importer::importGemm, "alpha beta transA transB", 13, 17},
    {"GlobalAveragePool", &Importer::importGlobalPool, "", 1, 17},
    {"GlobalMaxPool", &Importer::importGlobalPool, "", 1, 17},
    {"HardSigmoid", &Importer::importElementwise, "alpha beta", 6, 17, scalar::hardSigmoid},
    {"HardSwish", &Importer::importElementwise, "", 14, 17, scalar::hardSwish},
    {"Identity", &Importer::importPassThrough, "", 16, 17},
    {"InstanceNormalization", &Importer::importInstanceNorm, "epsilon", 6, 17},
    {"LayerNormalization", &Importer::importLayerNorm, "axis epsilon stash_type", 17, 17},
    {"LeakyRelu", &Importer::importElementwise, "alpha", 16, 17, scalar::leakyRelu},
    {"Log", &Importer::importElementwise, "", 13, 17, scalar::log},
    {"LogSoftmax", &Importer::importSoftmax, "axis", 13, 17},
    {"MatMul", &Importer::importMatMul, "", 13, 17},
    {"Max", &Importer::importVariadic, "", 13, 17},
    {"MaxPool", &Importer::importPool, "auto_pad ceil_mode dilations kernel_shape pads storage_order strides", 12, 17},
    {"Mean", &Importer::importVariadic, "", 13, 17},
    {"Min", &Importer::importVariadic, "", 13, 17},
    {"Mish", &Importer::importElementwise, "", 18, 18, scalar::mish},
    {"Mul", &Importer::importElementwise, "", 14, 17, scalar::mul, 2},
    {"Neg", &Importer::importElementwise, "", 13, 17, scalar::neg},
    {"PRelu", &Importer::importElementwise, "", 16, 17, scalar::prelu, 2},
    {"Pad", &Importer::importPad, "mode", 13, 17},
    {"Pow", &Importer::importElementwise, "", 15, 17, scalar::pow, 2},
    {"Reciprocal", &Importer::importElementwise, "", 13, 17, scalar::reciprocal},
    {"ReduceL1", &Importer::importReduce, "axes keepdims", 13, 17},
    {"ReduceL2", &Importer::importReduce, "axes keepdims", 13, 17},
    {"ReduceLogSumExp", &Importer::importReduce, "axes keepdims", 13, 17},
    {"ReduceMax", &Importer::importReduce, "axes keepdims", 13, 17},
    {"ReduceMean", &Importer::importReduce, "axes keepdims", 13, 17},
    {"ReduceMin", &Importer::importReduce, "axes keepdims", 13, 17},
    {"ReduceProd", &Importer::importReduce, "axes keepdims", 13, 17},
    {"ReduceSum", &Importer::importReduce, "keepdims noop_with_empty_axes", 13, 17},
    {"ReduceSumSquare", &Importer::importReduce, "axes keepdims", 13, 17},
    {"Relu", &Importer::importElementwise, "", 14, 17, scalar::relu},
    {"Reshape", &Importer::importReshapeLike, "allowzero", 14, 17},
    {"Selu", &Importer::importElementwise, "alpha gamma", 6, 17, scalar::selu},
    {"Shape", &Importer::importShape, "end start", 15, 17},
    {"Sigmoid", &Importer::importElementwise, "", 13, 17, scalar::sigmoid},
    {"Sign", &Importer::importElementwise, "", 13, 17, scalar::sign},
    {"Sin", &Importer::importElementwise, "", 7, 17, scalar::sin},
    {"Size", &Importer::importShape, "", 13, 17},
    {"Slice", &Importer::importSlice, "", 13, 17},
    {"Softmax", &Importer::importSoftmax, "axis", 13, 17},
    {"Softplus", &Importer::importElementwise, "", 1, 17, scalar::softplus},
    {"Softsign", &Importer::importElementwise, "", 1, 17, scalar::softsign},
    {"Split", &Importer::importSplit, "axis", 13, 17},
    {"Sqrt", &Importer::importElementwise, "", 13, 17, scalar::sqrt},
    {"Squeeze", &Importer::importReshapeLike, "", 13, 17},
    {"Sub", &Importer::importElementwise, "", 14, 17, scalar::sub, 2},
    {"Sum", &Importer::importVariadic, "", 13, 17},
    {"Tanh", &Importer::importElementwise, "", 13, 17, scalar::tanh},
    {"ThresholdedRelu", &Importer::importElementwise, "alpha", 10, 17, scalar::thresholdedRelu},
    {"Transpose", &Importer::importTranspose, "perm", 13, 17},
    {"Unsqueeze", &Importer::importReshapeLike, "", 13, 17},
};
// clang-format on

} // namespace

ArrayRef<OnnxOperator> mlir::dc::onnx_import::operatorTable() {
  return kOperators;
}

const OnnxOperator *mlir::dc::onnx_import::lookupOperator(StringRef name) {
  static const llvm::StringMap<const OnnxOperator *> byName = [] {
    llvm::StringMap<const OnnxOperator *> map;
    for (const OnnxOperator &op : kOperators)
      map[op.name] = &op;
    return map;
  }();
  return byName.lookup(name);
}
