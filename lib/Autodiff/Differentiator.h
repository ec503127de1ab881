//===- Differentiator.h - Reverse mode over linalg on tensors ---*- C++ -*-===//
//
// Private to lib/Autodiff. Tensor level: the forward ops are copied into the
// new function, then visited in reverse; each op adds the adjoints of its
// operands from the adjoints of its results. One rule serves every
// linalg.generic whose maps are projected permutations (matmul, matvec,
// batch_matmul, transposes, broadcasts, elementwise ops, sum reductions once
// generalized): the adjoint of operand k is a new generic over the same loops
// that recomputes the body, runs the body's scalar reverse mode, and
// accumulates into a zero tensor through operand k's map (loops absent from
// that map become reductions). Reductions must combine with addf; their init
// gets the result's adjoint once.
//
// The rules, by op family:
//   ScalarReverse.cpp  the scalar ops of a generic's body (elementwise)
//   Generic.cpp        generics: contractions, broadcasts, reductions' seeds
//   Window.cpp         inputs read through window maps (convolutions, pooling)
//   Reductions.cpp     max/min reductions (ties, pooling's first arg-max)
//   ShapeOps.cpp       reshapes, pad, extract/insert_slice
//   Differentiator.cpp the sweep and the adjoint bookkeeping
//   Gradient.cpp, Loss.cpp  the gradient function and the training step
//
// Diagnostics start with `passName` (the pass that runs the rules).
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_AUTODIFF_DIFFERENTIATOR_H
#define DC_LIB_AUTODIFF_DIFFERENTIATOR_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::dc::autodiff {

inline bool isFloatTensor(Type t) {
  auto type = dyn_cast<RankedTensorType>(t);
  return type && isa<FloatType>(type.getElementType()) && type.hasStaticShape();
}

inline Value floatConstant(OpBuilder &b, Location loc, Type type, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
}

/// Named linalg ops become generics (one rule then covers them all).
LogicalResult generalizeAll(func::FuncOp func, StringRef passName);

class ScalarReverse {
public:
  ScalarReverse(OpBuilder &b, IRMapping &map, StringRef passName)
      : b(b), map(map), passName(passName) {}

  void seed(Value v, Value adjoint) { add(v, adjoint); }

  /// Runs over `ops` (the original body, in order) backwards.
  LogicalResult run(ArrayRef<Operation *> ops) {
    for (Operation *op : llvm::reverse(ops)) {
      if (op->getNumResults() != 1)
        continue;
      auto it = adj.find(op->getResult(0));
      if (it == adj.end())
        continue;
      if (failed(visit(op, it->second)))
        return failure();
    }
    return success();
  }

  Value adjointOf(Value v) const {
    auto it = adj.find(v);
    return it == adj.end() ? Value() : it->second;
  }

private:
  void add(Value v, Value a) {
    if (!isa<FloatType>(v.getType()))
      return;
    auto [it, inserted] = adj.insert({v, a});
    if (!inserted)
      it->second = arith::AddFOp::create(b, a.getLoc(), it->second, a);
  }
  Value m(Value v) { return map.lookupOrDefault(v); }

  LogicalResult visit(Operation *op, Value a);

  OpBuilder &b;
  IRMapping &map;
  llvm::DenseMap<Value, Value> adj;
  StringRef passName;
};

class Differentiator {
  /// The adjoint flowing into result `result` of a generic: `adjoint`
  /// (same map as the result) and, for a max/min reduction, the final
  /// `gate` values: then only iterations whose value equals the gate
  /// receive it.
  struct Seed {
    unsigned result;
    Value adjoint, gate;
    /// The gate is the first matching iteration (a pooling window's
    /// arg-max, as PyTorch's max_pool2d), as the linear index over the
    /// reduction loops, not the result value.
    bool firstOnly = false;
  };

public:
  Differentiator(func::FuncOp grad, StringRef passName)
      : grad(grad), passName(passName) {}

  /// The reverse sweep over `forward` (ops of the function, in order) from
  /// `seed`, whose adjoint is `seedAdjoint`; new ops go before `at`.
  LogicalResult sweep(ArrayRef<Operation *> forward, Value seed,
                      Value seedAdjoint, Operation *at);

  /// The gradient of `arg` (zeros when nothing reached it), built before `at`.
  Value gradientOf(BlockArgument arg, Operation *at);

  Value filled(OpBuilder &b, Location loc, RankedTensorType type, double v);

private:
  /// Elementwise x + y as a linalg.generic.
  Value addTensors(OpBuilder &b, Location loc, Value x, Value y);

  void addAdjoint(OpBuilder &b, Location loc, Value v, Value a);

  LogicalResult visit(OpBuilder &b, Operation *op);

  LogicalResult visitGeneric(OpBuilder &b, linalg::GenericOp op);

  /// The adjoint of a tensor `t` the body reads with tensor.extract: a
  /// segment sum over the op's loops (all reductions) and t's dimensions
  /// (parallel): each element of t collects the adjoints of the extracts
  /// whose indices equal its own. (MLIR 22's tensor.scatter does not
  /// bufferize, and this needs no atomics.)
  LogicalResult adjointOfCaptured(OpBuilder &b, linalg::GenericOp op, Value t,
                                  ArrayRef<Value> seeded, ArrayRef<Seed> seeds);

  /// Elementwise `f` over tensors of `type`.
  Value elementwise(OpBuilder &b, Location loc, RankedTensorType type,
                    ValueRange ins,
                    function_ref<Value(OpBuilder &, Location, ValueRange)> f);

