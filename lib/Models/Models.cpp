//===- Models.cpp - Built-in synthetic models -----------------------------===//

#include "dc/Models/Models.h"
#include "dc/Models/LayerBuilders.h"
#include "dc/Base/Random.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::dc;
namespace layers = mlir::dc::layers;

namespace {

class ModelBuilder {
public:
  ModelBuilder(MLIRContext *ctx, uint64_t seed, FrontEnd frontEnd)
      : b(ctx), rng(seed), f32(b.getF32Type()),
        torchScript(frontEnd == FrontEnd::TorchScript),
        tosa(frontEnd == FrontEnd::TOSA) {}

  /// N(0, stddev) values as an inline dense<> literal.
  DenseElementsAttr values(ArrayRef<int64_t> shape, float stddev) {
    auto type = RankedTensorType::get(shape, f32);
    std::vector<float> data(type.getNumElements());
    for (float &v : data)
      v = stddev * float(rng.next());
    return DenseElementsAttr::get(type, ArrayRef<float>(data));
  }

  /// A weight or bias constant, N(0, stddev): a dense_resource blob (FX), or
  /// an inline dense<> literal (TorchScript-era torch-mlir).
  Value constant(Location loc, ArrayRef<int64_t> shape, float stddev,
                 StringRef key) {
    auto type = RankedTensorType::get(shape, f32);
    int64_t n = type.getNumElements();
    AsmResourceBlob blob =
        HeapAsmResourceBlob::allocate(n * sizeof(float), alignof(float));
    auto *data = reinterpret_cast<float *>(blob.getMutableData().data());
    for (int64_t i = 0; i < n; ++i)
      data[i] = stddev * float(rng.next());
    if (torchScript) {
      // No names: the old importer printed %cst, %cst_0, ...
      auto attr = DenseElementsAttr::get(type, ArrayRef<float>(data, n));
      return arith::ConstantOp::create(b, UnknownLoc::get(b.getContext()),
                                       attr);
    }
    auto attr = DenseResourceElementsAttr::get(type, key, std::move(blob));
    return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  }

