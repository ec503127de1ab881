//===- Vectorize.cpp - dc-vectorize ---------------------------------------===//
//
// Dense linalg ops on buffers to register-tiled vector loops along the
// output's innermost dimension (Passes.td describes the scheme). The op is
// analysed into a Plan first; an op the plan does not cover is left to
// convert-linalg-to-loops.
//
//===----------------------------------------------------------------------===//

#include "dc/Codegen/Passes.h"
#include "dc/Codegen/Patterns.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::dc {
#define GEN_PASS_DEF_DCVECTORIZE
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

enum class Access { Vector, Broadcast };

/// How one linalg op is vectorised.
struct Plan {
  unsigned loops = 0;
  SmallVector<int64_t> ranges;
  /// The vector loop (output innermost) and the register loop (-1: none).
  unsigned v = 0;
  int r = -1;
  /// Outer parallel loops and reduction loops, in loop order.
  SmallVector<unsigned> outer, reductions;
  /// Per input: how it is read, and for vector reads the step between
  /// lanes (1: contiguous; 2..4: a wider load and a shuffle, e.g. the
  /// windows of a stride-2 pooling or convolution).
  SmallVector<Access> access;
  SmallVector<int64_t> step;
  /// Whether the body reads the output (accumulators start from it).
  bool readsOutput = false;
  /// Lanes of a full vector, vectors per tile along v, rows per tile.
  int64_t lanes = 0, unroll = 1, rows = 1;
  /// The blocked reduction loop (-1: none) and the block sizes.
  int blocked = -1;
  int64_t reductionBlock = 0, columnBlock = 0;
  bool avx512Permute = false;
};

/// Whether every stride is static and the innermost one is 1.
bool unitInnerStride(MemRefType type) {
  if (type.getRank() == 0)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return llvm::none_of(strides, ShapedType::isDynamic) && strides.back() == 1;
}

/// The s of `e = s * d_v + f` with f independent of d_v (0: not of that
/// form).
int64_t strideInLoop(AffineExpr e, unsigned v, unsigned loops) {
  if (!e.isFunctionOfDim(v))
    return 0;
  MLIRContext *ctx = e.getContext();
  AffineExpr dv = getAffineDimExpr(v, ctx);
  AffineExpr shifted = e.replace(dv, dv + 1);
  auto diff = dyn_cast<AffineConstantExpr>(
      simplifyAffineExpr(shifted - e, loops, 0));
  if (!diff || diff.getValue() < 1)
    return 0;
  // What is left must not depend on v (e.g. v * v).
  if (simplifyAffineExpr(e - dv * diff.getValue(), loops, 0)
          .isFunctionOfDim(v))
    return 0;
  return diff.getValue();
}

/// Whether every op in the body can be cloned on vectors: elementwise
/// arith/math ops, constants, and loads from a buffer defined outside the
/// op at indices the body computes (a codebook lookup, which becomes a
/// scalar load where the index is the same for every lane and a
/// vector.gather where it is not).
bool vectorizableBody(Block &body, Operation *op) {
  for (Operation &inner : body.without_terminator()) {
    if (isa<arith::ConstantOp>(inner))
      continue;
    if (auto load = dyn_cast<memref::LoadOp>(inner)) {
      Operation *def = load.getMemRef().getDefiningOp();
      if (load.getIndices().size() != 1 ||
          (def && op->isAncestor(def)) ||
          !load.getType().isIntOrFloat())
        return false;
      continue;
    }
    if (!inner.hasTrait<OpTrait::Elementwise>() ||
        inner.getNumRegions() != 0 || inner.getNumResults() != 1)
      return false;
    for (Type t : inner.getResultTypes())
      if (!t.isIntOrIndexOrFloat() ||
          (t.isIndex() && !isa<arith::IndexCastOp, arith::IndexCastUIOp>(inner)))
        return false;
  }
  return true;
}

