//===- ConvPool.cpp - Convolutions and pooling ----------------------------===//
//
// Conv (1-D to 3-D, grouped and depthwise), ConvTranspose (as a
// convolution of the spread input with the flipped kernel), MaxPool,
// AveragePool and the global pools. 2-D forms use linalg's named NCHW ops
// as torch-mlir does; 3-D forms (and grouped 3-D convolutions) are one
// linalg.generic.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "dc/Models/LayerBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::dc::onnx_import;
namespace layers = mlir::dc::layers;

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


LogicalResult Importer::importConv(const OnnxOperator &) {
  FailureOr<Value> xv = get(0);
  if (failed(xv))
    return failure();
  Value x = *xv;
  // The weight is made in the shape the linalg op reads (weightAs), so its
  // shape comes first from the initializer.
  SmallVector<int64_t> ws;
  if (const onnx::TensorProto *t = unmaterializedInput(1)) {
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
  std::vector<int64_t> strides = intsAttrOr("strides", spatial, 1),
                       dilations = intsAttrOr("dilations", spatial, 1);
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
  FailureOr<SmallVector<int64_t>> out = outputShape();
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
  FailureOr<Value> y = conv2D(x, ws, kernel, strides, dilations, group);
  if (failed(y))
    return failure();
  return setResult(0, reshapeTo(*y, *out));
}

/// A 2-D convolution of the padded `x` by input 1 (shape `ws`) plus input
/// 2: linalg.conv_2d_nchw_fchw (group 1), depthwise_conv_2d_nchw_chw
/// (one filter per channel) or conv_2d_ngchw_gfchw (other groups).
FailureOr<Value> Importer::conv2D(Value x, ArrayRef<int64_t> ws,
                                  ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations, int64_t group) {
  int64_t n = shape(x)[0], c = shape(x)[1], f = ws[0];
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
  bool depthwise = group == c && f == c && group > 1;
  if (group == 1 || depthwise) {
    Value init = bias ? layers::broadcastInto(b, loc, bias, {n, f, oh, ow},
                                              {0, 2, 3})
                      : fill({n, f, oh, ow}, 0.0f);
    if (group == 1) {
      FailureOr<Value> w = weightAs(1, ws);
      if (failed(w))
        return failure();
      return layers::conv2DNchwFchw(b, loc, x, *w, init, strides, dilations);
    }
    FailureOr<Value> wd = weightAs(1, {c, kernel[0], kernel[1]});
    if (failed(wd))
      return failure();
    return linalg::DepthwiseConv2DNchwChwOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{x, *wd},
               ValueRange{init}, layers::i64Pair(b, strides),
               layers::i64Pair(b, dilations))
        .getResult(0);
  }
  int64_t g = group, cg = c / g, fg = f / g;
  Value xg = reshapeTo(x, {n, g, cg, shape(x)[2], shape(x)[3]});
  FailureOr<Value> wg = weightAs(1, {g, fg, cg, kernel[0], kernel[1]});
  if (failed(wg))
    return failure();
  Value init = bias ? layers::broadcastInto(b, loc, reshapeTo(bias, {g, fg}),
                                            {n, g, fg, oh, ow}, {0, 3, 4})
                    : fill({n, g, fg, oh, ow}, 0.0f);
  Value y = linalg::Conv2DNgchwGfchwOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{xg, *wg},
                ValueRange{init}, layers::i64Pair(b, strides),
                layers::i64Pair(b, dilations))
                .getResult(0);
  return reshapeTo(y, {n, f, oh, ow});
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
    init = layers::broadcastInto(b, loc, *bias, os, dims);
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

