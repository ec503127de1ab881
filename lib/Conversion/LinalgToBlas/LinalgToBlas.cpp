//===- LinalgToBlas.cpp - f32 contractions on memrefs to the host BLAS ----===//
//
// convert-linalg-to-blas (include/dc/Conversion/Passes.td). Not upstream's
// convert-linalg-to-std: its callee name is the op's name only, so a
// contraction with transposed maps would call the kernel of a plain matmul.
// Here the dimensions come from linalg::inferContractionDims and the
// transposes and leading dimensions from each operand's map and strides.
//
//===----------------------------------------------------------------------===//

#include "dc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::dc {
#define GEN_PASS_DEF_CONVERTLINALGTOBLAS
#include "dc/Conversion/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

constexpr llvm::StringLiteral kSgemm = "dcrt_host_sgemm";

/// One operand as a matrix over two of the contraction's loops (rows, cols):
/// the stride of each (in elements) and the offset, all static.
struct Matrix {
  Value memref;
  int64_t rowStride = 0, colStride = 0, offset = 0;
};

/// The strides of operand `v`, indexed by `map`, along loops `rows` and
/// `cols` (a loop the map does not use has stride 0: a size-1 dimension).
std::optional<Matrix> asMatrix(Value v, AffineMap map,
                               std::optional<unsigned> rows,
                               std::optional<unsigned> cols) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  Matrix m{v, 0, 0, offset};
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return std::nullopt;
    if (rows && dim.getPosition() == *rows)
      m.rowStride = strides[i];
    else if (cols && dim.getPosition() == *cols)
      m.colStride = strides[i];
    else if (type.getDimSize(i) != 1)
      return std::nullopt;
  }
  return m;
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

struct ConvertLinalgToBlasPass
    : public mlir::dc::impl::ConvertLinalgToBlasBase<ConvertLinalgToBlasPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> candidates;
    module.walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && op.getNumDpsInputs() == 2 &&
          op.getNumDpsInits() == 1 && linalg::isaContractionOpInterface(op))
        candidates.push_back(op);
    });
    func::FuncOp sgemm;
    for (linalg::LinalgOp op : candidates) {
      std::string why;
      if (succeeded(rewrite(op, sgemm, why)))
        continue;
      if (reportUnmatched)
        op.emitRemark() << "contraction left to the loops: " << why;
    }
  }

  LogicalResult rewrite(linalg::LinalgOp op, func::FuncOp &sgemm,
                        std::string &why) {
    auto fail = [&](const char *reason) {
      why = reason;
      return failure();
    };
    if (!isSgemmBody(op))
      return fail("the body is not out + a * b in f32");
    FailureOr<linalg::ContractionDimensions> dims =
        linalg::inferContractionDims(op);
    if (failed(dims) || !dims->batch.empty() || dims->m.size() != 1 ||
        dims->n.size() != 1 || dims->k.size() != 1)
      return fail("not one M, one N and one K loop without batch loops");
    unsigned mDim = dims->m[0], nDim = dims->n[0], kDim = dims->k[0];
    SmallVector<int64_t> loops = op.getStaticLoopRanges();
    int64_t M = loops[mDim], N = loops[nDim], K = loops[kDim];
    if (ShapedType::isDynamic(M) || ShapedType::isDynamic(N) ||
        ShapedType::isDynamic(K) || M <= 0 || N <= 0 || K <= 0)
      return fail("dynamic or empty loop ranges");
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    OpOperand *a = op.getDpsInputOperand(0), *b = op.getDpsInputOperand(1);
    // The operand with the M loop is A.
    if (llvm::any_of(maps[0].getResults(), [&](AffineExpr e) {
          return e.isFunctionOfDim(nDim);
        })) {
      std::swap(a, b);
      std::swap(maps[0], maps[1]);
    }
    std::optional<Matrix> ma = asMatrix(a->get(), maps[0], mDim, kDim);
    std::optional<Matrix> mb = asMatrix(b->get(), maps[1], kDim, nDim);
    std::optional<Matrix> mc =
        asMatrix(op.getDpsInitOperand(0)->get(), maps[2], mDim, nDim);
    if (!ma || !mb || !mc)
      return fail("an operand is not a static strided f32 memref over the "
                  "contraction's loops");
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

    OpBuilder b0(op);
    Location loc = op.getLoc();
    if (!sgemm) {
      ModuleOp module = getOperation();
      sgemm = module.lookupSymbol<func::FuncOp>(kSgemm);
      if (!sgemm) {
        OpBuilder mb0 = OpBuilder::atBlockBegin(module.getBody());
        Type i64 = mb0.getI64Type();
        sgemm = func::FuncOp::create(
            mb0, module.getLoc(), kSgemm,
            mb0.getFunctionType(SmallVector<Type>(11, i64), {}));
        sgemm.setPrivate();
      }
    }
    auto constant = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(b0, loc, v, 64);
    };
    auto address = [&](const Matrix &m) -> Value {
      Value base =
          memref::ExtractAlignedPointerAsIndexOp::create(b0, loc, m.memref);
      Value p = arith::IndexCastOp::create(b0, loc, b0.getI64Type(), base);
      if (m.offset == 0)
        return p;
      return arith::AddIOp::create(b0, loc, p, constant(m.offset * 4));
    };
    SmallVector<Value> args = {constant(la->first), constant(lb->first),
                               constant(M),         constant(N),
                               constant(K),         address(*ma),
                               constant(la->second), address(*mb),
                               constant(lb->second), address(*mc),
                               constant(lc->second)};
    func::CallOp::create(b0, loc, sgemm, args);
    op->erase();
    return success();
  }
};

} // namespace