  /// [out, in] -> [in, out]: linalg.transpose (FX), or (TorchScript era) a
  /// linalg.generic copying with the permutation on the output map.
  Value transpose2D(Location loc, Value w) {
    auto type = cast<RankedTensorType>(w.getType());
    int64_t out = type.getDimSize(0), in = type.getDimSize(1);
    if (!torchScript)
      return layers::transpose(b, loc, w, {1, 0});
    Value init = tensor::EmptyOp::create(b, loc, {in, out}, f32);
    MLIRContext *ctx = b.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap swapped =
        AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0}, ctx);
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{w},
               ValueRange{init}, ArrayRef<AffineMap>{id, swapped},
               SmallVector<utils::IteratorType>(2,
                                                utils::IteratorType::parallel),
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 linalg::YieldOp::create(nb, nl, args[0]);
               })
        .getResult(0);
  }

  Value zeros(Location loc, ArrayRef<int64_t> shape, float value = 0.0f) {
    return layers::fill(b, loc, shape, value);
  }

  /// A tosa.const_shape.
  Value tosaShape(Location loc, ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get({int64_t(shape.size())},
                                      b.getIndexType());
    return tosa::ConstShapeOp::create(
        b, loc, tosa::shapeType::get(b.getContext(), shape.size()),
        DenseIntElementsAttr::get(type, shape));
  }

  /// nn.Linear as torch-mlir's TOSA path emits it: tosa.const [out, in],
  /// tosa.transpose, reshapes to rank 3 around tosa.matmul, tosa.add of a
  /// [1, out] bias.
  Value tosaLinear(Value x, int64_t out, StringRef name) {
    Location loc = NameLoc::get(b.getStringAttr(name));
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t batch = xType.getDimSize(0), in = xType.getDimSize(1);
    auto weightData = values({out, in}, std::sqrt(2.0f / in));
    auto biasData = values({batch, out}, 0.01f);
    Value w = tosa::ConstOp::create(b, loc, weightData.getType(), weightData);
    Value bias = tosa::ConstOp::create(b, loc, biasData.getType(), biasData);
    Value wt = tosa::TransposeOp::create(
        b, loc, RankedTensorType::get({in, out}, f32), w,
        b.getDenseI32ArrayAttr({1, 0}));
    Value w3 = tosa::ReshapeOp::create(
        b, loc, RankedTensorType::get({1, in, out}, f32), wt,
        tosaShape(loc, {1, in, out}));
    Value x3 = tosa::ReshapeOp::create(
        b, loc, RankedTensorType::get({1, batch, in}, f32), x,
        tosaShape(loc, {1, batch, in}));
    auto zpType = RankedTensorType::get({1}, f32);
    Value zp = tosa::ConstOp::create(
        b, loc, zpType, DenseElementsAttr::get(zpType, 0.0f));
    Value m = tosa::MatMulOp::create(
        b, loc, RankedTensorType::get({1, batch, out}, f32), x3, w3, zp, zp);
    Value m2 = tosa::ReshapeOp::create(
        b, loc, RankedTensorType::get({batch, out}, f32), m,
        tosaShape(loc, {batch, out}));
    return tosa::AddOp::create(b, loc, m2.getType(), m2, bias);
  }

  /// nn.Linear as torch-mlir emits it at batch 1: transpose the [out, in]
  /// weight, matmul into a zero-filled [1, out], add the bias.
  Value linear(Value x, int64_t out, StringRef name) {
    if (tosa)
      return tosaLinear(x, out, name);
    Location loc = NameLoc::get(b.getStringAttr(name));
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t batch = xType.getDimSize(0), in = xType.getDimSize(1);
    Value w = constant(loc, {out, in}, std::sqrt(2.0f / in),
                       (name + "_weight").str());
    Value bias = constant(loc, {out}, 0.01f, (name + "_bias").str());
    Value wt = transpose2D(loc, w);
    Value acc = zeros(loc, {batch, out});
    Value mm = linalg::MatmulOp::create(b, loc, TypeRange{acc.getType()},
                                        ValueRange{x, wt}, ValueRange{acc})
                   .getResult(0);
    return elementwise(loc, mm, bias, /*relu=*/false);
  }

  /// y = x + bias (broadcast along dim 1 of [N, C]), optionally relu: max
  /// (FX) or cmpf ugt + select (TorchScript era, which also reads a [1, C]
  /// x through (0, d1)).
  Value elementwise(Location loc, Value x, Value bias, bool relu) {
    auto type = cast<RankedTensorType>(x.getType());
    MLIRContext *ctx = b.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap xMap = id;
    if (torchScript && type.getDimSize(0) == 1)
      xMap = AffineMap::get(2, 0,
                            {b.getAffineConstantExpr(0), b.getAffineDimExpr(1)},
                            ctx);
    SmallVector<AffineMap> maps = {xMap};
    SmallVector<Value> inputs = {x};
    if (bias) {
      maps.push_back(AffineMap::get(2, 0, {b.getAffineDimExpr(1)}, ctx));
      inputs.push_back(bias);
    }
    maps.push_back(id);
    Value init = tensor::EmptyOp::create(b, loc, type.getShape(), f32);
    return linalg::GenericOp::create(
               b, loc, TypeRange{type}, inputs, ValueRange{init}, maps,
               SmallVector<utils::IteratorType>(2,
                                                utils::IteratorType::parallel),
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 Value v = args[0];
                 if (bias)
                   v = arith::AddFOp::create(nb, nl, v, args[1]);
                 if (relu) {
                   Value zero = arith::ConstantOp::create(
                       nb, nl, nb.getF32FloatAttr(0.0f));
                   if (torchScript) {
                     Value gt = arith::CmpFOp::create(
                         nb, nl, arith::CmpFPredicate::UGT, v, zero);
                     v = arith::SelectOp::create(nb, nl, gt, v, zero);
                   } else {
                     v = arith::MaximumFOp::create(nb, nl, v, zero);
                   }
                 }
                 linalg::YieldOp::create(nb, nl, v);
               })
        .getResult(0);
  }

  Value relu(Value x) {
    auto type = cast<RankedTensorType>(x.getType());
    Location loc = x.getLoc();
    if (tosa)
      return tosa::ClampOp::create(
          b, loc, type, x, b.getF32FloatAttr(0.0f),
          b.getF32FloatAttr(std::numeric_limits<float>::max()));
    if (type.getRank() == 2)
      return elementwise(loc, x, Value(), /*relu=*/true);
    // Rank 4: flatten, relu, restore (keeps one elementwise helper).
    SmallVector<ReassociationIndices> groups = {{0}, {1, 2, 3}};
    Value flat = tensor::CollapseShapeOp::create(b, loc, x, groups);
    Value r = elementwise(loc, flat, Value(), /*relu=*/true);
    return tensor::ExpandShapeOp::create(b, loc, type, r, groups);
  }

  /// nn.Conv2d as torch-mlir lowers it: a zero tensor.pad when padded, the
  /// bias broadcast into the output, then conv_2d_nchw_fchw accumulates
  /// into it.
  Value conv(Value x, int64_t filters, int64_t kernel, StringRef name,
             int64_t stride = 1, int64_t pad = 0) {
    Location loc = NameLoc::get(b.getStringAttr(name));
    auto xType = cast<RankedTensorType>(x.getType());
    if (pad > 0) {
      Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
      x = layers::pad(b, loc, x, {0, 0, pad, pad}, {0, 0, pad, pad}, zero);
      xType = cast<RankedTensorType>(x.getType());
    }
    int64_t n = xType.getDimSize(0), c = xType.getDimSize(1);
    int64_t oh = (xType.getDimSize(2) - kernel) / stride + 1;
    int64_t ow = (xType.getDimSize(3) - kernel) / stride + 1;
    Value w = constant(loc, {filters, c, kernel, kernel},
                       std::sqrt(2.0f / (c * kernel * kernel)),
                       (name + "_weight").str());
    Value bias = constant(loc, {filters}, 0.01f, (name + "_bias").str());
    Value acc =
        layers::broadcastInto(b, loc, bias, {n, filters, oh, ow}, {0, 2, 3});
    return layers::conv2DNchwFchw(b, loc, x, w, acc, {stride, stride}, {1, 1});
  }

  /// A 1-D per-channel constant [C] (batch-norm parameters and
  /// statistics): N(mean, stddev), or |N| + floor for variances.
  Value channelConstant(Location loc, int64_t c, float mean, float stddev,
                        StringRef key, bool positive = false) {
    auto type = RankedTensorType::get({c}, f32);
    AsmResourceBlob blob =
        HeapAsmResourceBlob::allocate(c * sizeof(float), alignof(float));
    auto *data = reinterpret_cast<float *>(blob.getMutableData().data());
    for (int64_t i = 0; i < c; ++i) {
      float v = stddev * float(rng.next());
      data[i] = positive ? mean + std::fabs(v) : mean + v;
    }
    auto attr = DenseResourceElementsAttr::get(type, key, std::move(blob));
    return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  }

  /// Frozen nn.BatchNorm2d as torch-mlir lowers it in eval mode: one
  /// linalg.generic over x [N, C, H, W] and the four [C] constants,
  /// (x - mean) / sqrt(var + eps) * weight + bias.
  Value batchNorm(Value x, StringRef name) {
    Location loc = NameLoc::get(b.getStringAttr(name));
    auto type = cast<RankedTensorType>(x.getType());
    int64_t c = type.getDimSize(1);
    std::string n = name.str();
    Value weight = channelConstant(loc, c, 1.0f, 0.1f, n + ".weight");
    Value bias = channelConstant(loc, c, 0.0f, 0.1f, n + ".bias");
    Value mean = channelConstant(loc, c, 0.0f, 0.1f, n + ".running_mean");
    Value var =
        channelConstant(loc, c, 0.5f, 0.5f, n + ".running_var", true);
    return layers::batchNormInference(b, loc, x, weight, bias, mean, var,
                                      1e-5f);
  }

  /// x + y for two tensors of one shape (a residual connection).
  Value add(Value x, Value y) {
    auto type = cast<RankedTensorType>(x.getType());
    Location loc = x.getLoc();
    AffineMap id =
        AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
    Value init = tensor::EmptyOp::create(b, loc, type.getShape(), f32);
    return linalg::GenericOp::create(
               b, loc, TypeRange{type}, ValueRange{x, y}, ValueRange{init},
               ArrayRef<AffineMap>{id, id, id},
               SmallVector<utils::IteratorType>(type.getRank(),
                                                utils::IteratorType::parallel),
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value sum = arith::AddFOp::create(nb, nl, a[0], a[1]);
                 linalg::YieldOp::create(nb, nl, sum);
               })
        .getResult(0);
  }

  /// nn.AdaptiveAvgPool2d(1) + flatten as torch-mlir lowers it: a
  /// pooling_nchw_sum over the whole map into zeros, a division by H * W,
  /// then the [N, C, 1, 1] -> [N, C] collapse.
  Value globalAveragePool(Value x) {
    Location loc = x.getLoc();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t n = type.getDimSize(0), c = type.getDimSize(1);
    int64_t h = type.getDimSize(2), w = type.getDimSize(3);
    Value acc = zeros(loc, {n, c, 1, 1});
    Value sum = layers::pool2DNchw(b, loc, x, acc, {h, w}, {1, 1}, {1, 1},
                                   /*max=*/false);
    auto sumType = cast<RankedTensorType>(sum.getType());
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, b.getContext());
    Value init = tensor::EmptyOp::create(b, loc, sumType.getShape(), f32);
    Value mean =
        linalg::GenericOp::create(
            b, loc, TypeRange{sumType}, ValueRange{sum}, ValueRange{init},
            ArrayRef<AffineMap>{id, id},
            SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              Value d = arith::ConstantOp::create(
                  nb, nl, nb.getF32FloatAttr(float(h * w)));
              Value q = arith::DivFOp::create(nb, nl, a[0], d);
              linalg::YieldOp::create(nb, nl, q);
            })
            .getResult(0);
    SmallVector<ReassociationIndices> groups = {{0}, {1, 2, 3}};
    return tensor::CollapseShapeOp::create(b, loc, mean, groups);
  }

  /// 2x2 max pooling, stride 2.
  Value maxPool(Value x) {
    Location loc = x.getLoc();
    auto xType = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape(xType.getShape());
    shape[2] /= 2;
    shape[3] /= 2;
    Value acc = zeros(loc, shape, -std::numeric_limits<float>::infinity());
    return layers::pool2DNchw(b, loc, x, acc, {2, 2}, {2, 2}, {1, 1},
                              /*max=*/true);
  }

  Value flatten(Value x) {
    SmallVector<ReassociationIndices> groups = {{0}, {1, 2, 3}};
    return tensor::CollapseShapeOp::create(b, x.getLoc(), x, groups);
  }

  /// Starts `func.func @name(%x: inputType) -> resultType`; returns %x.
  Value beginFunc(ModuleOp module, StringRef name, ArrayRef<int64_t> input) {
    b.setInsertionPointToEnd(module.getBody());
    auto inputType = RankedTensorType::get(input, f32);
    func = func::FuncOp::create(b, module.getLoc(), name,
                                b.getFunctionType({inputType}, {}));
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    return entry->getArgument(0);
  }

  void endFunc(Value result) {
    func::ReturnOp::create(b, func.getLoc(), result);
    func.setFunctionType(
        b.getFunctionType(func.getArgumentTypes(), {result.getType()}));
  }

  OpBuilder b;