std::optional<Plan> analyse(linalg::LinalgOp op, unsigned vectorBits,
                            unsigned registers, int64_t reductionBlock,
                            int64_t columnBlock) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op->getNumRegions() != 1 || !op.getBlock())
    return std::nullopt;
  Plan plan;
  plan.loops = op.getNumLoops();
  plan.ranges = op.getStaticLoopRanges();
  if (plan.loops == 0 ||
      llvm::any_of(plan.ranges, [](int64_t r) { return r <= 0; }))
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  auto outType = dyn_cast<MemRefType>(init->get().getType());
  if (!outType || !outType.hasStaticShape() || !unitInnerStride(outType))
    return std::nullopt;
  Type element = outType.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() < 8 ||
      vectorBits < element.getIntOrFloatBitWidth())
    return std::nullopt;
  AffineMap outMap = op.getMatchingIndexingMap(init);
  if (!outMap.isProjectedPermutation(/*allowZeroInResults=*/false) ||
      outMap.getNumResults() == 0)
    return std::nullopt;
  plan.v = cast<AffineDimExpr>(outMap.getResults().back()).getPosition();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (!linalg::isParallelIterator(iterators[plan.v]))
    return std::nullopt;
  for (unsigned l = 0; l < plan.loops; ++l) {
    if (l == plan.v)
      continue;
    if (linalg::isReductionIterator(iterators[l]))
      plan.reductions.push_back(l);
    else if (!outMap.isFunctionOfDim(l))
      return std::nullopt; // a parallel loop the output does not see
  }
  Block &body = *op.getBlock();
  if (!vectorizableBody(body, op))
    return std::nullopt;
  plan.readsOutput = !body.getArguments().back().use_empty();
  if (!plan.reductions.empty() && !plan.readsOutput)
    return std::nullopt;
  // Inputs.
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    Type type = input->get().getType();
    if (!map.isFunctionOfDim(plan.v)) {
      if (!isa<MemRefType>(type) && !type.isIntOrIndexOrFloat())
        return std::nullopt;
      if (auto memref = dyn_cast<MemRefType>(type))
        if (!memref.hasStaticShape())
          return std::nullopt;
      plan.access.push_back(Access::Broadcast);
      plan.step.push_back(0);
      continue;
    }
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref || !memref.hasStaticShape() || !unitInnerStride(memref) ||
        !memref.getElementType().isIntOrFloat() ||
        memref.getElementType().getIntOrFloatBitWidth() < 8)
      return std::nullopt;
    for (AffineExpr e : map.getResults().drop_back())
      if (e.isFunctionOfDim(plan.v))
        return std::nullopt;
    int64_t step = strideInLoop(map.getResults().back(), plan.v, plan.loops);
    if (step < 1 || step > 4)
      return std::nullopt;
    plan.access.push_back(Access::Vector);
    plan.step.push_back(step);
  }
  // The register loop: a parallel loop no vector-read input uses and a
  // broadcast input does; the longest one.
  for (unsigned l = 0; l < plan.loops; ++l) {
    if (l == plan.v || !linalg::isParallelIterator(iterators[l]) ||
        plan.ranges[l] < 2)
      continue;
    bool vectorUses = false, broadcastUses = false;
    for (auto [i, input] : llvm::enumerate(op.getDpsInputOperands())) {
      bool uses = op.getMatchingIndexingMap(input).isFunctionOfDim(l);
      (plan.access[i] == Access::Vector ? vectorUses : broadcastUses) |= uses;
    }
    if (!vectorUses && broadcastUses &&
        (plan.r < 0 || plan.ranges[l] >= plan.ranges[plan.r]))
      plan.r = l;
  }
  for (unsigned l = 0; l < plan.loops; ++l)
    if (l != plan.v && int(l) != plan.r &&
        linalg::isParallelIterator(iterators[l]))
      plan.outer.push_back(l);
  // Tile: up to `budget` accumulators.
  plan.lanes = vectorBits / element.getIntOrFloatBitWidth();
  int64_t budget = registers >= 32 ? 24 : 12;
  int64_t vectors = plan.ranges[plan.v] / plan.lanes;
  if (plan.r < 0) {
    plan.unroll = std::max<int64_t>(1, std::min<int64_t>(vectors, 8));
  } else {
    plan.unroll = std::max<int64_t>(1, std::min<int64_t>(vectors, 2));
    plan.rows = std::min<int64_t>(plan.ranges[plan.r], budget / plan.unroll);
  }
  // Cache blocking: the longest reduction of a large vector-read input.
  if (!plan.reductions.empty()) {
    unsigned longest = plan.reductions.front();
    for (unsigned l : plan.reductions)
      if (plan.ranges[l] > plan.ranges[longest])
        longest = l;
    int64_t columns = plan.ranges[plan.v];
    int64_t bytes = plan.ranges[longest] * columns *
                    (element.getIntOrFloatBitWidth() / 8);
    int64_t tile = plan.unroll * plan.lanes;
    if (plan.r < 0 && bytes > (256 << 10) && plan.ranges[longest] >= 16) {
      // One row (a matvec): the input is read once, so it is streamed in
      // memory order, a few of its rows at a time across all columns (a
      // column panel at a time would touch a new page on every row). 4 rows
      // measured best (AlexNet and VGG fc6 at batch 1: 1.05x and 1.13x
      // sgemv, against 1.11x and 1.21x with 8 and 1.3x with 2 or 16).
      plan.blocked = longest;
      plan.reductionBlock = 4;
      plan.columnBlock = 0;
    } else if (reductionBlock > 0 &&
               plan.ranges[longest] >= 2 * reductionBlock &&
               bytes > (256 << 10)) {
      // Several rows: a block of the input stays in L2 while every row
      // tile reads it.
      plan.blocked = longest;
      plan.reductionBlock = reductionBlock;
      plan.columnBlock =
          std::max<int64_t>(tile, columnBlock / tile * tile);
      if (plan.columnBlock >= columns)
        plan.columnBlock = 0;
    }
  }
  return plan;
}

