//===- FcKernel.cpp - dc's own fused decode-and-multiply fc kernels -------===//
//
// y[b, n] = init[b, n] + sum_j codebook[idx[j]] * x[b, crd[j]] over the
// entries j of row n, as scf + vector loops on the run-time CSR:
//
//  - Rows, batch 1: one loop per row, unrolled by 4 entries into 4
//    accumulators (the sparsifier's loop has one: a serial add chain).
//  - Rows, batch B: x is transposed once per call into xt[K][B], so each
//    decoded weight multiplies a vector<B> of inputs (a contiguous load);
//    4 entries per step into 4 vector accumulators; the row's results are
//    one vector store into yt[N][B], transposed back (+ init) at the end.
//  - Gather, batch 1: 2 x L entries per step (L = vector bits / 32):
//    columns and indices loaded as vectors and widened, x and the codebook
//    read with vector.gather, one FMA per vector; a masked tail.
//
//===----------------------------------------------------------------------===//

#include "FcKernel.h"
#include "dc/Dialect/DC/Analysis/WeightViews.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::dc;

namespace {

std::optional<unsigned> dimOf(AffineExpr e) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return d.getPosition();
  return std::nullopt;
}

Value cIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// An integer vector or scalar widened to i32 (unsigned).
Value widen(OpBuilder &b, Location loc, Value v) {
  Type t = v.getType();
  Type i32 = b.getI32Type();
  if (auto vt = dyn_cast<VectorType>(t)) {
    if (vt.getElementType().isInteger(32))
      return v;
    return arith::ExtUIOp::create(b, loc, VectorType::get(vt.getShape(), i32),
                                  v);
  }
  return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), v);
}

/// a + b * c with contraction allowed.
Value fma(OpBuilder &b, Location loc, Value x, Value y, Value acc) {
  auto contract = arith::FastMathFlags::contract;
  Value m = arith::MulFOp::create(b, loc, x, y, contract);
  return arith::AddFOp::create(b, loc, acc, m, contract);
}

} // namespace

std::optional<FcShape> mlir::dc::matchFc(linalg::LinalgOp op,
                                         unsigned weightOperand,
                                         AffineMap weightMap) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !isMulAccBody(*op.getBlock(), Float32Type::get(op.getContext())))
    return std::nullopt;
  unsigned loops = op.getNumLoops();
  if (loops != 2 && loops != 3)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (weightMap.getNumResults() != 2)
    return std::nullopt;
  std::optional<unsigned> n = dimOf(weightMap.getResult(0)),
                          k = dimOf(weightMap.getResult(1));
  if (!n || !k || !linalg::isParallelIterator(iterators[*n]) ||
      !linalg::isReductionIterator(iterators[*k]))
    return std::nullopt;
  FcShape shape;
  shape.xOperand = 1 - weightOperand;
  AffineMap xMap = op.getIndexingMapsArray()[shape.xOperand];
  AffineMap outMap = op.getIndexingMapsArray()[2];
  std::optional<unsigned> batch;
  if (loops == 3) {
    for (unsigned l = 0; l < 3; ++l)
      if (l != *n && l != *k)
        batch = l;
    if (!linalg::isParallelIterator(iterators[*batch]))
      return std::nullopt;
    if (xMap.getNumResults() != 2 || dimOf(xMap.getResult(0)) != batch ||
        dimOf(xMap.getResult(1)) != k || outMap.getNumResults() != 2 ||
        dimOf(outMap.getResult(0)) != batch || dimOf(outMap.getResult(1)) != n)
      return std::nullopt;
    shape.batched = true;
  } else if (xMap.getNumResults() != 1 || dimOf(xMap.getResult(0)) != k ||
             outMap.getNumResults() != 1 || dimOf(outMap.getResult(0)) != n) {
    return std::nullopt;
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  shape.rows = ranges[*n];
  shape.cols = ranges[*k];
  shape.batch = batch ? ranges[*batch] : 1;
  auto xType = dyn_cast<RankedTensorType>(
      op.getDpsInputs()[shape.xOperand].getType());
  if (!xType || !xType.getElementType().isF32() || xType.getEncoding())
    return std::nullopt;
  return shape;
}