private:
  ::dc::Gaussian rng;
  Type f32;
  bool torchScript, tosa;
  func::FuncOp func;
};

/// Fully connected stack: sizes = {in, h1, ..., out}; relu between layers.
void buildMLP(ModelBuilder &mb, ModuleOp module, ArrayRef<int64_t> sizes) {
  Value x = mb.beginFunc(module, "forward", {1, sizes[0]});
  for (size_t i = 1; i < sizes.size(); ++i) {
    x = mb.linear(x, sizes[i], "fc" + std::to_string(i));
    if (i + 1 < sizes.size())
      x = mb.relu(x);
  }
  mb.endFunc(x);
}

void buildLeNet5(ModelBuilder &mb, ModuleOp module) {
  Value x = mb.beginFunc(module, "forward", {1, 1, 28, 28});
  x = mb.maxPool(mb.relu(mb.conv(x, 20, 5, "conv1"))); // 20x12x12
  x = mb.maxPool(mb.relu(mb.conv(x, 50, 5, "conv2"))); // 50x4x4
  x = mb.relu(mb.linear(mb.flatten(x), 500, "fc1"));
  x = mb.linear(x, 10, "fc2");
  mb.endFunc(x);
}

/// A ResNet-style CNN (torch-mlir's eval-mode lowering of a small
/// torchvision-like ResNet): a 3x3 stem, a basic block with an identity
/// shortcut, a strided basic block with a 1x1 strided projection, batch
/// norm after every conv, global average pooling and an fc layer.
void buildResNet(ModelBuilder &mb, ModuleOp module) {
  Value x = mb.beginFunc(module, "forward", {1, 3, 32, 32});
  auto convBN = [&](Value in, int64_t filters, int64_t kernel, StringRef name,
                    int64_t stride, int64_t pad) {
    return mb.batchNorm(mb.conv(in, filters, kernel, name, stride, pad),
                        (name + "_bn").str());
  };
  x = mb.relu(convBN(x, 16, 3, "conv1", 1, 1)); // 16x32x32
  // Block 1: identity shortcut.
  Value h = mb.relu(convBN(x, 16, 3, "layer1_conv1", 1, 1));
  h = convBN(h, 16, 3, "layer1_conv2", 1, 1);
  x = mb.relu(mb.add(h, x));
  // Block 2: stride 2, 1x1 projection shortcut.
  h = mb.relu(convBN(x, 32, 3, "layer2_conv1", 2, 1)); // 32x16x16
  h = convBN(h, 32, 3, "layer2_conv2", 1, 1);
  Value shortcut = convBN(x, 32, 1, "layer2_downsample", 2, 0);
  x = mb.relu(mb.add(h, shortcut));
  x = mb.linear(mb.globalAveragePool(x), 10, "fc");
  mb.endFunc(x);
}

