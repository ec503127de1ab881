//===- LinalgToBlas.cpp - f32 contractions on memrefs to the host BLAS ----===//
//
// convert-linalg-to-blas (include/dc/Conversion/Passes.td). Not upstream's
// convert-linalg-to-std: its callee name is the op's name only, so a
// contraction with transposed maps would call the kernel of a plain matmul.
// Here the dimensions come from linalg::inferContractionDims and the
// transposes and leading dimensions from each operand's map and strides.
//
//===----------------------------------------------------------------------===//

#include "dc/Codegen/Passes.h"
#include "dc/Codegen/Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::dc {
#define GEN_PASS_DEF_CONVERTLINALGTOBLAS
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

constexpr llvm::StringLiteral kSgemm = "dcrt_host_sgemm";

/// One operand as a matrix: the memref, its element offset and the
/// strides (in elements) of its rows and columns.
/// An operand's static strides by loop (0 for loops its map does not use).
struct Strides {
  Value memref;
  SmallVector<int64_t> byLoop;
  int64_t offset = 0;
};

struct Matrix {
  const Strides *operand;
  int64_t rowStride = 0, colStride = 0;
};

std::optional<Strides> stridesOf(Value v, AffineMap map, unsigned loops) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  Strides s{v, SmallVector<int64_t>(loops, 0), offset};
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return std::nullopt;
    s.byLoop[dim.getPosition()] = strides[i];
  }
  return s;
}

/// Splits a group of loops (M, N or K) into loops run outside the call and
/// one collapsed dimension: the longest run of innermost loops (by stride in
/// `order`) whose strides nest exactly (stride[l] = stride[next] *
/// range[next]) in every operand of `users`. Returns the collapsed loops,
/// outermost first; `outer` gets the rest.
SmallVector<unsigned> collapse(ArrayRef<unsigned> group,
                               ArrayRef<int64_t> ranges,
                               ArrayRef<const Strides *> users,
                               SmallVectorImpl<unsigned> &outer) {
  SmallVector<unsigned> order;
  for (unsigned l : group)
    if (ranges[l] != 1) // a loop of one iteration is nowhere
      order.push_back(l);
  // Outermost first by the first user's strides.
  llvm::stable_sort(order, [&](unsigned a, unsigned b) {
    return users[0]->byLoop[a] > users[0]->byLoop[b];
  });
  size_t keep = order.empty() ? 0 : 1;
  while (keep < order.size()) {
    unsigned inner = order[order.size() - keep];
    unsigned next = order[order.size() - keep - 1];
    bool nests = llvm::all_of(users, [&](const Strides *s) {
      return s->byLoop[next] == s->byLoop[inner] * ranges[inner];
    });
    if (!nests)
      break;
    ++keep;
  }
  outer.append(order.begin(), order.end() - keep);
  return SmallVector<unsigned>(order.end() - keep, order.end());
}

/// A row-major view of `m` (rows x cols): whether it is transposed and its
/// leading dimension, if it has one.
std::optional<std::pair<bool, int64_t>> layoutOf(const Matrix &m, int64_t rows,
                                                 int64_t cols) {
  if (m.colStride == 1 || cols == 1) {
    int64_t ld = rows == 1 ? std::max<int64_t>(cols, 1) : m.rowStride;
    if (ld >= std::max<int64_t>(cols, 1))
      return std::make_pair(false, ld);
  }
  if (m.rowStride == 1 || rows == 1) {
    int64_t ld = cols == 1 ? std::max<int64_t>(rows, 1) : m.colStride;
    if (ld >= std::max<int64_t>(rows, 1))
      return std::make_pair(true, ld);
  }
  return std::nullopt;
}