namespace {

/// The loops of buildFcKernel over one CSR weight: x and init read as they
/// are, y written to a new buffer; one method per kernel.
class FcKernelBuilder {
public:
  FcKernelBuilder(OpBuilder &b, linalg::LinalgOp op, const FcShape &shape,
                  const FcWeight &weight)
      : b(b), loc(op.getLoc()), shape(shape), weight(weight),
        f32(b.getF32Type()) {
    int64_t B = shape.batch, N = shape.rows, K = shape.cols;
    SmallVector<int64_t> xShape = shape.batched ? SmallVector<int64_t>{B, K}
                                                : SmallVector<int64_t>{K};
    SmallVector<int64_t> yShape = shape.batched ? SmallVector<int64_t>{B, N}
                                                : SmallVector<int64_t>{N};
    x = bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(xShape, f32),
        op.getDpsInputs()[shape.xOperand], /*read_only=*/true);
    init = bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(yShape, f32), op.getDpsInits()[0],
        /*read_only=*/true);
    y = memref::AllocOp::create(b, loc, MemRefType::get(yShape, f32),
                                ValueRange{}, b.getI64IntegerAttr(64));
    c0 = cIndex(b, loc, 0);
    c1 = cIndex(b, loc, 1);
    zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  }

  /// Batch 1, vectors of entries read with gathers (or the codebook in
  /// registers with AVX-512 permutes).
  void buildGather(unsigned vectorBits, bool avx512Permute);
  /// Batch 1: 4 scalar accumulators a row.
  void buildRows();
  /// Batch B: a vector<B> accumulator a row over x transposed.
  void buildBatched();

  Value result() const { return y; }

private:
  /// x and y with a leading batch index, whether or not they have one.
  SmallVector<Value> xAt(Value batch, Value col) const {
    return shape.batched ? SmallVector<Value>{batch, col}
                         : SmallVector<Value>{col};
  }
  std::pair<Value, Value> rowBounds(Value row) {
    Value next = arith::AddIOp::create(b, loc, row, c1);
    Value s = memref::LoadOp::create(b, loc, weight.positions, row);
    Value e = memref::LoadOp::create(b, loc, weight.positions, next);
    return std::make_pair(widen(b, loc, s), widen(b, loc, e));
  }
  std::pair<Value, Value> entry(Value j) {
    Value col = widen(b, loc,
                      memref::LoadOp::create(b, loc, weight.coordinates, j));
    Value i = widen(b, loc, memref::LoadOp::create(b, loc, weight.indices, j));
    Value w = memref::LoadOp::create(b, loc, weight.codebook, i);
    return std::make_pair(col, w);
  }
  /// The end of the part of [s, e) that is a multiple of `step` long.
  Value mainEnd(Value s, Value e, int64_t step) {
    Value len = arith::SubIOp::create(b, loc, e, s);
    Value full = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, len, cIndex(b, loc, step)),
        cIndex(b, loc, step));
    return arith::AddIOp::create(b, loc, s, full).getResult();
  }
  Value accumulate(Value s, Value e, Value zero, int ways,
                   function_ref<Value(OpBuilder &, Value, Value)> step);
  /// y = init + sum at `at`.
  void storeSum(Value sum, ArrayRef<Value> at) {
    Value start = memref::LoadOp::create(b, loc, init, at);
    memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, start, sum),
                            y, at);
  }

  OpBuilder &b;
  Location loc;
  const FcShape &shape;
  const FcWeight &weight;
  Type f32;
  Value x, init, y, c0, c1, zero;
};

