//===- RuntimeLayout.cpp - Choosing a weight's run-time layout ------------===//
//
// chooseRuntimeLayout: which #dc.runtime a dc.decompress gets, from how its
// result is read (dc/Dialect/DC/Analysis/WeightViews.h), the options and,
// for fully connected layers under fc-kernel=auto, a cost model; and
// runtimeArrayTypes, the arrays a layout needs (shared by the compile-time
// decoder, the workspace slots and @dc_init's calls).
//
//===----------------------------------------------------------------------===//

#include "FcKernel.h"
#include "Patterns.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::dc;

AffineMap mlir::dc::weightMap(const ViewedRead &read) {
  linalg::LinalgOp reader = read.op;
  return read.indexMap.compose(reader.getIndexingMapsArray()[read.operand]);
}

namespace {

/// Why the reads of a weight cannot take a run-time form that keeps its
/// shape (any linalg input reached through views with index maps), or "".
std::string readBlocker(Value weight, SmallVectorImpl<ViewedRead> &reads) {
  Operation *blocker = nullptr;
  if (failed(collectViewedReads(weight, reads, &blocker)))
    return blocker ? "it is used by " + blocker->getName().getStringRef().str() +
                         ", not only by linalg inputs"
                   : "it is not used";
  for (ViewedRead &read : reads)
    if (!read.indexMap)
      for (const View &v : read.views)
        if (!v.indexMap)
          return "it is read through " + v.op->getName().getStringRef().str() +
                 " (a reshape)";
  return "";
}

/// Why the reads of a sparse weight cannot use the csr form, or "": on top
/// of readBlocker's rules, contractions and convolutions only, reading the
/// weight through projected permutations.
std::string sparsePathBlocker(Value weight,
                              SmallVectorImpl<ViewedRead> &reads) {
  if (std::string why = readBlocker(weight, reads); !why.empty())
    return why;
  for (ViewedRead &read : reads) {
    if (!linalg::isaContractionOpInterface(read.op) &&
        !linalg::isaConvolutionOpInterface(read.op))
      return "it is read by " + read.op->getName().getStringRef().str() +
             ", not a contraction or convolution";
    if (!weightMap(read).isProjectedPermutation())
      return "its indexing map in " +
             read.op->getName().getStringRef().str() +
             " is not a projected permutation";
  }
  return "";
}

/// Whether every read is a fully connected layer reading the weight as
/// W[out, in] (matchFc).
bool allFc(ArrayRef<ViewedRead> reads) {
  return !reads.empty() && llvm::all_of(reads, [](const ViewedRead &read) {
    return matchFc(read.op, read.operand, weightMap(read)).has_value();
  });
}

/// Whether every read is a stride-1 NCHW convolution reading the weight as
/// W[f, c, kh, kw] (matchConv).
bool allConv(ArrayRef<ViewedRead> reads) {
  return !reads.empty() && llvm::all_of(reads, [](const ViewedRead &read) {
    return matchConv(read.op, read.operand, weightMap(read)).has_value();
  });
}

/// The largest batch of the fully connected reads (1 without a batch loop).
int64_t fcBatch(ArrayRef<ViewedRead> reads) {
  int64_t batch = 1;
  for (const ViewedRead &read : reads)
    if (std::optional<FcShape> shape =
            matchFc(read.op, read.operand, weightMap(read)))
      batch = std::max(batch, shape->batch);
  return batch;
}

/// The cost model that picks a fully connected layer's run-time form and
/// kernel (fc-kernel=auto): predicted time = max(compute, memory traffic)
/// for the row kernel (Rows, or Gather where allowed) on the run-time CSR
/// (3 bytes a kept weight + 4 a row) and for the dense-quantized grid
/// (Indices, 1 byte a weight). The constants are measured with
/// bench/sparse-layer.sh on the development machine (AMD Zen 4,
/// docs/Performance.md): ns per kept weight (or, for the grid, per weight)
/// and input; the scalar row loop is slower once x leaves L1 (32 KB); the
/// bandwidth is the measured DRAM read bandwidth. A run-time form that fits
/// in L2 is not charged for memory.
FcKernel chooseFcForm(int64_t rows, int64_t cols, int64_t kept, int64_t batch,
                      bool gatherAllowed) {
  // The gather kernel pays once x is more than a few KB (LeNet's ip1, x =
  // 3 KB: 12.5 us against the scalar loop's 10; AlexNet's fc7, 16 KB: 607
  // against 690 us).
  constexpr double kRowsL1Ns = 0.46, kRowsNs = 0.7, kGatherNs = 0.44;
  constexpr double kRowsBatchNs = 0.085; // batch > 1, per entry and input
  constexpr double kGridNs = 0.045;      // per weight and input
  constexpr double kBytesPerNs = 18.0;   // GB/s
  constexpr double kL2 = 1 << 20, kL1 = 32 << 10;
  double rowsNs = 4.0 * cols <= kL1 ? kRowsL1Ns : kRowsNs;
  bool gather = batch == 1 && gatherAllowed && 4.0 * cols > 8 * 1024;
  double sparseBytes = 3.0 * kept + 4.0 * rows;
  double gridBytes = double(rows) * cols;
  double sparse = batch == 1 ? kept * (gather ? kGatherNs : rowsNs)
                             : kept * kRowsBatchNs * batch;
  double dense = double(rows) * cols * kGridNs * batch;
  if (sparseBytes > kL2)
    sparse = std::max(sparse, sparseBytes / kBytesPerNs);
  if (gridBytes > kL2)
    dense = std::max(dense, gridBytes / kBytesPerNs);
  if (dense < sparse)
    return FcKernel::Indices;
  return gather ? FcKernel::Gather : FcKernel::Rows;
}

/// The csr layout of a sparse weight: the levels are dense up to the
/// compressed one, the last dimension of size > 1 (at least dimension 1);
/// past 2-D each stored row [d1 ... dn] becomes d1 ... d(c-1) run-time
/// lines of dc ... dn positions (a conv filter [F, C, KH, KW]: lines of KW),
/// except for dc's convolution kernel, which reads the stored rows.
RuntimeLayoutAttr csrLayout(ConstantOp constant, RuntimeKernel kernel) {
  CompressedTensorType type = constant.getType();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = type.getRank();
  bool csc = type.getEncoding().getLayout() == Layout::CSC;
  int64_t level = rank - 1;
  while (level > 1 && shape[level] == 1)
    --level;
  int64_t sub = 1;
  for (int64_t d = level; d < rank; ++d)
    sub *= shape[d];
  int64_t lines = 1;
  for (int64_t d = 0; d < level; ++d)
    lines *= shape[d];
  if (csc)
    lines = shape[1];
  int64_t storedLength = csc ? shape[0] : type.getNumElements() / shape[0];
  int64_t lineLength = rank > 2 && sub != storedLength ? sub : 0;
  int64_t minor = csc ? shape[0] : shape[level];
  if (kernel == RuntimeKernel::ConvRows) {
    lines = shape[0];
    lineLength = 0;
    minor = storedLength;
  }
  unsigned crdBytes = minor <= (1 << 16) ? 2 : 4;
  unsigned idxBytes = constant.getCodebook().size() <= 256 ? 1 : 2;
  return RuntimeLayoutAttr::get(constant.getContext(), RuntimeForm::CSR,
                                kernel, lines, lineLength, crdBytes, idxBytes,
                                /*transposed=*/false, /*prunedEntry=*/false);
}

/// The grid layout: one index per position (`pruned`: index k = 0.0).
RuntimeLayoutAttr gridLayout(ConstantOp constant, RuntimeKernel kernel,
                             bool pruned, bool transposed) {
  size_t k = constant.getCodebook().size() + (pruned ? 1 : 0);
  return RuntimeLayoutAttr::get(constant.getContext(), RuntimeForm::Grid,
                                kernel, 0, 0, 0, k <= 256 ? 1 : 2, transposed,
                                pruned);
}

} // namespace

