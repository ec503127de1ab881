//===- RelayoutConstants.cpp - dc-relayout-constants ----------------------===//
//
// A constant read by a linalg op through a permuted map is permuted once, at
// compile time, so that the loop along the output's innermost dimension (the
// one dc-vectorize puts in vectors) indexes its innermost dimension.
//
//===----------------------------------------------------------------------===//

#include "dc/Codegen/Passes.h"
#include "dc/Codegen/Patterns.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include <cstring>

namespace mlir::dc {
#define GEN_PASS_DEF_DCRELAYOUTCONSTANTS
#include "dc/Codegen/Passes.h.inc"
} // namespace mlir::dc

using namespace mlir;
using namespace mlir::dc;

namespace {

/// The loop that indexes the output's innermost dimension, if it is a
/// parallel loop.
std::optional<unsigned> vectorLoop(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1)
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() == 0)
    return std::nullopt;
  auto dim = dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!dim || !linalg::isParallelIterator(
                  op.getIteratorTypesArray()[dim.getPosition()]))
    return std::nullopt;
  return dim.getPosition();
}

/// The permutation (new dimension j holds old dimension perm[j]) that moves
/// the result indexed by `loop` last, or none when the operand needs none.
std::optional<SmallVector<unsigned>> relayoutFor(AffineMap map,
                                                 unsigned loop) {
  if (map.getNumResults() < 2 ||
      !map.isProjectedPermutation(/*allowZeroInResults=*/false))
    return std::nullopt;
  std::optional<unsigned> pos = map.getResultPosition(
      getAffineDimExpr(loop, map.getContext()));
  if (!pos || *pos + 1 == map.getNumResults())
    return std::nullopt;
  SmallVector<unsigned> perm;
  for (unsigned i = 0; i < map.getNumResults(); ++i)
    if (i != *pos)
      perm.push_back(i);
  perm.push_back(*pos);
  return perm;
}

/// The constant's elements as raw bytes, or none for data this pass does not
/// permute (bit-packed i1, elided blobs). A splat is returned empty.
std::optional<ArrayRef<char>> rawElements(arith::ConstantOp constant,
                                          bool &splat) {
  auto type = cast<RankedTensorType>(constant.getType());
  unsigned bits = type.getElementTypeBitWidth();
  if (bits == 0 || bits % 8 != 0)
    return std::nullopt;
  splat = false;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue())) {
    if (dense.isSplat()) {
      splat = true;
      return ArrayRef<char>();
    }
    return dense.getRawData();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      if (blob->getData().size() ==
          size_t(type.getNumElements()) * (bits / 8))
        return blob->getData();
  return std::nullopt;
}

/// `data` (row-major, `shape`) permuted so that new dimension j is old
/// dimension perm[j].
std::vector<char> permute(ArrayRef<char> data, ArrayRef<int64_t> shape,
                          ArrayRef<unsigned> perm, size_t elementBytes) {
  size_t rank = shape.size();
  SmallVector<int64_t> oldStrides(rank, 1), newShape(rank), newStrides(rank);
  for (size_t i = rank; i-- > 1;)
    oldStrides[i - 1] = oldStrides[i] * shape[i];
  for (size_t j = 0; j < rank; ++j) {
    newShape[j] = shape[perm[j]];
    newStrides[j] = oldStrides[perm[j]];
  }
  std::vector<char> out(data.size());
  SmallVector<int64_t> index(rank, 0);
  size_t n = data.size() / elementBytes;
  int64_t from = 0;
  for (size_t to = 0; to < n; ++to) {
    std::memcpy(&out[to * elementBytes], &data[from * elementBytes],
                elementBytes);
    // Next new index, odometer style; `from` follows with old strides.
    for (size_t j = rank; j-- > 0;) {
      from += newStrides[j];
      if (++index[j] < newShape[j])
        break;
      from -= newStrides[j] * newShape[j];
      index[j] = 0;
    }
  }
  return out;
}