/// The strides, dilations, output padding and pads (begin, end) of a
/// transposed convolution from its attributes, checked.
LogicalResult Importer::transposedWindow(ArrayRef<int64_t> in,
                                         ArrayRef<int64_t> kernel,
                                         TransposedWindow &w) {
  int64_t spatial = in.size();
  w.strides = intsAttrOr("strides", spatial, 1);
  w.dilations = intsAttrOr("dilations", spatial, 1);
  w.outPad = intsAttrOr("output_padding", spatial, 0);
  std::vector<int64_t> outShape = intsAttr("output_shape"),
                       pads = intsAttr("pads");
  if (int64_t(w.strides.size()) != spatial ||
      int64_t(w.dilations.size()) != spatial ||
      int64_t(w.outPad.size()) != spatial ||
      (!outShape.empty() && int64_t(outShape.size()) != spatial) ||
      (!pads.empty() && int64_t(pads.size()) != 2 * spatial))
    return fail("'strides', 'dilations', 'output_padding', 'output_shape' "
                "and 'pads' need one value (pads: two) per spatial dimension");
  for (ArrayRef<int64_t> values : {ArrayRef<int64_t>(kernel),
                                   ArrayRef<int64_t>(w.strides),
                                   ArrayRef<int64_t>(w.dilations)})
    for (int64_t v : values)
      if (v < 1 || v > kMaxWindow)
        return fail("kernel sizes, strides and dilations must be in [1, " +
                    std::to_string(kMaxWindow) + "]");
  std::string autoPad = stringAttr("auto_pad", "NOTSET");
  w.begin.assign(spatial, 0);
  w.end.assign(spatial, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    if (w.outPad[i] < 0 || w.outPad[i] > kMaxWindow)
      return fail("'output_padding' is out of range");
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    if (!outShape.empty() || same) {
      int64_t out = outShape.empty() ? in[i] * w.strides[i] : outShape[i];
      int64_t total = w.strides[i] * (in[i] - 1) + w.outPad[i] +
                      (kernel[i] - 1) * w.dilations[i] + 1 - out;
      // ONNX's reference floors the half (a negative total, when
      // output_shape asks for more than the strides give, adds zeros at the
      // end).
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      if (autoPad == "SAME_UPPER") {
        w.begin[i] = half;
        w.end[i] = total - half;
      } else {
        w.begin[i] = total - half;
        w.end[i] = half;
      }
    } else if (!pads.empty()) {
      w.begin[i] = pads[i];
      w.end[i] = pads[spatial + i];
    }
    if (w.begin[i] < -kMaxWindow || w.begin[i] > kMaxWindow ||
        w.end[i] < -kMaxWindow || w.end[i] > kMaxWindow)
      return fail("'pads' are out of range");
  }
  return success();
}

/// ConvTranspose's input [N, C, H, W] spread out by the strides (zeros
/// between), then padded by dilation * (kernel - 1) - pads (+
/// output_padding at the end); negative amounts crop.
FailureOr<Value> Importer::spreadInput(Value x, ArrayRef<int64_t> kernel,
                                       const TransposedWindow &w) {
  ArrayRef<int64_t> in = shape(x).drop_front(2);
  SmallVector<int64_t> spread = {shape(x)[0], shape(x)[1],
                                 (in[0] - 1) * w.strides[0] + 1,
                                 (in[1] - 1) * w.strides[1] + 1};
  Value y = fill(spread, 0.0f);
  if (w.strides[0] != 1 || w.strides[1] != 1) {
    SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0)), sizes, steps;
    for (int64_t d : shape(x))
      sizes.push_back(b.getIndexAttr(d));
    steps = {b.getIndexAttr(1), b.getIndexAttr(1),
             b.getIndexAttr(w.strides[0]), b.getIndexAttr(w.strides[1])};
    y = tensor::InsertSliceOp::create(b, loc, x, y, offsets, sizes, steps);
  } else {
    y = x;
  }
  SmallVector<int64_t> low(4, 0), high(4, 0), cropLow(4, 0), cropHigh(4, 0);
  for (int i = 0; i < 2; ++i) {
    int64_t l = w.dilations[i] * (kernel[i] - 1) - w.begin[i];
    int64_t h = w.dilations[i] * (kernel[i] - 1) - w.end[i] + w.outPad[i];
    low[2 + i] = std::max<int64_t>(l, 0);
    high[2 + i] = std::max<int64_t>(h, 0);
    cropLow[2 + i] = std::max<int64_t>(-l, 0);
    cropHigh[2 + i] = std::max<int64_t>(-h, 0);
  }
  y = pad(y, low, high, 0.0f);
  return crop(y, cropLow, cropHigh, /*allowEmpty=*/false,
              "the pads leave no output");
}

/// ConvTranspose's kernel [C, F, KH, KW] as a convolution's
/// [F, C, KH, KW], flipped.
Value Importer::flipKernel(Value w) {
  int64_t c = shape(w)[0], f = shape(w)[1], kh = shape(w)[2],
          kw = shape(w)[3];
  AffineExpr fd = b.getAffineDimExpr(0), cd = b.getAffineDimExpr(1),
             i = b.getAffineDimExpr(2), j = b.getAffineDimExpr(3);
  AffineMap flip =
      AffineMap::get(4, 0, {cd, fd, kh - 1 - i, kw - 1 - j}, &ctx);
  Value wInit = tensor::EmptyOp::create(b, loc, {f, c, kh, kw}, f32);
  return linalg::GenericOp::create(
             b, loc, TypeRange{wInit.getType()}, ValueRange{w},
             ValueRange{wInit},
             ArrayRef<AffineMap>{flip,
                                 AffineMap::getMultiDimIdentityMap(4, &ctx)},
             SmallVector<utils::IteratorType>(4,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, a[0]);
             })
      .getResult(0);
}

