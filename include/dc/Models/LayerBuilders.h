//===- LayerBuilders.h - Linalg layers in torch-mlir's shape ----*- C++ -*-===//
//
// The linalg-on-tensors pieces that both the built-in models
// (lib/Models/Models.cpp, dc-model-gen) and the ONNX importer
// (lib/Import/Onnx) emit for the same layers, so that the two front ends
// print them alike: the zero (or -inf) accumulator, the bias broadcast into
// a convolution's output, the 2-D convolution and pooling named ops, the
// frozen batch norm, transposes and constant pads. All tensors are f32.
//
//===----------------------------------------------------------------------===//

#ifndef DC_MODELS_LAYERBUILDERS_H
#define DC_MODELS_LAYERBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Support/LLVM.h"

namespace mlir::dc::layers {

/// tensor.empty of `shape` filled with `value` (linalg.fill).
Value fill(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, float value);

/// A tensor<2xi64> attribute (the strides and dilations of the 2-D ops).
DenseIntElementsAttr i64Pair(Builder &b, ArrayRef<int64_t> values);

/// `source` broadcast into a new tensor of `shape`, `dims` being the
/// dimensions it does not have (linalg.broadcast: a bias as the initial
/// value of an accumulation).
Value broadcastInto(OpBuilder &b, Location loc, Value source,
                    ArrayRef<int64_t> shape, ArrayRef<int64_t> dims);

/// linalg.conv_2d_nchw_fchw of `x` and `w` accumulating into `init`.
Value conv2DNchwFchw(OpBuilder &b, Location loc, Value x, Value w, Value init,
                     ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations);

/// linalg.pooling_nchw_max (`max`) or pooling_nchw_sum of `x` over a
/// `kernel` window (a tensor.empty) into `acc`.
Value pool2DNchw(OpBuilder &b, Location loc, Value x, Value acc,
                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> dilations, bool max);

/// Frozen batch norm as one linalg.generic over x [N, C, ...] and the four
/// [C] operands: (x - mean) / sqrt(var + epsilon) * scale + bias.
Value batchNormInference(OpBuilder &b, Location loc, Value x, Value scale,
                         Value bias, Value mean, Value var, float epsilon);

/// linalg.transpose of `x` by `perm`.
Value transpose(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> perm);

/// tensor.pad of `x` by `low` and `high` with `value` (an f32 scalar).
Value pad(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> low,
          ArrayRef<int64_t> high, Value value);

} // namespace mlir::dc::layers

#endif // DC_MODELS_LAYERBUILDERS_H