/// The sum over the entries [s, e) of step(j, acc): `ways` entries a step
/// into as many accumulators (independent add chains), then one at a time.
Value FcKernelBuilder::accumulate(
    Value s, Value e, Value zero, int ways,
    function_ref<Value(OpBuilder &, Value, Value)> step) {
  Value mid = mainEnd(s, e, ways);
  auto main = scf::ForOp::create(b, loc, s, mid, cIndex(b, loc, ways),
                                 SmallVector<Value>(ways, zero));
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(main.getBody());
    SmallVector<Value> next;
    for (int u = 0; u < ways; ++u) {
      Value j = arith::AddIOp::create(b, loc, main.getInductionVar(),
                                      cIndex(b, loc, u));
      next.push_back(step(b, j, main.getRegionIterArgs()[u]));
    }
    scf::YieldOp::create(b, loc, next);
  }
  // A pairwise sum of the accumulators.
  SmallVector<Value> parts(main.getResults());
  while (parts.size() > 1) {
    SmallVector<Value> half;
    for (size_t i = 0; i + 1 < parts.size(); i += 2)
      half.push_back(arith::AddFOp::create(b, loc, parts[i], parts[i + 1]));
    if (parts.size() % 2)
      half.push_back(parts.back());
    parts.swap(half);
  }
  Value acc = parts[0];
  auto tail = scf::ForOp::create(b, loc, mid, e, c1, ValueRange{acc});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(tail.getBody());
    scf::YieldOp::create(
        b, loc, step(b, tail.getInductionVar(), tail.getRegionIterArgs()[0]));
  }
  return tail.getResult(0);
}

void FcKernelBuilder::buildGather(unsigned vectorBits, bool avx512Permute) {
  int64_t N = shape.rows;
  int64_t L = std::max<int64_t>(4, vectorBits / 32);
  auto vf = VectorType::get({L}, f32);
  auto vmask = VectorType::get({L}, b.getI1Type());
  Value vzero = arith::ConstantOp::create(b, loc, b.getZeroAttr(vf));
  Value all =
      vector::ConstantMaskOp::create(b, loc, vmask, ArrayRef<int64_t>{L});
  auto load = [&](OpBuilder &b, Value mem, Value j, Value mask) -> Value {
    auto t =
        VectorType::get({L}, cast<MemRefType>(mem.getType()).getElementType());
    if (!mask)
      return vector::LoadOp::create(b, loc, t, mem, j);
    Value pass = arith::ConstantOp::create(b, loc, b.getZeroAttr(t));
    return vector::MaskedLoadOp::create(b, loc, t, mem, j, mask, pass);
  };
  // The codebook in one or two registers, padded to 16 / 32 lanes.
  size_t k = weight.codebookValues.size();
  bool permute = avx512Permute && L == 16 && k <= 32;
  Value cbLo, cbHi;
  if (permute) {
    SmallVector<float> padded(weight.codebookValues);
    padded.resize(32, 0.f);
    cbLo = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vf, ArrayRef<float>(padded).take_front(16)));
    cbHi = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vf, ArrayRef<float>(padded).drop_front(16)));
  }
  // One vector of entries at j: codebook[idx] * x[col] + acc. Masked-off
  // lanes read index 0 and x 0, so they add 0.
  auto step = [&](OpBuilder &b, Value j, Value acc, Value mask) {
    Value cols = widen(b, loc, load(b, weight.coordinates, j, mask));
    Value idx = widen(b, loc, load(b, weight.indices, j, mask));
    Value m = mask ? mask : all;
    SmallVector<Value> xBase = xAt(c0, c0);
    Value xs = vector::GatherOp::create(b, loc, vf, x, xBase, cols, m, vzero);
    Value ws;
    if (!permute)
      ws = vector::GatherOp::create(b, loc, vf, weight.codebook,
                                    ValueRange{c0}, idx, m, vzero);
    else if (k <= 16)
      ws = LLVM::CallIntrinsicOp::create(
               b, loc, vf, b.getStringAttr("llvm.x86.avx512.permvar.sf.512"),
               ValueRange{cbLo, idx})
               .getResult(0);
    else
      ws = LLVM::CallIntrinsicOp::create(
               b, loc, vf,
               b.getStringAttr("llvm.x86.avx512.vpermi2var.ps.512"),
               ValueRange{cbLo, idx, cbHi})
               .getResult(0);
    return vector::FMAOp::create(b, loc, ws, xs, acc).getResult();
  };
  auto rowLoop = scf::ForOp::create(b, loc, c0, cIndex(b, loc, N), c1);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(rowLoop.getBody()->getTerminator());
  Value row = rowLoop.getInductionVar();
  auto [s, e] = rowBounds(row);
  Value mid = mainEnd(s, e, 2 * L);
  auto main = scf::ForOp::create(b, loc, s, mid, cIndex(b, loc, 2 * L),
                                 ValueRange{vzero, vzero});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(main.getBody());
    Value j = main.getInductionVar();
    Value a0 = step(b, j, main.getRegionIterArgs()[0], Value());
    Value j1 = arith::AddIOp::create(b, loc, j, cIndex(b, loc, L));
    Value a1 = step(b, j1, main.getRegionIterArgs()[1], Value());
    scf::YieldOp::create(b, loc, ValueRange{a0, a1});
  }
  Value acc =
      arith::AddFOp::create(b, loc, main.getResult(0), main.getResult(1));
  auto tail =
      scf::ForOp::create(b, loc, mid, e, cIndex(b, loc, L), ValueRange{acc});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(tail.getBody());
    Value j = tail.getInductionVar();
    Value left = arith::SubIOp::create(b, loc, e, j);
    Value mask = vector::CreateMaskOp::create(b, loc, vmask, left);
    Value a = step(b, j, tail.getRegionIterArgs()[0], mask);
    scf::YieldOp::create(b, loc, a);
  }
  Value sum = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                          tail.getResult(0));
  storeSum(sum, xAt(c0, row));
}