/// A ResNet-style stem: padded, strided 3x3 convolutions (tensor.pad before
/// each, as torch-mlir emits for padding=1), then an fc layer.
void buildPaddedCNN(ModelBuilder &mb, ModuleOp module) {
  Value x = mb.beginFunc(module, "forward", {1, 3, 16, 16});
  x = mb.relu(mb.conv(x, 8, 3, "conv1", /*stride=*/2, /*pad=*/1));  // 8x8x8
  x = mb.relu(mb.conv(x, 16, 3, "conv2", /*stride=*/1, /*pad=*/1)); // 16x8x8
  x = mb.linear(mb.flatten(x), 10, "fc1");
  mb.endFunc(x);
}

struct ConvSpec {
  const char *name;
  int64_t filters, channels, kernel;
};
struct FCSpec {
  const char *name;
  int64_t out, in;
};

/// One function per layer holding that layer's weights, for sizes.
void buildWeightSet(ModelBuilder &mb, ModuleOp module, ArrayRef<ConvSpec> convs,
                    ArrayRef<FCSpec> fcs) {
  for (const ConvSpec &c : convs) {
    Value x = mb.beginFunc(module, c.name, {1, c.channels, c.kernel, c.kernel});
    mb.endFunc(mb.conv(x, c.filters, c.kernel, c.name));
  }
  for (const FCSpec &f : fcs) {
    Value x = mb.beginFunc(module, f.name, {1, f.in});
    mb.endFunc(mb.linear(x, f.out, f.name));
  }
}