FailureOr<RuntimeLayoutAttr>
mlir::dc::chooseRuntimeLayout(DecompressOp op,
                              const RuntimeLayoutOptions &options,
                              std::string &why) {
  why.clear();
  auto constant = op.getInput().getDefiningOp<ConstantOp>();
  if (!constant)
    return op.emitOpError()
           << "can only be lowered when its operand is a dc.constant";
  CompressedTensorType type = constant.getType();
  bool sparse = type.getEncoding().isSparse();
  bool csc = type.getEncoding().getLayout() == Layout::CSC;
  int64_t rank = type.getRank();
  bool smallCodebook = constant.getCodebook().size() < 65536;
  ConvKernel conv = options.convKernel == ConvKernel::Auto
                        ? ConvKernel::Rows
                        : options.convKernel;
  FcKernel fc = options.fcKernel;
  Value weight = op.getResult();
  SmallVector<ViewedRead> reads;

  // A pruned convolution filter as the dense-quantized grid (the pruned
  // positions a zero codebook entry): the dense vector loops compute it,
  // looking each broadcast filter weight up once. (conv-kernel=rows takes
  // the grid for what its kernel does not cover: strides, dilations, NHWC,
  // groups.)
  if (sparse && rank > 2 && conv != ConvKernel::Sparsifier && smallCodebook &&
      readBlocker(weight, reads).empty() &&
      (conv != ConvKernel::Rows || rank != 4 || csc || !allConv(reads)))
    return gridLayout(constant,
                      conv == ConvKernel::Decode ? RuntimeKernel::DecodePerCall
                                                 : RuntimeKernel::DenseLoops,
                      /*pruned=*/true, /*transposed=*/false);
  reads.clear();

  // A 2-D sparse weight of fully connected layers: the grid, stored
  // [in, out], where the cost model says so.
  FcKernel autoKernel = FcKernel::Rows;
  if (sparse && rank == 2 &&
      (fc == FcKernel::Indices || fc == FcKernel::Auto) && smallCodebook &&
      readBlocker(weight, reads).empty() && allFc(reads)) {
    autoKernel = fc == FcKernel::Indices
                     ? FcKernel::Indices
                     : chooseFcForm(type.getShape()[0], type.getShape()[1],
                                    constant.getNumWeights(), fcBatch(reads),
                                    options.vectorBits >= 512);
    if (autoKernel == FcKernel::Indices)
      return gridLayout(constant, RuntimeKernel::DenseLoops, /*pruned=*/true,
                        /*transposed=*/true);
  }
  reads.clear();

  // The dense layout keeps its codebook indices, looked up where read
  // (a fully connected layer's stored [in, out]); sparse layouts take the
  // csr form.
  why = !sparse        ? readBlocker(weight, reads)
        : rank < 2     ? "it has rank 1"
        : rank > 2 && csc
            ? "it has rank " + std::to_string(rank) +
                  " and the csc layout (past 2-D the sparse path takes csr)"
            : sparsePathBlocker(weight, reads);
  if (!why.empty())
    return RuntimeLayoutAttr::get(op.getContext(), RuntimeForm::Dense,
                                  RuntimeKernel::DenseLoops, 0, 0, 0, 0, false,
                                  false);
  if (!sparse)
    return gridLayout(constant, RuntimeKernel::DenseLoops, /*pruned=*/false,
                      /*transposed=*/rank == 2 && allFc(reads));
  if (conv == ConvKernel::Rows && rank == 4 && !csc && allConv(reads))
    return csrLayout(constant, RuntimeKernel::ConvRows);
  RuntimeKernel kernel = RuntimeKernel::Sparsifier;
  if (fc != FcKernel::Sparsifier && rank == 2 && !csc && allFc(reads))
    kernel = fc == FcKernel::Gather || (fc != FcKernel::Rows &&
                                        autoKernel == FcKernel::Gather)
                 ? RuntimeKernel::FcGather
                 : RuntimeKernel::FcRows;
  return csrLayout(constant, kernel);
}