void FcKernelBuilder::buildRows() {
  auto rowLoop = scf::ForOp::create(b, loc, c0, cIndex(b, loc, shape.rows), c1);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(rowLoop.getBody()->getTerminator());
  Value row = rowLoop.getInductionVar();
  auto [s, e] = rowBounds(row);
  Value sum = accumulate(s, e, zero, 4, [&](OpBuilder &b, Value j, Value a) {
    auto [col, w] = entry(j);
    Value xv = memref::LoadOp::create(b, loc, x, xAt(c0, col));
    return fma(b, loc, w, xv, a);
  });
  storeSum(sum, xAt(c0, row));
}

void FcKernelBuilder::buildBatched() {
  // xt[K][B] = x^T, then per row a vector<B> accumulator (one per entry of
  // a step of kBatchWays) into yt[N][B]. 8 ways measured the same as 4 on
  // VGG fc6 at batch 8 (3.73 against 3.77 ms).
  const int kBatchWays = 4;
  int64_t B = shape.batch, N = shape.rows, K = shape.cols;
  auto vb = VectorType::get({B}, f32);
  Value xt = memref::AllocOp::create(b, loc, MemRefType::get({K, B}, f32),
                                     ValueRange{}, b.getI64IntegerAttr(64));
  Value yt = memref::AllocOp::create(b, loc, MemRefType::get({N, B}, f32),
                                     ValueRange{}, b.getI64IntegerAttr(64));
  {
    auto outer = scf::ForOp::create(b, loc, c0, cIndex(b, loc, B), c1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(outer.getBody()->getTerminator());
    auto inner = scf::ForOp::create(b, loc, c0, cIndex(b, loc, K), c1);
    b.setInsertionPoint(inner.getBody()->getTerminator());
    Value v = memref::LoadOp::create(
        b, loc, x, ValueRange{outer.getInductionVar(), inner.getInductionVar()});
    memref::StoreOp::create(
        b, loc, v, xt,
        ValueRange{inner.getInductionVar(), outer.getInductionVar()});
  }
  Value vzero = arith::ConstantOp::create(b, loc, b.getZeroAttr(vb));
  {
    auto rowLoop = scf::ForOp::create(b, loc, c0, cIndex(b, loc, N), c1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(rowLoop.getBody()->getTerminator());
    Value row = rowLoop.getInductionVar();
    auto [s, e] = rowBounds(row);
    Value sum = accumulate(
        s, e, vzero, kBatchWays, [&](OpBuilder &b, Value j, Value acc) {
          auto [col, w] = entry(j);
          Value xs = vector::LoadOp::create(b, loc, vb, xt, ValueRange{col, c0});
          Value ws = vector::BroadcastOp::create(b, loc, vb, w);
          return vector::FMAOp::create(b, loc, ws, xs, acc).getResult();
        });
    vector::StoreOp::create(b, loc, sum, yt, ValueRange{row, c0});
  }
  {
    auto outer = scf::ForOp::create(b, loc, c0, cIndex(b, loc, B), c1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(outer.getBody()->getTerminator());
    auto inner = scf::ForOp::create(b, loc, c0, cIndex(b, loc, N), c1);
    b.setInsertionPoint(inner.getBody()->getTerminator());
    Value bi = outer.getInductionVar(), ni = inner.getInductionVar();
    Value v = memref::LoadOp::create(b, loc, yt, ValueRange{ni, bi});
    Value start = memref::LoadOp::create(b, loc, init, ValueRange{bi, ni});
    memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, start, v), y,
                            ValueRange{bi, ni});
  }
}

} // namespace