  /// Whether every result of `m` is a loop or a sum of loops times
  /// positive constants, each loop in one result at most.
  static bool isWindowMap(AffineMap m);

  /// `e` as sum of (loop, coefficient), if it is one.
  static bool linearTerms(AffineExpr e,
                          SmallVectorImpl<std::pair<unsigned, int64_t>> &out);

  /// The value of a window map's result `e` at loop values `loops`.
  static Value evaluate(OpBuilder &b, Location loc, AffineExpr e,
                        ArrayRef<Value> loops);

  /// The linear index of the reduction loops of `op` (row-major in loop
  /// order) at loop values `loops`, as a float of `type`.
  static Value reductionIndex(OpBuilder &b, Location loc, linalg::GenericOp op,
                              ArrayRef<Value> loops, Type type);

  /// The loop values applySeeds needs: none unless a seed is gated by its
  /// iteration (firstOnly), which is rare (pooling), and the body runs for
  /// every iteration.
  static SmallVector<Value> seedLoops(OpBuilder &b, Location loc,
                                      ArrayRef<Seed> seeds, unsigned loops);

  /// The loop values of a generic's body, as linalg.index.
  static SmallVector<Value> loopIndices(OpBuilder &b, Location loc,
                                        unsigned loops);

  /// A reduction over `op`'s loops into the shape of result `j`, from
  /// `init`: `combine(acc, matches)` in every iteration, where `matches`
  /// says whether the iteration's value `e` equals the result.
  Value
  overMatches(OpBuilder &b, linalg::GenericOp op, unsigned j, Value e,
              double init,
              function_ref<Value(OpBuilder &, Location, Value, Value)> combine);

  /// For each element of result `j` of a max/min reduction, the linear
  /// index of the first iteration whose value `e` equals it (kNoMatch if
  /// none).
  Value firstMatch(OpBuilder &b, linalg::GenericOp op, unsigned j, Value e);

  /// For each element of result `j` of a max/min reduction, how many
  /// iterations produce a value `e` equal to it.
  Value countMatches(OpBuilder &b, linalg::GenericOp op, unsigned j, Value e);

  /// Clones `op`'s body (without its yield) at `nb`, its block arguments
  /// mapped to the first arguments in `args`; returns the original ops.
  static SmallVector<Operation *> cloneBody(OpBuilder &nb, linalg::GenericOp op,
                                            ValueRange args, IRMapping &map);

  /// Adds the seeds' tensors as inputs of an adjoint generic whose loops
  /// start with `op`'s (`extend` widens the result maps to its loops).
  void addSeedInputs(linalg::GenericOp op, ArrayRef<Seed> seeds,
                     function_ref<AffineMap(AffineMap)> extend,
                     SmallVectorImpl<Value> &inputs,
                     SmallVectorImpl<AffineMap> &maps);

  /// In an adjoint body whose seed arguments start at `args[base]`, seeds
  /// the scalar reverse mode (gated ones only where the value equals the
  /// gate).
  void applySeeds(OpBuilder &nb, Location nl, linalg::GenericOp op,
                  ArrayRef<Seed> seeds, ArrayRef<Value> seeded,
                  ValueRange seedValues, ArrayRef<Value> loops, IRMapping &map,
                  ScalarReverse &reverse);

  static bool dependsOn(Value v, Value on);

  /// The adjoint of an input `k` read through a window map (a
  /// convolution's or pooling's input): the transposed operation in gather
  /// form. Its loops are the operand's dimensions (parallel) and the op's
  /// loops that a window map result adds to another (kh, kw, and the loops
  /// the operand does not use: reductions); each result oh * s + kh * d =
  /// ih is solved for the loop the op's outputs use (oh = (ih - kh * d) /
  /// s, an iteration only where that divides and is in range), and the
  /// other operands and the seeds are read with tensor.extract there.
  LogicalResult adjointOfWindowOperand(OpBuilder &b, linalg::GenericOp op,
                                       unsigned k, ArrayRef<Value> seeded,
                                       ArrayRef<Seed> seeds);

  /// The generic computing the adjoint of operand `k` of `op`.
  LogicalResult adjointOfOperand(OpBuilder &b, linalg::GenericOp op, unsigned k,
                                 ArrayRef<Value> seeded, ArrayRef<Seed> seeds);

  /// The loops of a window adjoint (Window.cpp).
  struct WindowLoops {
    enum Kind { Free, Direct, Solved };
    SmallVector<Kind> kind;
    SmallVector<unsigned> dimOf;
    SmallVector<SmallVector<std::pair<unsigned, int64_t>>> termsOf;
    SmallVector<unsigned> free;
  };
  static WindowLoops solveWindow(linalg::GenericOp op, unsigned k);

  /// The reverse rules of tensor.collapse_shape, expand_shape, pad,
  /// extract_slice and insert_slice (ShapeOps.cpp); false for other ops.
  FailureOr<bool> visitShapeOp(OpBuilder &b, Operation *op);

  /// No iteration matched (firstMatch): larger than any linear index.
  static constexpr double kNoMatch = 1e30;

  func::FuncOp grad;
  StringRef passName;
  llvm::DenseSet<Value> active;
  llvm::DenseMap<Value, Value> adj;
};

} // namespace mlir::dc::autodiff

#endif // DC_LIB_AUTODIFF_DIFFERENTIATOR_H