FailureOr<RuntimeLayoutAttr>
mlir::dc::getOrChooseRuntimeLayout(DecompressOp op,
                                   const RuntimeLayoutOptions &options) {
  if (auto layout = op->getAttrOfType<RuntimeLayoutAttr>(
          DCDialect::kRuntimeLayoutAttrName))
    return layout;
  std::string why;
  FailureOr<RuntimeLayoutAttr> layout =
      chooseRuntimeLayout(op, options, why);
  if (failed(layout))
    return failure();
  if (!why.empty()) {
    auto constant = op.getInput().getDefiningOp<ConstantOp>();
    op.emitWarning() << "weight '" << constant.getLayer().value_or("layer")
                     << "' is decoded to dense f32 ("
                     << 4 * constant.getType().getNumElements()
                     << " bytes) instead of computed on compressed: " << why;
  }
  op->setAttr(DCDialect::kRuntimeLayoutAttrName, *layout);
  return layout;
}

int64_t RuntimeArrayType::bytes() const {
  int64_t n = bits / 8;
  for (int64_t d : shape)
    n *= d;
  return n;
}

SmallVector<RuntimeArrayType>
mlir::dc::runtimeArrayTypes(RuntimeLayoutAttr layout, ConstantOp constant) {
  CompressedTensorType type = constant.getType();
  SmallVector<int64_t> shape(type.getShape());
  switch (layout.getForm()) {
  case RuntimeForm::CSR: {
    int64_t nnz = constant.getNumWeights();
    return {{"_rt_pos", 32, {layout.getLines() + 1}},
            {"_rt_crd", 8 * layout.getCoordinateBytes(), {nnz}},
            {"_rt_idx", 8 * layout.getIndexBytes(), {nnz}}};
  }
  case RuntimeForm::Grid:
    if (layout.getTransposed() && shape.size() == 2)
      std::swap(shape[0], shape[1]);
    return {{"_rt_idx", 8 * layout.getIndexBytes(), shape}};
  case RuntimeForm::Dense:
    return {{"_dense", 32, shape, /*isFloat=*/true}};
  }
  llvm_unreachable("unknown run-time form");
}