/// Builds the loops of one op.
class Emitter {
public:
  Emitter(linalg::LinalgOp op, const Plan &plan, OpBuilder &b)
      : op(op), plan(plan), b(b), loc(op.getLoc()) {
    ivs.assign(plan.loops, Value());
    lo.assign(plan.loops, 0);
    hi = plan.ranges;
  }

  void run() { outerLoops(0); }

private:
  linalg::LinalgOp op;
  const Plan &plan;
  OpBuilder &b;
  Location loc;
  /// The current value of each loop (null: set inside the tile).
  SmallVector<Value> ivs;
  /// The current bounds of each reduction loop (blocking narrows them).
  SmallVector<int64_t> lo, hi;
  Value blockStart; // of the blocked reduction, when blocked

  Value index(int64_t i) {
    return arith::ConstantIndexOp::create(b, loc, i);
  }

  /// for i in [from, to) step `step`: body(i), with the body's own builder
  /// position restored after.
  void loop(Value from, Value to, int64_t step,
            function_ref<void(Value)> body) {
    auto forOp = scf::ForOp::create(b, loc, from, to, index(step));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forOp.getBody()->getTerminator());
    body(forOp.getInductionVar());
  }

  void outerLoops(size_t i) {
    if (i == plan.outer.size())
      return blockReduction();
    unsigned l = plan.outer[i];
    loop(index(0), index(plan.ranges[l]), 1, [&](Value iv) {
      ivs[l] = iv;
      outerLoops(i + 1);
    });
  }

  /// The blocked reduction: full blocks in a loop, then the rest.
  void blockReduction() {
    if (plan.blocked < 0)
      return columnBlocks();
    unsigned l = plan.blocked;
    int64_t n = plan.ranges[l], k = plan.reductionBlock;
    int64_t full = n / k * k;
    loop(index(0), index(full), k, [&](Value start) {
      blockStart = start;
      lo[l] = 0;
      hi[l] = k;
      columnBlocks();
    });
    if (full < n) {
      blockStart = index(full);
      lo[l] = 0;
      hi[l] = n - full;
      columnBlocks();
    }
  }

  /// Column blocks of v (when blocked), then rows.
  void columnBlocks() {
    int64_t n = plan.ranges[plan.v];
    if (plan.columnBlock == 0)
      return rowTiles(index(0), n);
    int64_t c = plan.columnBlock, full = n / c * c;
    loop(index(0), index(full), c, [&](Value start) { rowTiles(start, c); });
    if (full < n)
      rowTiles(index(full), n - full);
  }

  /// Row tiles of the register loop over columns [start, start + count).
  void rowTiles(Value start, int64_t count) {
    if (plan.r < 0)
      return columnTiles(Value(), 1, start, count);
    int64_t n = plan.ranges[plan.r], rows = plan.rows;
    int64_t full = n / rows * rows;
    loop(index(0), index(full), rows,
         [&](Value row) { columnTiles(row, rows, start, count); });
    if (full < n)
      columnTiles(index(full), n - full, start, count);
  }

  /// Tiles along v over [start, start + count): full tiles of unroll x
  /// lanes in a loop, then single vectors, narrower vectors and one masked
  /// vector.
  void columnTiles(Value row, int64_t rows, Value start, int64_t count) {
    int64_t width = plan.unroll * plan.lanes, full = count / width * width;
    if (full > 0) {
      Value end = arith::AddIOp::create(b, loc, start, index(full));
      loop(start, end, width, [&](Value col) {
        tile(row, rows, col, plan.unroll, plan.lanes, 0);
      });
    }
    int64_t at = full;
    auto offset = [&](int64_t o) {
      return arith::AddIOp::create(b, loc, start, index(o)).getResult();
    };
    if (int64_t vectors = (count - at) / plan.lanes) {
      tile(row, rows, offset(at), vectors, plan.lanes, 0);
      at += vectors * plan.lanes;
    }
    for (int64_t w = plan.lanes / 2; w >= 4 && at < count; w /= 2)
      if (count - at >= w) {
        tile(row, rows, offset(at), 1, w, 0);
        at += w;
      }
    if (at < count) {
      int64_t w = std::min<int64_t>(plan.lanes, 4);
      tile(row, rows, offset(at), 1, w, count - at);
    }
  }

  /// The indices of `map` at the current loop values, with the register
  /// loop at `row` and v at `col`.
  SmallVector<Value> indices(AffineMap map, ValueRange loopValues) {
    SmallVector<Value> result;
    for (AffineExpr e : map.getResults()) {
      AffineMap single = AffineMap::get(plan.loops, 0, e, b.getContext());
      SmallVector<OpFoldResult> operands(loopValues.begin(),
                                         loopValues.end());
      OpFoldResult folded =
          affine::makeComposedFoldedAffineApply(b, loc, single, operands);
      result.push_back(getValueOrCreateConstantIndexOp(b, loc, folded));
    }
    return result;
  }

  Value load(Value memref, ArrayRef<Value> at, VectorType type, Value mask) {
    if (!mask)
      return vector::LoadOp::create(b, loc, type, memref, at);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
    return vector::MaskedLoadOp::create(b, loc, type, memref, at, mask, zero);
  }

  /// One tile: rows x unroll vectors of `width` lanes (masked to `mask`
  /// lanes if nonzero) at (row, col).
  void tile(Value row, int64_t rows, Value col, int64_t unroll, int64_t width,
            int64_t maskLanes) {
    OpOperand *init = op.getDpsInitOperand(0);
    Value out = init->get();
    Type element = cast<MemRefType>(out.getType()).getElementType();
    auto vecType = VectorType::get({width}, element);
    Value mask;
    if (maskLanes)
      mask = vector::CreateMaskOp::create(
          b, loc, VectorType::get({width}, b.getI1Type()),
          ValueRange{index(maskLanes)});
    // Loop values for row i, vector u (reductions filled in later).
    auto values = [&](int64_t i, int64_t u, ArrayRef<Value> red) {
      SmallVector<Value> vals(ivs);
      if (plan.r >= 0)
        vals[plan.r] =
            i == 0 ? row : arith::AddIOp::create(b, loc, row, index(i));
      vals[plan.v] = u == 0 ? col
                            : arith::AddIOp::create(b, loc, col,
                                                    index(u * width));
      for (auto [l, value] : llvm::zip(plan.reductions, red))
        vals[l] = value;
      return vals;
    };
    AffineMap outMap = op.getMatchingIndexingMap(init);
    SmallVector<Value> accs;
    SmallVector<Value> noReductions(plan.reductions.size(), index(0));
    if (plan.readsOutput)
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t u = 0; u < unroll; ++u)
          accs.push_back(load(out, indices(outMap, values(i, u, noReductions)),
                              vecType, mask));

    // The body at the given reduction values: new accumulators.
    auto compute = [&](ArrayRef<Value> red, ValueRange current) {
      SmallVector<Value> results;
      // Loads shared between rows (vector inputs) and between vectors
      // (broadcast inputs) are made once.
      DenseMap<std::tuple<unsigned, int64_t, int64_t>, Value> loaded;
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t u = 0; u < unroll; ++u) {
          SmallVector<Value> vals = values(i, u, red);
          IRMapping mapping;
          Block &body = *op.getBlock();
          for (auto [k, input] : llvm::enumerate(op.getDpsInputOperands())) {
            AffineMap map = op.getMatchingIndexingMap(input);
            bool vector = plan.access[k] == Access::Vector;
            bool perRow = plan.r >= 0 && map.isFunctionOfDim(plan.r);
            auto key = std::make_tuple(unsigned(k), perRow ? i : -1,
                                       vector ? u : -1);
            Value &value = loaded[key];
            if (!value) {
              Value memref = input->get();
              Type inElement = getElementTypeOrSelf(memref.getType());
              if (vector && plan.step[k] == 1) {
                value = load(memref, indices(map, vals),
                             VectorType::get({width}, inElement), mask);
              } else if (vector) {
                // Lanes step apart: one load of the lanes that span them
                // (masked to those, so nothing past the last one is read),
                // then a shuffle.
                int64_t step = plan.step[k];
                int64_t used = maskLanes ? maskLanes : width;
                auto wide = VectorType::get({width * step}, inElement);
                Value spanMask = vector::CreateMaskOp::create(
                    b, loc, VectorType::get({width * step}, b.getI1Type()),
                    ValueRange{index(step * (used - 1) + 1)});
                Value zero =
                    arith::ConstantOp::create(b, loc, b.getZeroAttr(wide));
                Value span = vector::MaskedLoadOp::create(
                    b, loc, wide, memref, indices(map, vals), spanMask, zero);
                SmallVector<int64_t> lanes;
                for (int64_t j = 0; j < width; ++j)
                  lanes.push_back(j * step);
                value = vector::ShuffleOp::create(b, loc, span, span, lanes);
              } else {
                // Uniform: kept scalar; cloneBody broadcasts it where a
                // vector op needs it.
                value = isa<MemRefType>(memref.getType())
                            ? memref::LoadOp::create(b, loc, memref,
                                                     indices(map, vals))
                                  .getResult()
                            : memref;
              }
            }
            mapping.map(body.getArgument(k), value);
          }
          if (plan.readsOutput)
            mapping.map(body.getArguments().back(),
                        current[i * unroll + u]);
          results.push_back(cloneBody(body, mapping, width));
        }
      return results;
    };

    SmallVector<Value> finals;
    if (plan.reductions.empty()) {
      finals = compute({}, accs);
    } else {
      SmallVector<Value> red(plan.reductions.size());
      std::function<SmallVector<Value>(size_t, ValueRange)> nest =
          [&](size_t d, ValueRange current) -> SmallVector<Value> {
        if (d == plan.reductions.size())
          return compute(red, current);
        unsigned l = plan.reductions[d];
        Value from = index(lo[l]), to = index(hi[l]);
        auto forOp =
            scf::ForOp::create(b, loc, from, to, index(1), current);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(forOp.getBody());
        Value iv = forOp.getInductionVar();
        if (int(l) == plan.blocked)
          iv = arith::AddIOp::create(b, loc, blockStart, iv);
        red[d] = iv;
        SmallVector<Value> next = nest(d + 1, forOp.getRegionIterArgs());
        scf::YieldOp::create(b, loc, next);
        return SmallVector<Value>(forOp.getResults());
      };
      finals = nest(0, accs);
    }
    int64_t n = 0;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t u = 0; u < unroll; ++u, ++n) {
        SmallVector<Value> at = indices(outMap, values(i, u, noReductions));
        if (mask)
          vector::MaskedStoreOp::create(b, loc, out, at, mask, finals[n]);
        else
          vector::StoreOp::create(b, loc, finals[n], out, at);
      }
  }

  /// With avx512-permute, a 16-lane lookup in a constant f32 table of at
  /// most 32 entries (a codebook, a global after bufferization) as one
  /// vpermps / vpermi2ps on the table in registers; null otherwise.
  Value permuteLookup(memref::LoadOp load, Value indices, int64_t width) {
    if (!plan.avx512Permute || width != 16 || !load.getType().isF32())
      return Value();
    auto getGlobal = load.getMemRef().getDefiningOp<memref::GetGlobalOp>();
    if (!getGlobal)
      return Value();
    auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
        getGlobal, getGlobal.getNameAttr());
    auto init = global ? dyn_cast_or_null<DenseElementsAttr>(
                             global.getConstantInitValue())
                       : DenseElementsAttr();
    if (!init || init.getNumElements() > 32)
      return Value();
    SmallVector<float> table(init.getValues<float>());
    table.resize(32, 0.0f);
    auto vf = VectorType::get({16}, b.getF32Type());
    Value lo = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vf, ArrayRef<float>(table).take_front(16)));
    Value idx = arith::IndexCastUIOp::create(
        b, loc, VectorType::get({16}, b.getI32Type()), indices);
    if (init.getNumElements() <= 16)
      return LLVM::CallIntrinsicOp::create(
                 b, loc, vf, b.getStringAttr("llvm.x86.avx512.permvar.sf.512"),
                 ValueRange{lo, idx})
          .getResult(0);
    Value hi = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vf, ArrayRef<float>(table).drop_front(16)));
    return LLVM::CallIntrinsicOp::create(
               b, loc, vf, b.getStringAttr("llvm.x86.avx512.vpermi2var.ps.512"),
               ValueRange{lo, idx, hi})
        .getResult(0);
  }

  /// The body cloned on vectors of `width` lanes; returns the yielded
  /// value (a vector). Mapped values are vectors or, for broadcast inputs,
  /// scalars: an op on scalars only stays scalar (a codebook lookup of a
  /// broadcast weight is one load), the others get their scalar operands
  /// broadcast. Multiplies and adds may contract into FMAs; a load at a
  /// per-lane index becomes a vector.gather.
  Value cloneBody(Block &body, IRMapping &mapping, int64_t width) {
    auto isVector = [](Value v) { return isa<VectorType>(v.getType()); };
    auto vec = [&](Value v) -> Value {
      if (isVector(v))
        return v;
      return vector::BroadcastOp::create(
          b, loc, VectorType::get({width}, v.getType()), v);
    };
    auto lookup = [&](Value v) {
      Value m = mapping.lookupOrNull(v);
      return m ? m : v; // defined outside the body: a scalar
    };
    for (Operation &inner : body.without_terminator()) {
      if (auto constant = dyn_cast<arith::ConstantOp>(inner)) {
        mapping.map(constant.getResult(), b.clone(inner)->getResult(0));
        continue;
      }
      bool anyVector = llvm::any_of(inner.getOperands(), [&](Value operand) {
        return isVector(lookup(operand));
      });
      if (!anyVector) {
        for (Value operand : inner.getOperands())
          mapping.map(operand, lookup(operand));
        b.clone(inner, mapping);
        continue;
      }
      if (auto load = dyn_cast<memref::LoadOp>(inner)) {
        Value indices = lookup(load.getIndices()[0]);
        auto type = VectorType::get({width}, load.getType());
        if (Value permuted = permuteLookup(load, indices, width)) {
          mapping.map(load.getResult(), permuted);
          continue;
        }
        Value all = vector::ConstantMaskOp::create(
            b, loc, VectorType::get({width}, b.getI1Type()),
            ArrayRef<int64_t>{width});
        Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
        Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
        mapping.map(load.getResult(),
                    vector::GatherOp::create(b, loc, type, load.getMemRef(),
                                             ValueRange{c0}, indices, all,
                                             zero));
        continue;
      }
      for (Value operand : inner.getOperands())
        mapping.map(operand, vec(lookup(operand)));
      Operation *clone = b.clone(inner, mapping);
      for (Value result : clone->getResults())
        result.setType(VectorType::get({width}, result.getType()));
      if (auto fm = dyn_cast<arith::ArithFastMathInterface>(clone))
        if (isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(clone))
          clone->setAttr(
              fm.getFastMathAttrName(),
              arith::FastMathFlagsAttr::get(
                  b.getContext(), fm.getFastMathFlagsAttr().getValue() |
                                      arith::FastMathFlags::contract));
    }
    return vec(lookup(body.getTerminator()->getOperand(0)));
  }
};