/// The permuted constant, created before `user`.
FailureOr<Value> permutedConstant(RewriterBase &rewriter,
                                  arith::ConstantOp constant,
                                  ArrayRef<unsigned> perm, Operation *user) {
  auto type = cast<RankedTensorType>(constant.getType());
  SmallVector<int64_t> shape;
  for (unsigned p : perm)
    shape.push_back(type.getDimSize(p));
  auto newType = RankedTensorType::get(shape, type.getElementType());
  bool splat = false;
  std::optional<ArrayRef<char>> raw = rawElements(constant, splat);
  if (!raw)
    return failure();
  TypedAttr value;
  if (splat) {
    value = cast<DenseElementsAttr>(constant.getValue()).reshape(newType);
  } else {
    std::vector<char> data = permute(*raw, type.getShape(), perm,
                                     type.getElementTypeBitWidth() / 8);
    if (isa<DenseElementsAttr>(constant.getValue())) {
      value = DenseElementsAttr::getFromRawBuffer(newType, data);
    } else {
      auto resource = cast<DenseResourceElementsAttr>(constant.getValue());
      size_t align = resource.getRawHandle().getBlob()->getDataAlignment();
      value = DenseResourceElementsAttr::get(
          newType, (resource.getRawHandle().getKey() + ".relayout").str(),
          HeapAsmResourceBlob::allocateAndCopyWithAlign(ArrayRef<char>(data),
                                                        align));
    }
  }
  rewriter.setInsertionPoint(user);
  auto permuted = arith::ConstantOp::create(rewriter, constant.getLoc(), value);
  // Names the compression passes gave the weight stay with it.
  for (NamedAttribute attr : constant->getDiscardableAttrs())
    permuted->setAttr(attr.getName(), attr.getValue());
  return permuted.getResult();
}

/// A linalg op on tensors whose constant inputs the vector loops would read
/// across their innermost dimension: generalized, with the constants
/// permuted and read through the permuted maps.
struct RelayoutConstantOperands
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    std::optional<unsigned> loop = vectorLoop(op);
    if (!loop)
      return failure();
    auto needs = [&](OpOperand *operand) {
      auto constant = operand->get().getDefiningOp<arith::ConstantOp>();
      auto type = dyn_cast<RankedTensorType>(operand->get().getType());
      return constant && type && !type.getEncoding() &&
             type.hasStaticShape() &&
             relayoutFor(op.getMatchingIndexingMap(operand), *loop);
    };
    if (llvm::none_of(op.getDpsInputOperands(), needs))
      return failure();
    linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(*op);
    if (!generic) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
      if (failed(g))
        return failure();
      generic = *g;
    }
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    for (OpOperand *operand : generic.getDpsInputOperands()) {
      if (!needs(operand))
        continue;
      unsigned i = operand->getOperandNumber();
      SmallVector<unsigned> perm = *relayoutFor(maps[i], *loop);
      auto constant = operand->get().getDefiningOp<arith::ConstantOp>();
      FailureOr<Value> permuted =
          permutedConstant(rewriter, constant, perm, generic);
      if (failed(permuted))
        continue;
      SmallVector<AffineExpr> results;
      for (unsigned p : perm)
        results.push_back(maps[i].getResult(p));
      maps[i] = AffineMap::get(maps[i].getNumDims(), 0, results,
                               rewriter.getContext());
      rewriter.modifyOpInPlace(generic, [&] { operand->set(*permuted); });
      if (constant->use_empty())
        rewriter.eraseOp(constant);
    }
    rewriter.modifyOpInPlace(generic, [&] {
      generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return success();
  }
};

struct DCRelayoutConstantsPass
    : public mlir::dc::impl::DCRelayoutConstantsBase<DCRelayoutConstantsPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRelayoutConstantsPatterns(patterns);
    // Each op once, in order, nothing folded.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::dc::populateRelayoutConstantsPatterns(RewritePatternSet &patterns) {
  patterns.add<RelayoutConstantOperands>(patterns.getContext());
}