/// ConvTranspose as a convolution: the input spread out by the strides
/// (zeros between), padded by dilation * (kernel - 1) less the pads, and
/// the kernel flipped with its two channel dimensions swapped.
LogicalResult Importer::importConvTranspose(const OnnxOperator &) {
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
  int64_t n = shape(x)[0], c = shape(x)[1], f = shape(w)[1];
  SmallVector<int64_t> in(shape(x).drop_front(2)),
      kernel(shape(w).drop_front(2));
  TransposedWindow window;
  if (failed(transposedWindow(in, kernel, window)))
    return failure();
  FailureOr<SmallVector<int64_t>> out = outputShape();
  if (failed(out))
    return failure();
  if (rank == 3) {
    x = reshapeTo(x, {n, c, 1, in[0]});
    w = reshapeTo(w, {c, f, 1, kernel[0]});
    for (auto *v : {&in, &kernel, &window.begin, &window.end})
      v->insert(v->begin(), v == &window.begin || v == &window.end ? 0 : 1);
    window.strides.insert(window.strides.begin(), 1);
    window.dilations.insert(window.dilations.begin(), 1);
    window.outPad.insert(window.outPad.begin(), 0);
  }
  FailureOr<Value> y = spreadInput(x, kernel, window);
  if (failed(y))
    return failure();
  Value wf = flipKernel(w);
  int64_t oh = shape(*y)[2] - window.dilations[0] * (kernel[0] - 1);
  int64_t ow = shape(*y)[3] - window.dilations[1] * (kernel[1] - 1);
  if (oh <= 0 || ow <= 0)
    return fail("the pads leave no output");
  Value init;
  if (has(2)) {
    FailureOr<Value> bias = get(2);
    if (failed(bias))
      return failure();
    init = layers::broadcastInto(b, loc, *bias, {n, f, oh, ow}, {0, 2, 3});
  } else {
    init = fill({n, f, oh, ow}, 0.0f);
  }
  Value r = layers::conv2DNchwFchw(b, loc, *y, wf, init, {1, 1},
                                   window.dilations);
  return setResult(0, reshapeTo(r, *out));
}

/// The divisor of each output position along each spatial dimension
/// (average pooling): the window's elements inside the input, or inside
/// input + pads with count_include_pad; what ceil_mode adds past the pads
/// (`extra`, also for max pooling) never counts.
LogicalResult Importer::poolWindows(bool max, const PoolWindow &w,
                                    ArrayRef<int64_t> in,
                                    ArrayRef<int64_t> outSpatial,
                                    std::vector<std::vector<float>> &counts,
                                    SmallVectorImpl<int64_t> &extra) {
  int64_t spatial = in.size();
  bool includePad = intAttr("count_include_pad", 0) != 0;
  counts.assign(spatial, {});
  extra.assign(spatial, 0);
  int64_t positions = 1;
  for (int64_t i = 0; i < spatial; ++i) {
    if (outSpatial[i] < 1 || outSpatial[i] > kMaxDim)
      return fail("the pooled output has no positions or too many");
    positions = outSpatial[i] > kMaxElements / positions
                    ? kMaxElements
                    : positions * outSpatial[i];
    if (!max && positions > kMaxWindow)
      return fail("the pooled output is too large");
    int64_t needed = (outSpatial[i] - 1) * w.strides[i] +
                     w.dilations[i] * (w.kernel[i] - 1) + 1;
    extra[i] =
        std::max<int64_t>(0, needed - (in[i] + w.begin[i] + w.end[i]));
    if (max)
      continue;
    // The divisor table (average pooling) has one entry per output
    // position and costs kernel steps each.
    if (outSpatial[i] > kMaxWindow / w.kernel[i])
      return fail("the pooled output is too large");
    int64_t lo = includePad ? -w.begin[i] : 0;
    int64_t hi = includePad ? in[i] + w.end[i] : in[i];
    for (int64_t o = 0; o < outSpatial[i]; ++o) {
      int64_t count = 0;
      for (int64_t k = 0; k < w.kernel[i]; ++k) {
        int64_t pos = o * w.strides[i] - w.begin[i] + k * w.dilations[i];
        count += pos >= lo && pos < hi;
      }
      counts[i].push_back(float(count));
    }
  }
  return success();
}