/// Whether the body is exactly out + a * b (either order) in f32.
bool isSgemmBody(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (!body || body->getNumArguments() != 3 ||
      body->getOperations().size() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getNumOperands() == 1
                 ? yield.getOperand(0).getDefiningOp<arith::AddFOp>()
                 : arith::AddFOp();
  if (!add || !add.getType().isF32())
    return false;
  Value out = body->getArgument(2);
  Value product = add.getLhs() == out   ? add.getRhs()
                  : add.getRhs() == out ? add.getLhs()
                                        : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul)
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

/// An f32 contraction on buffers as calls of dcrt_host_sgemm (or, with
/// `reportUnmatched`, a remark saying why it stays a loop nest).
struct ContractionToSgemm
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  ContractionToSgemm(MLIRContext *context, bool reportUnmatched)
      : OpInterfaceRewritePattern(context), reportUnmatched(reportUnmatched) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
      return failure();
    std::string why;
    if (succeeded(rewrite(op, rewriter, why)))
      return success();
    if (reportUnmatched)
      op.emitRemark() << "contraction left to the loops: " << why;
    return failure();
  }

  LogicalResult rewrite(linalg::LinalgOp op, PatternRewriter &rewriter,
                        std::string &why) const {
    auto fail = [&](const char *reason) {
      why = reason;
      return failure();
    };
    if (!isSgemmBody(op))
      return fail("the body is not out + a * b in f32");
    FailureOr<linalg::ContractionDimensions> dims =
        linalg::inferContractionDims(op);
    if (failed(dims))
      return fail("no M, N and K loops");
    SmallVector<int64_t> loops = op.getStaticLoopRanges();
    if (llvm::any_of(loops, [](int64_t r) {
          return ShapedType::isDynamic(r) || r <= 0;
        }))
      return fail("dynamic or empty loop ranges");
    unsigned numLoops = op.getNumLoops();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    std::optional<Strides> sa = stridesOf(op.getDpsInputs()[0], maps[0],
                                          numLoops);
    std::optional<Strides> sb = stridesOf(op.getDpsInputs()[1], maps[1],
                                          numLoops);
    std::optional<Strides> sc = stridesOf(op.getDpsInits()[0], maps[2],
                                          numLoops);
    if (!sa || !sb || !sc)
      return fail("an operand is not a static strided f32 memref over the "
                  "contraction's loops");
    // The operand with the M loops is A (inferContractionDims takes the
    // first input as the left-hand side).
    SmallVector<unsigned> outer(dims->batch.begin(), dims->batch.end());
    SmallVector<unsigned> mLoops = collapse(dims->m, loops, {&*sa, &*sc}, outer);
    SmallVector<unsigned> nLoops = collapse(dims->n, loops, {&*sb, &*sc}, outer);
    SmallVector<unsigned> kLoops = collapse(dims->k, loops, {&*sa, &*sb}, outer);
    auto size = [&](ArrayRef<unsigned> group) {
      int64_t n = 1;
      for (unsigned l : group)
        n *= loops[l];
      return n;
    };
    // A collapsed group's stride in an operand is its innermost loop's.
    auto stride = [&](const Strides &s, ArrayRef<unsigned> group) -> int64_t {
      return group.empty() ? 0 : s.byLoop[group.back()];
    };
    int64_t M = size(mLoops), N = size(nLoops), K = size(kLoops);
    std::optional<Matrix> ma =
        Matrix{&*sa, stride(*sa, mLoops), stride(*sa, kLoops)};
    std::optional<Matrix> mb =
        Matrix{&*sb, stride(*sb, kLoops), stride(*sb, nLoops)};
    std::optional<Matrix> mc =
        Matrix{&*sc, stride(*sc, mLoops), stride(*sc, nLoops)};
    // C must be row-major; else compute C^T += B^T A^T.
    std::optional<std::pair<bool, int64_t>> lc = layoutOf(*mc, M, N);
    if (!lc || lc->first) {
      std::swap(ma, mb);
      std::swap(ma->rowStride, ma->colStride);
      std::swap(mb->rowStride, mb->colStride);
      std::swap(mc->rowStride, mc->colStride);
      std::swap(M, N);
      lc = layoutOf(*mc, M, N);
      if (!lc || lc->first)
        return fail("the output has no unit stride");
    }
    std::optional<std::pair<bool, int64_t>> la = layoutOf(*ma, M, K);
    std::optional<std::pair<bool, int64_t>> lb = layoutOf(*mb, K, N);
    if (!la || !lb)
      return fail("an input has no unit stride");

    Location loc = op.getLoc();
    auto module = op->getParentOfType<ModuleOp>();
    auto sgemm = module.lookupSymbol<func::FuncOp>(kSgemm);
    if (!sgemm) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(module.getBody());
      Type i64 = rewriter.getI64Type();
      sgemm = func::FuncOp::create(
          rewriter, module.getLoc(), kSgemm,
          rewriter.getFunctionType(SmallVector<Type>(11, i64), {}));
      sgemm.setPrivate();
    }
    rewriter.setInsertionPoint(op);
    OpBuilder &b0 = rewriter;
    auto constant = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(b0, loc, v, 64);
    };
    // The loops not collapsed run around the call (batch loops, and M, N,
    // K loops whose strides do not nest, as a convolution's batch in NCHW).
    SmallVector<Value> ivs;
    for (unsigned l : outer) {
      auto loop = scf::ForOp::create(
          b0, loc, arith::ConstantIndexOp::create(b0, loc, 0),
          arith::ConstantIndexOp::create(b0, loc, loops[l]),
          arith::ConstantIndexOp::create(b0, loc, 1));
      b0.setInsertionPoint(loop.getBody()->getTerminator());
      ivs.push_back(loop.getInductionVar());
    }
    auto address = [&](const Matrix &m) -> Value {
      const Strides &s = *m.operand;
      Value base =
          memref::ExtractAlignedPointerAsIndexOp::create(b0, loc, s.memref);
      Value p = arith::IndexCastOp::create(b0, loc, b0.getI64Type(), base);
      if (s.offset != 0)
        p = arith::AddIOp::create(b0, loc, p, constant(s.offset * 4));
      for (auto [l, iv] : llvm::zip(outer, ivs)) {
        if (s.byLoop[l] == 0)
          continue;
        Value i = arith::IndexCastOp::create(b0, loc, b0.getI64Type(), iv);
        p = arith::AddIOp::create(
            b0, loc, p,
            arith::MulIOp::create(b0, loc, i, constant(s.byLoop[l] * 4)));
      }
      return p;
    };
    SmallVector<Value> args = {constant(la->first), constant(lb->first),
                               constant(M),         constant(N),
                               constant(K),         address(*ma),
                               constant(la->second), address(*mb),
                               constant(lb->second), address(*mc),
                               constant(lc->second)};
    func::CallOp::create(b0, loc, sgemm, args);
    rewriter.eraseOp(op);
    return success();
  }

  bool reportUnmatched;
};

struct ConvertLinalgToBlasPass
    : public mlir::dc::impl::ConvertLinalgToBlasBase<ConvertLinalgToBlasPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLinalgToBlasPatterns(patterns, reportUnmatched);
    // Each contraction once, in order.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::dc::populateLinalgToBlasPatterns(RewritePatternSet &patterns,
                                            bool reportUnmatched) {
  patterns.add<ContractionToSgemm>(patterns.getContext(), reportUnmatched);
}