/// One dense linalg op on buffers as the vector loops of its plan.
struct VectorizeLinalgOp
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  VectorizeLinalgOp(MLIRContext *context, const VectorizeOptions &options)
      : OpInterfaceRewritePattern(context), options(options) {}
  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<Plan> plan =
        analyse(op, options.vectorBits, options.registers,
                options.reductionBlock, options.columnBlock);
    if (!plan)
      return failure();
    plan->avx512Permute = options.avx512Permute;
    rewriter.setInsertionPoint(op);
    Emitter(op, *plan, rewriter).run();
    rewriter.eraseOp(op);
    return success();
  }
  VectorizeOptions options;
};

struct DCVectorizePass
    : public mlir::dc::impl::DCVectorizeBase<DCVectorizePass> {
  using Base::Base;
  void runOnOperation() override {
    if (vectorBits == 0)
      return;
    VectorizeOptions options{vectorBits, registers, reductionBlock,
                             columnBlock, avx512Permute};
    RewritePatternSet patterns(&getContext());
    populateVectorizePatterns(patterns, options);
    // Each op once, in order, nothing folded: the loops the plans describe.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::dc::populateVectorizePatterns(RewritePatternSet &patterns,
                                         const VectorizeOptions &options) {
  if (options.vectorBits != 0)
    patterns.add<VectorizeLinalgOp>(patterns.getContext(), options);
}