// AlexNet (Krizhevsky et al. 2012, two-group conv2/4/5 as in Caffe): 61M.
const ConvSpec kAlexNetConvs[] = {{"conv1", 96, 3, 11},
                                  {"conv2", 256, 48, 5},
                                  {"conv3", 384, 256, 3},
                                  {"conv4", 384, 192, 3},
                                  {"conv5", 256, 192, 3}};
const FCSpec kAlexNetFCs[] = {
    {"fc6", 4096, 9216}, {"fc7", 4096, 4096}, {"fc8", 1000, 4096}};
// VGG-16 (Simonyan & Zisserman 2014): 138M.
const ConvSpec kVGG16Convs[] = {
    {"conv1_1", 64, 3, 3},    {"conv1_2", 64, 64, 3},
    {"conv2_1", 128, 64, 3},  {"conv2_2", 128, 128, 3},
    {"conv3_1", 256, 128, 3}, {"conv3_2", 256, 256, 3},
    {"conv3_3", 256, 256, 3}, {"conv4_1", 512, 256, 3},
    {"conv4_2", 512, 512, 3}, {"conv4_3", 512, 512, 3},
    {"conv5_1", 512, 512, 3}, {"conv5_2", 512, 512, 3},
    {"conv5_3", 512, 512, 3}};
