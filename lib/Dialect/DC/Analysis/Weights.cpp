//===- Weights.cpp - The constant weights of a model ----------------------===//
//
// The weight finder (the forms of WeightForm.h behind the views of
// WeightViews.h), the weights left uncompressed, and weight values.
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/Analysis/Weights.h"
#include "dc/Dialect/DC/Analysis/WeightViews.h"
#include "dc/Dialect/DC/IR/DCOps.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

#include <cstring>

using namespace mlir;
using namespace mlir::dc;

//===----------------------------------------------------------------------===//
// Finding weights
//===----------------------------------------------------------------------===//

/// A ranked static non-empty tensor constant of the given element kind,
/// stored as dense<> or dense_resource<>.
static arith::ConstantOp matchTensorConstant(Value value, bool wantFloat) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return {};
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() == 0 ||
      !isa<DenseElementsAttr, DenseResourceElementsAttr>(constant.getValue()))
    return {};
  Type element = type.getElementType();
  if (wantFloat ? !element.isF32()
                : !(element.isSignlessInteger() &&
                    element.getIntOrFloatBitWidth() <= 32))
    return {};
  return constant;
}

/// A linalg.generic of `numInputs` constant-fed operands and one init, all
/// maps identities, all loops parallel, an f32 result.
static bool isElementwiseForm(linalg::GenericOp op, unsigned numInputs) {
  auto resultType = dyn_cast<RankedTensorType>(
      op->getResultTypes().empty() ? Type() : op->getResultTypes()[0]);
  return op.getNumDpsInputs() == numInputs && op.getNumDpsInits() == 1 &&
         op->getNumResults() == 1 && resultType &&
         resultType.getElementType().isF32() &&
         op.getNumParallelLoops() == op.getNumLoops() &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); });
}

/// An integer tensor constant with the shape of `op`'s result.
static arith::ConstantOp matchIntegerOperand(linalg::GenericOp op,
                                             unsigned input) {
  arith::ConstantOp c =
      matchTensorConstant(op.getDpsInputs()[input], /*wantFloat=*/false);
  if (!c || cast<RankedTensorType>(c.getType()).getShape() !=
                cast<RankedTensorType>(op->getResultTypes()[0]).getShape())
    return {};
  return c;
}

/// `tensor.extract %codebook[index_cast(%arg)]` from a 1-D f32 constant.
static arith::ConstantOp matchCodebookLookup(Value value, Value arg,
                                             bool &isUnsigned) {
  auto extract = value.getDefiningOp<tensor::ExtractOp>();
  if (!extract || extract.getIndices().size() != 1)
    return {};
  arith::ConstantOp codebook =
      matchTensorConstant(extract.getTensor(), /*wantFloat=*/true);
  if (!codebook || cast<RankedTensorType>(codebook.getType()).getRank() != 1)
    return {};
  Value index = extract.getIndices()[0];
  isUnsigned = false;
  if (auto cast = index.getDefiningOp<arith::IndexCastOp>()) {
    index = cast.getIn();
  } else if (auto cast = index.getDefiningOp<arith::IndexCastUIOp>()) {
    index = cast.getIn();
    isUnsigned = true;
  }
  return index == arg ? codebook : arith::ConstantOp();
}

/// `codebook[index]` as a linalg.generic: one integer constant input of the
/// result's shape, identity maps, parallel loops, and a body that yields
/// tensor.extract %codebook[index_cast(%in)] from a 1-D f32 constant.
static bool matchCodebookGather(linalg::GenericOp op, WeightUse &use) {
  if (!isElementwiseForm(op, 1))
    return false;
  arith::ConstantOp indices = matchIntegerOperand(op, 0);
  if (!indices)
    return false;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  arith::ConstantOp codebook = matchCodebookLookup(
      yield.getValues()[0], body.getArgument(0), use.unsignedIndex);
  if (!codebook)
    return false;
  use.form = WeightForm::CodebookGather;
  use.constant = indices;
  use.gather = op;
  use.codebook = codebook;
  return true;
}

static bool isZeroConstant(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValue().isZero() && !f.getValue().isNegative();
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return i.getValue().isZero();
  return false;
}