void mlir::dc::buildFcKernel(RewriterBase &rewriter, linalg::LinalgOp op,
                             const FcShape &shape, const FcWeight &weight,
                             FcKernel kind, unsigned vectorBits,
                             bool avx512Permute) {
  OpBuilder::InsertionGuard insertion(rewriter);
  rewriter.setInsertionPoint(op);
  FcKernelBuilder builder(rewriter, op, shape, weight);
  if (shape.batch == 1 && kind == FcKernel::Gather)
    builder.buildGather(vectorBits, avx512Permute);
  else if (shape.batch == 1)
    builder.buildRows();
  else
    builder.buildBatched();
  Value result = bufferization::ToTensorOp::create(
      rewriter, op.getLoc(), cast<RankedTensorType>(op->getResult(0).getType()),
      builder.result(), /*restrict=*/true, /*writable=*/true);
  rewriter.replaceOp(op, result);
}

std::optional<ConvShape> mlir::dc::matchConv(linalg::LinalgOp op,
                                             unsigned weightOperand,
                                             AffineMap weightMap) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 7 ||
      !isMulAccBody(*op.getBlock(), Float32Type::get(op.getContext())) ||
      weightMap.getNumResults() != 4)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  std::optional<unsigned> f = dimOf(weightMap.getResult(0)),
                          c = dimOf(weightMap.getResult(1)),
                          kh = dimOf(weightMap.getResult(2)),
                          kw = dimOf(weightMap.getResult(3));
  if (!f || !c || !kh || !kw)
    return std::nullopt;
  ConvShape shape;
  shape.xOperand = 1 - weightOperand;
  AffineMap xMap = op.getIndexingMapsArray()[shape.xOperand];
  AffineMap outMap = op.getIndexingMapsArray()[2];
  if (xMap.getNumResults() != 4 || outMap.getNumResults() != 4)
    return std::nullopt;
  std::optional<unsigned> n = dimOf(outMap.getResult(0)),
                          oh = dimOf(outMap.getResult(2)),
                          ow = dimOf(outMap.getResult(3));
  if (!n || !oh || !ow || dimOf(outMap.getResult(1)) != f)
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  if (dimOf(xMap.getResult(0)) != n || dimOf(xMap.getResult(1)) != c ||
      xMap.getResult(2) != d(*oh) + d(*kh) ||
      xMap.getResult(3) != d(*ow) + d(*kw))
    return std::nullopt;
  for (unsigned l : {*n, *f, *oh, *ow})
    if (!linalg::isParallelIterator(iterators[l]))
      return std::nullopt;
  for (unsigned l : {*c, *kh, *kw})
    if (!linalg::isReductionIterator(iterators[l]))
      return std::nullopt;
  auto xType = dyn_cast<RankedTensorType>(
      op.getDpsInputs()[shape.xOperand].getType());
  if (!xType || !xType.hasStaticShape() || !xType.getElementType().isF32() ||
      xType.getEncoding())
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  shape.n = ranges[*n];
  shape.f = ranges[*f];
  shape.c = ranges[*c];
  shape.kh = ranges[*kh];
  shape.kw = ranges[*kw];
  shape.oh = ranges[*oh];
  shape.ow = ranges[*ow];
  shape.h = xType.getDimSize(2);
  shape.w = xType.getDimSize(3);
  return shape;
}