const FCSpec kVGG16FCs[] = {
    {"fc6", 4096, 25088}, {"fc7", 4096, 4096}, {"fc8", 1000, 4096}};

const ModelInfo kModels[] = {
    {"tiny", "8-16-4 MLP (tests)"},
    {"mlp", "LeNet-300-100: 784-300-100-10 MLP, 266K weights"},
    {"lenet5", "LeNet-5 (Caffe): conv 20 and 50 5x5, fc 500 and 10, 431K "
               "weights"},
    {"cnn-pad", "ResNet-style stem: 3x3 convs with padding 1 (tensor.pad) "
                "and stride 2 and 1, fc 10, 12K weights (tests)"},
    {"resnet", "ResNet-style CNN on 3x32x32: 3x3 padded convs, a basic block, "
               "a stride-2 block with a 1x1 projection, batch norm, residual "
               "adds, global average pooling, fc 10; 24K weights"},
    {"alexnet", "AlexNet-sized weight set: 5 conv + 3 fc layers, 61M weights, "
                "one function per layer"},
    {"fc6", "AlexNet's fc6 alone: one 9216 -> 4096 nn.Linear, 37.7M weights "
            "(kernel benchmarks)"},
    {"vgg16", "VGG-16-sized weight set: 13 conv + 3 fc layers, 138M weights, "
              "one function per layer"},
    {"linear-OUTxIN", "one IN -> OUT nn.Linear named fc1, e.g. linear-4096x25088 "
                      "(VGG-16's fc6; kernel benchmarks)"},
    {"conv-FxCxK-HxW", "one nn.Conv2d(C, F, K, padding=K/2) named conv1 on a "
                       "CxHxW image, e.g. conv-384x256x3-13x13 (AlexNet's "
                       "conv3; kernel benchmarks)"},
};

} // namespace

ArrayRef<ModelInfo> mlir::dc::getModels() { return kModels; }

void mlir::dc::registerModelDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, tensor::TensorDialect,
                  tosa::TosaDialect>();
}