/// y / the product of the per-dimension divisors (average pooling).
Value Importer::divideByCounts(Value y, ArrayRef<int64_t> outSpatial,
                               const std::vector<std::vector<float>> &counts) {
  std::vector<float> divisor(1, 1.0f);
  for (const std::vector<float> &dim : counts) {
    std::vector<float> next;
    for (float prefix : divisor)
      for (float c : dim)
        next.push_back(prefix * c);
    divisor = std::move(next);
  }
  Value d = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(tensorType(outSpatial), ArrayRef<float>(divisor)));
  return elementwise({y, d}, shape(y),
                     [](OpBuilder &nb, Location nl, ValueRange a) {
                       return arith::DivFOp::create(nb, nl, a[0], a[1])
                           .getResult();
                     });
}

LogicalResult Importer::importPool(const OnnxOperator &op) {
  bool max = op.name == "MaxPool";
  if (max) {
    if (intAttr("storage_order", 0) != 0)
      return fail("storage_order 1 is not supported");
    if (node->output_size() > 1 && !node->output(1).empty())
      return fail("the Indices output is not supported");
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
  PoolWindow w;
  w.kernel = intsAttr("kernel_shape");
  w.strides = intsAttrOr("strides", spatial, 1);
  w.dilations = intsAttrOr("dilations", spatial, 1);
  if (int64_t(w.kernel.size()) != spatial ||
      int64_t(w.strides.size()) != spatial ||
      int64_t(w.dilations.size()) != spatial)
    return fail("'kernel_shape', 'strides' and 'dilations' need one value "
                "per spatial dimension");
  SmallVector<int64_t> in(shape(x).drop_front(2));
  if (failed(spatialPads(in, w.kernel, w.strides, w.dilations, w.begin,
                         w.end)))
    return failure();
  FailureOr<SmallVector<int64_t>> outv = outputShape();
  if (failed(outv))
    return failure();
  SmallVector<int64_t> outSpatial(ArrayRef<int64_t>(*outv).drop_front(2));
  std::vector<std::vector<float>> counts;
  SmallVector<int64_t> extra;
  if (failed(poolWindows(max, w, in, outSpatial, counts, extra)))
    return failure();
  float padValue = max ? -std::numeric_limits<float>::infinity() : 0.0f;
  if (spatial == 1) {
    x = reshapeTo(x, {shape(x)[0], shape(x)[1], 1, in[0]});
    for (auto *v : {&w.kernel, &w.strides, &w.dilations})
      v->insert(v->begin(), 1);
    for (auto *v : {&w.begin, &w.end, &extra})
      v->insert(v->begin(), 0);
    outSpatial.insert(outSpatial.begin(), 1);
    counts.insert(counts.begin(), std::vector<float>{1.0f});
  }
  SmallVector<int64_t> low = {0, 0}, high = {0, 0};
  for (size_t i = 0; i < w.begin.size(); ++i) {
    low.push_back(w.begin[i]);
    high.push_back(w.end[i] + extra[i]);
  }
  x = pad(x, low, high, padValue);
  Value y;
  if (spatial == 3) {
    y = poolGeneric(x, w.kernel, w.strides, w.dilations, outSpatial, padValue,
                    max);
  } else {
    Value acc = fill({shape(x)[0], shape(x)[1], outSpatial[0], outSpatial[1]},
                     padValue);
    y = layers::pool2DNchw(b, loc, x, acc, w.kernel, w.strides, w.dilations,
                           max);
  }
  if (!max)
    y = divideByCounts(y, outSpatial, counts);
  return setResult(0, reshapeTo(y, *outv));
}

LogicalResult Importer::importGlobalPool(const OnnxOperator &op) {
  bool max = op.name == "GlobalMaxPool";
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
  FailureOr<SmallVector<int64_t>> out = outputShape();
  if (failed(out))
    return failure();
  Value flat = reshapeTo(x, {n, c, size});
  Value r = reduce(flat, 2,
                   max ? -std::numeric_limits<float>::infinity() : 0.0f, max);
  if (!max)
    r = divideBy(r, float(size));
  return setResult(0, reshapeTo(r, *out));
}