void mlir::dc::buildConvKernel(RewriterBase &rewriter, linalg::LinalgOp op,
                               const ConvShape &shape, const FcWeight &weight,
                               unsigned vectorBits) {
  OpBuilder::InsertionGuard insertion(rewriter);
  rewriter.setInsertionPoint(op);
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Type f32 = b.getF32Type();
  const ConvShape &s = shape;
  SmallVector<int64_t> outShape{s.n, s.f, s.oh, s.ow};
  Value x = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get({s.n, s.c, s.h, s.w}, f32),
      op.getDpsInputs()[s.xOperand], /*read_only=*/true);
  Value init = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(outShape, f32), op.getDpsInits()[0],
      /*read_only=*/true);
  Value y = memref::AllocOp::create(b, loc, MemRefType::get(outShape, f32),
                                    ValueRange{}, b.getI64IntegerAttr(64));
  Value c0 = cIndex(b, loc, 0), c1 = cIndex(b, loc, 1);
  // Vectors along ow: L lanes, the rest one masked vector; a row narrower
  // than L takes one vector of the next power of two (at least 4), masked:
  // one pass over the kept weights (13 columns: 13 of 16 lanes, where 8 +
  // 5 of 8 would take two passes).
  int64_t L = std::max<int64_t>(4, vectorBits / 32);
  int64_t width = L;
  while (width > 4 && width / 2 >= s.ow)
    width /= 2;
  struct Tile {
    int64_t start, lanes; // lanes < width: masked
  };
  SmallVector<Tile> tiles;
  for (int64_t at = 0; at < s.ow; at += width)
    tiles.push_back({at, std::min(width, s.ow - at)});
  auto vf = VectorType::get({width}, f32);
  auto vmask = VectorType::get({width}, b.getI1Type());
  Value vzero = arith::ConstantOp::create(b, loc, b.getZeroAttr(vf));
  // Output rows a pass over the kept weights computes: as many as the
  // registers hold (14 accumulators with AVX-512's 32, else 8), spread
  // evenly so the last pass is not a sliver (13 rows: one pass of 13).
  const int64_t maxRows = vectorBits >= 512 ? 14 : 8;
  const int64_t passes = (s.oh + maxRows - 1) / maxRows;
  const int64_t rowsPerTile = (s.oh + passes - 1) / passes;

  // for n, f:
  auto nLoop = scf::ForOp::create(b, loc, c0, cIndex(b, loc, s.n), c1);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(nLoop.getBody()->getTerminator());
  Value ni = nLoop.getInductionVar();
  auto fLoop = scf::ForOp::create(b, loc, c0, cIndex(b, loc, s.f), c1);
  b.setInsertionPoint(fLoop.getBody()->getTerminator());
  Value fi = fLoop.getInductionVar();
  Value start = widen(b, loc, memref::LoadOp::create(b, loc, weight.positions, fi));
  Value end = widen(
      b, loc,
      memref::LoadOp::create(b, loc, weight.positions,
                             ValueRange{arith::AddIOp::create(b, loc, fi, c1)}));
  // One tile: `rows` output rows from `row0`, one vector at ow = tile.start.
  auto emitTile = [&](OpBuilder &b, Value row0, int64_t rows,
                      const Tile &tile) {
    Value mask;
    if (tile.lanes < width)
      mask = vector::CreateMaskOp::create(b, loc, vmask,
                                          ValueRange{cIndex(b, loc, tile.lanes)});
    Value col = cIndex(b, loc, tile.start);
    auto load = [&](OpBuilder &b, Value mem, ValueRange at) -> Value {
      if (!mask)
        return vector::LoadOp::create(b, loc, vf, mem, at);
      return vector::MaskedLoadOp::create(b, loc, vf, mem, at, mask, vzero);
    };
    SmallVector<Value> accs;
    for (int64_t r = 0; r < rows; ++r) {
      Value row = arith::AddIOp::create(b, loc, row0, cIndex(b, loc, r));
      accs.push_back(load(b, init, ValueRange{ni, fi, row, col}));
    }
    auto entries = scf::ForOp::create(b, loc, start, end, c1, accs);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(entries.getBody());
      Value j = entries.getInductionVar();
      Value crd =
          widen(b, loc, memref::LoadOp::create(b, loc, weight.coordinates, j));
      Value i = widen(b, loc, memref::LoadOp::create(b, loc, weight.indices, j));
      Value w = vector::BroadcastOp::create(
          b, loc, vf, memref::LoadOp::create(b, loc, weight.codebook, i));
      // crd = (c * KH + kh) * KW + kw
      Value kk = cIndex(b, loc, s.kh * s.kw), kwv = cIndex(b, loc, s.kw);
      Value ci = arith::DivUIOp::create(b, loc, crd, kk);
      Value rem = arith::RemUIOp::create(b, loc, crd, kk);
      Value khi = arith::DivUIOp::create(b, loc, rem, kwv);
      Value kwi = arith::RemUIOp::create(b, loc, rem, kwv);
      Value xcol = arith::AddIOp::create(b, loc, col, kwi);
      SmallVector<Value> next;
      for (int64_t r = 0; r < rows; ++r) {
        Value row = arith::AddIOp::create(
            b, loc, arith::AddIOp::create(b, loc, row0, cIndex(b, loc, r)), khi);
        Value xv = load(b, x, ValueRange{ni, ci, row, xcol});
        next.push_back(vector::FMAOp::create(b, loc, w, xv,
                                             entries.getRegionIterArgs()[r]));
      }
      scf::YieldOp::create(b, loc, next);
    }
    for (int64_t r = 0; r < rows; ++r) {
      Value row = arith::AddIOp::create(b, loc, row0, cIndex(b, loc, r));
      Value at[] = {ni, fi, row, col};
      if (mask)
        vector::MaskedStoreOp::create(b, loc, y, at, mask,
                                      entries.getResult(r));
      else
        vector::StoreOp::create(b, loc, entries.getResult(r), y, at);
    }
  };
  int64_t fullRows = s.oh / rowsPerTile * rowsPerTile;
  auto rowLoop = scf::ForOp::create(b, loc, c0, cIndex(b, loc, fullRows),
                                    cIndex(b, loc, rowsPerTile));
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(rowLoop.getBody()->getTerminator());
    for (const Tile &t : tiles)
      emitTile(b, rowLoop.getInductionVar(), rowsPerTile, t);
  }
  if (fullRows < s.oh)
    for (const Tile &t : tiles)
      emitTile(b, cIndex(b, loc, fullRows), s.oh - fullRows, t);
  b.setInsertionPointAfter(nLoop);
  Value result = bufferization::ToTensorOp::create(
      b, loc, cast<RankedTensorType>(op->getResult(0).getType()), y,
      /*restrict=*/true, /*writable=*/true);
  rewriter.replaceOp(op, result);
}