LogicalResult mlir::dc::addRunnerMain(ModuleOp module) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.getNumArguments() != 1 ||
      forward.getNumResults() != 1)
    return emitError(module.getLoc(),
        "the model has no @forward with one input and one result");
  auto inputType = dyn_cast<RankedTensorType>(forward.getArgumentTypes()[0]);
  auto resultType = dyn_cast<RankedTensorType>(forward.getResultTypes()[0]);
  if (!inputType || !resultType || !inputType.getElementType().isF32() ||
      !resultType.getElementType().isF32())
    return emitError(module.getLoc(), "@forward must take and return f32 "
                                      "tensors");
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  auto unranked = UnrankedTensorType::get(b.getF32Type());
  auto print = func::FuncOp::create(b, loc, "printMemrefF32",
                                    b.getFunctionType({unranked}, {}));
  print.setPrivate();
  print->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  auto main = func::FuncOp::create(b, loc, "main", b.getFunctionType({}, {}));
  b.setInsertionPointToStart(main.addEntryBlock());
  std::vector<float> input(inputType.getNumElements());
  for (size_t i = 0; i < input.size(); ++i)
    input[i] = float(std::sin(double(i + 1)));
  Value x = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(inputType, ArrayRef<float>(input)));
  Value y = func::CallOp::create(b, loc, forward, ValueRange{x}).getResult(0);
  Value cast = tensor::CastOp::create(b, loc, unranked, y);
  func::CallOp::create(b, loc, print, ValueRange{cast});
  func::ReturnOp::create(b, loc);
  return success();
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::dc::buildModel(MLIRContext *context, StringRef name, uint64_t seed,
                     FrontEnd frontEnd) {
  auto error = [&]() { return emitError(UnknownLoc::get(context)); };
  context->loadDialect<arith::ArithDialect, func::FuncDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       tensor::TensorDialect, tosa::TosaDialect>();
  if (frontEnd == FrontEnd::TOSA && name != "mlp" && name != "tiny")
    return error() << "--front-end=tosa builds the MLPs (mlp, tiny) only, "
                      "not '"
                   << name << "'";
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(UnknownLoc::get(context), name);
  ModelBuilder mb(context, seed, frontEnd);
  if (name == "tiny")
    buildMLP(mb, *module, {8, 16, 4});
  else if (name == "mlp")
    buildMLP(mb, *module, {784, 300, 100, 10});
  else if (name == "fc6")
    buildMLP(mb, *module, {9216, 4096});
  else if (name == "lenet5")
    buildLeNet5(mb, *module);
  else if (name == "cnn-pad")
    buildPaddedCNN(mb, *module);
  else if (name == "resnet")
    buildResNet(mb, *module);
  else if (name == "alexnet")
    buildWeightSet(mb, *module, kAlexNetConvs, kAlexNetFCs);
  else if (name == "vgg16")
    buildWeightSet(mb, *module, kVGG16Convs, kVGG16FCs);
  else if (name.starts_with("linear-")) {
    auto [outText, inText] = name.drop_front(7).split('x');
    int64_t out = 0, in = 0;
    if (outText.getAsInteger(10, out) || inText.getAsInteger(10, in) ||
        out <= 0 || in <= 0)
      return error() << "bad linear model '" << name
                     << "' (expected linear-OUTxIN, e.g. linear-4096x9216)";
    buildMLP(mb, *module, {in, out});
  } else if (name.starts_with("conv-")) {
    // conv-FxCxK-HxW
    auto [filterText, imageText] = name.drop_front(5).split('-');
    SmallVector<StringRef> f, i;
    filterText.split(f, 'x');
    imageText.split(i, 'x');
    int64_t v[5] = {0, 0, 0, 0, 0};
    bool bad = f.size() != 3 || i.size() != 2;
    for (unsigned k = 0; !bad && k < 5; ++k)
      bad = (k < 3 ? f[k] : i[k - 3]).getAsInteger(10, v[k]) || v[k] <= 0;
    if (bad || v[2] % 2 == 0)
      return error() << "bad conv model '" << name
                     << "' (expected conv-FxCxK-HxW with an odd K, e.g. "
                        "conv-384x256x3-13x13)";
    Value x = mb.beginFunc(*module, "forward", {1, v[1], v[3], v[4]});
    mb.endFunc(mb.conv(x, v[0], v[2], "conv1", /*stride=*/1, v[2] / 2));
  } else {
    InFlightDiagnostic unknown = error();
    unknown << "unknown model '" << name << "' (known:";
    for (const ModelInfo &m : kModels)
      unknown << " " << m.name;
    return unknown << ")";
  }
  return module;
}