/// The trainable forms (Forms.h): `select(mask != 0, w, 0.0)` and
/// `select(mask != 0, codebook[index], 0.0)` over an i8 mask constant (input
/// 0) and the weight values or indices (input 1).
static bool matchTrainableForm(linalg::GenericOp op, WeightUse &use) {
  if (!isElementwiseForm(op, 2))
    return false;
  arith::ConstantOp mask = matchIntegerOperand(op, 0);
  if (!mask ||
      !cast<RankedTensorType>(mask.getType()).getElementType().isInteger(8))
    return false;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto select = yield.getValues()[0].getDefiningOp<arith::SelectOp>();
  if (!select || !isZeroConstant(select.getFalseValue()))
    return false;
  auto cmp = select.getCondition().getDefiningOp<arith::CmpIOp>();
  Value maskArg = body.getArgument(0), valueArg = body.getArgument(1);
  if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::ne ||
      !((cmp.getLhs() == maskArg && isZeroConstant(cmp.getRhs())) ||
        (cmp.getRhs() == maskArg && isZeroConstant(cmp.getLhs()))))
    return false;
  if (select.getTrueValue() == valueArg) {
    arith::ConstantOp w =
        matchTensorConstant(op.getDpsInputs()[1], /*wantFloat=*/true);
    if (!w || w.getType() != op->getResultTypes()[0])
      return false;
    use.form = WeightForm::Pruned;
    use.constant = w;
  } else {
    arith::ConstantOp index = matchIntegerOperand(op, 1);
    arith::ConstantOp codebook =
        index ? matchCodebookLookup(select.getTrueValue(), valueArg,
                                    use.unsignedIndex)
              : arith::ConstantOp();
    if (!codebook)
      return false;
    use.form = WeightForm::Quantized;
    use.constant = index;
    use.codebook = codebook;
  }
  use.gather = op;
  use.mask = mask;
  return true;
}

/// Follows the views front ends put between a weight and its consumer
/// (WeightViews.h) to an f32 constant or a codebook gather.
static bool traceToWeight(Value value, WeightUse &use) {
  value = traceViews(value);
  Operation *def = value.getDefiningOp();
  if (isa_and_nonnull<arith::ConstantOp>(def)) {
    use.constant = matchTensorConstant(value, /*wantFloat=*/true);
    return bool(use.constant);
  }
  auto op = dyn_cast_or_null<linalg::GenericOp>(def);
  return op && (matchCodebookGather(op, use) || matchTrainableForm(op, use));
}

static std::optional<std::string> findName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::optional<std::string> name = findName(inner))
        return name;
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return findName(callSite.getCallee());
  return std::nullopt;
}

/// A layer name from a weight blob key such as "fc1.weight" or
/// "fc1_weight" (front ends name parameters that way); none otherwise.
static std::optional<std::string> nameFromBlobKey(arith::ConstantOp constant) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
  if (!resource)
    return std::nullopt;
  StringRef key = resource.getRawHandle().getKey();
  for (StringRef suffix : {".weight", "_weight"})
    if (key.size() > suffix.size() && key.ends_with(suffix))
      return key.drop_back(suffix.size()).str();
  return std::nullopt;
}

SmallVector<WeightUse> mlir::dc::findWeights(ModuleOp module) {
  SmallVector<WeightUse> uses;
  llvm::DenseSet<Operation *> seen;
  llvm::StringSet<> names;
  module.walk([&](linalg::LinalgOp op) {
    bool isConv = linalg::isaConvolutionOpInterface(op);
    if (!isConv && !linalg::isaContractionOpInterface(op))
      return;
    for (Value input : op.getDpsInputs()) {
      WeightUse use;
      if (!traceToWeight(input, use))
        continue;
      Operation *root =
          use.gather ? use.gather.getOperation() : use.constant.getOperation();
      if (!seen.insert(root).second)
        continue;
      arith::ConstantOp constant = use.constant;
      use.consumer = op;
      use.kind = isConv ? LayerKind::Convolution : LayerKind::FullyConnected;
      std::optional<std::string> found;
      if (auto layer = constant->getAttrOfType<StringAttr>(kLayerAttrName))
        found = layer.str();
      if (!found)
        found = findName(op->getLoc());
      if (!found)
        found = findName(root->getLoc());
      if (!found)
        found = nameFromBlobKey(constant);
      std::string name = found.value_or("layer" + std::to_string(uses.size()));
      // Keep names unique (and deterministic) for reports and blob keys.
      std::string unique = name;
      for (unsigned i = 1; !names.insert(unique).second; ++i)
        unique = name + "_" + std::to_string(i);
      use.name = unique;
      llvm::raw_string_ostream os(use.location);
      op->getLoc().print(os);
      uses.push_back(std::move(use));
    }
  });
  return uses;
}

/// Whether `value` is computed from constants only, with weight data among
/// them (a non-splat tensor constant); `memo` caches the answer per value.
static bool fromConstantsOnly(Value value, llvm::DenseMap<Value, int> &memo,
                              bool &weightData) {
  auto it = memo.find(value);
  if (it != memo.end()) {
    weightData |= it->second == 2;
    return it->second != 0;
  }
  memo[value] = 0; // cycles (none in SSA form) and block arguments: no
  Operation *def = value.getDefiningOp();
  if (!def)
    return false;
  bool data = false, ok = true;
  if (auto c = dyn_cast<arith::ConstantOp>(def)) {
    auto elements = dyn_cast<ElementsAttr>(c.getValue());
    data = elements && !(isa<DenseElementsAttr>(elements) &&
                         cast<DenseElementsAttr>(elements).isSplat());
  } else if (!isa<ConstantOp>(def)) {
    for (Value operand : def->getOperands())
      ok = ok && fromConstantsOnly(operand, memo, data);
    // Values a region captures from outside count as operands too.
    def->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (ok && !def->isAncestor(operand.getParentRegion()->getParentOp()))
          ok = fromConstantsOnly(operand, memo, data);
    });
  }
  memo[value] = ok ? (data ? 2 : 1) : 0;
  weightData |= ok && data;
  return ok;
}

SmallVector<LeftWeight> mlir::dc::findLeftWeights(ModuleOp module,
                                                  StringRef notEncodedReason) {
  SmallVector<LeftWeight> left;
  llvm::DenseMap<Value, int> memo;
  module.walk([&](linalg::LinalgOp op) {
    if (!linalg::isaConvolutionOpInterface(op) &&
        !linalg::isaContractionOpInterface(op))
      return;
    for (OpOperand *input : op.getDpsInputOperands()) {
      Value root = traceViews(input->get());
      if (isa_and_nonnull<DecompressOp>(root.getDefiningOp()))
        continue;
      bool data = false;
      if (!fromConstantsOnly(root, memo, data) || !data)
        continue;
      LeftWeight l;
      l.op = op;
      l.consumer = op->getName().getStringRef().str();
      llvm::raw_string_ostream loc(l.location);
      op->getLoc().print(loc);
      l.operand = input->getOperandNumber();
      llvm::raw_string_ostream type(l.type);
      input->get().getType().print(type);
      WeightUse use;
      auto rootType = cast<ShapedType>(root.getType());
      if (traceToWeight(root, use))
        l.reason = notEncodedReason.str();
      else if (isa<arith::ConstantOp>(root.getDefiningOp()) &&
               !rootType.getElementType().isF32()) {
        llvm::raw_string_ostream why(l.reason);
        why << "its element type is " << rootType.getElementType()
            << " (dc compresses f32 weights)";
      } else {
        l.reason = "it is computed by " +
                   root.getDefiningOp()->getName().getStringRef().str() +
                   ", which is not a view dc follows to a weight "
                   "(transposes, broadcasts, copies, casts, reshapes)";
      }
      left.push_back(std::move(l));
    }
  });
  return left;
}

//===----------------------------------------------------------------------===//
// Weight data
//===----------------------------------------------------------------------===//

FailureOr<ArrayRef<float>>
mlir::dc::getWeightValues(arith::ConstantOp op, std::vector<float> &storage) {
  auto type = cast<RankedTensorType>(op.getType());
  size_t n = type.getNumElements();
  ArrayRef<char> raw;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(op.getValue())) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return op.emitError()
             << "weight blob '" << resource.getRawHandle().getKey()
             << "' is not loaded (was it elided?)";
    raw = blob->getData();
  } else if (auto dense = dyn_cast<DenseElementsAttr>(op.getValue())) {
    if (dense.isSplat()) {
      storage.assign(n, dense.getSplatValue<float>());
      return ArrayRef<float>(storage);
    }
    raw = dense.getRawData();
  } else {
    return op.emitError() << "unsupported weight attribute";
  }
  if (raw.size() != n * sizeof(float))
    return op.emitError() << "weight data holds " << raw.size()
                          << " bytes, expected " << n * sizeof(float);
  if (reinterpret_cast<uintptr_t>(raw.data()) % alignof(float) == 0)
    return ArrayRef<float>(reinterpret_cast<const float *>(raw.data()), n);
  storage.resize(n);
  std::memcpy(storage.data(), raw.data(), raw.size());
  return ArrayRef<float>(storage);
}
