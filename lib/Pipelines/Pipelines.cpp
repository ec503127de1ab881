//===- Pipelines.cpp - dc pass pipelines ----------------------------------===//
//
// dc-lower-to-llvm follows the upstream sparsifier pipeline
// (mlir/lib/Dialect/SparseTensor/Pipelines/SparseTensorPipelines.cpp) for
// CPUs, with one difference: no linalg elementwise fusion before
// sparsification. That fusion folds reshapes (e.g. the flatten between a
// conv stack and the first fc layer) into the sparse kernel, which turns the
// weight's coordinate into a compound index the sparsifier rejects.
//
//===----------------------------------------------------------------------===//

#include "dc/Pipelines/Pipelines.h"
#include "dc/Codegen/Passes.h"
#include "dc/Conversion/Passes.h"
#include "dc/Dialect/DC/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SparseTensor/Pipelines/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/SparseTensor/Transforms/Passes.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::dc;

void mlir::dc::buildLowerToLLVMPipeline(OpPassManager &pm,
                                        const LowerToLLVMOptions &options) {
  // Rank-0 dense_resource constants abort upstream's memref.global lowering.
  pm.addPass(createDCInlineScalarResources());
  ConvertDCToSparseTensorOptions convert;
  convert.decodeAt = options.decodeAt;
  convert.fcKernel = options.fcKernel;
  convert.avx512Permute = options.avx512Permute;
  convert.convKernel = options.convKernel;
  if (options.denseVectorBits > 0)
    convert.kernelVectorBits = options.denseVectorBits;
  pm.addPass(createConvertDCToSparseTensor(convert));

  sparse_tensor::SparsifierOptions sparsifier;
  sparsifier.enableRuntimeLibrary = false;
  sparsifier.vectorLength = options.vectorLength;
  sparsifier.reassociateFPReductions = options.reassociateFPReductions;
  sparsifier.x86Vector = options.enableX86Vector;
  sparsifier.armNeon = options.enableArmNeon;

  pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
  // Contractions read transposed weights through their maps: no per-call
  // transposed copy of a constant (front ends transpose nn.Linear's
  // weight), and the weight's rows are read contiguously.
  if (options.hostBlas)
    pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createDCFoldTransposes());
  // Dense constants are permuted once, here, into the order the vector
  // loops read them (x * W^T reads W^T rows).
  bool vectorize = options.denseVectorBits > 0 && !options.hostBlas;
  if (vectorize)
    pm.addNestedPass<func::FuncOp>(createDCRelayoutConstants());
  // Copies that bufferization inserts (a tensor.pad writes its source into
  // a subview of the padded buffer) become linalg.copy, which lowers to
  // loops: memref.copy of a strided view would call the runner utilities'
  // memrefCopy, which dc-compile's self-contained libraries do not have.
  bufferization::OneShotBufferizationOptions bufferization =
      getBufferizationOptionsForSparsification(/*analysisOnly=*/false);
  bufferization.memCpyFn = [](OpBuilder &b, Location loc, Value from,
                              Value to) {
    linalg::CopyOp::create(b, loc, from, to);
    return success();
  };
  pm.addPass(createSparsificationAndBufferizationPass(
      bufferization, sparsifier.sparsificationOptions(),
      sparsifier.createSparseDeallocs, sparsifier.enableRuntimeLibrary,
      sparsifier.enableBufferInitialization, sparsifier.vectorLength,
      /*enableVLAVectorization=*/false,
      /*enableSIMDIndex32=*/sparsifier.force32BitVectorIndices,
      /*enableGPULibgen=*/false,
      sparsifier.sparsificationOptions().sparseEmitStrategy,
      sparsifier.sparsificationOptions().parallelizationStrategy));
  // Results become caller-provided out-params and the remaining static
  // allocations one caller-provided workspace: @forward calls no malloc.
  // (Upstream's pass crashes on a buffer returned twice: each gets its own.)
  pm.addNestedPass<func::FuncOp>(createDCCopyRepeatedResults());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  if (!options.entry.empty()) {
    DCWorkspaceOptions workspace;
    for (StringRef entry : llvm::split(options.entry, ','))
      workspace.entries.push_back(entry.trim().str());
    pm.addPass(createDCWorkspace(workspace));
  }
  if (options.hostBlas)
    pm.addPass(createConvertLinalgToBlas());
  pm.addPass(createStorageSpecifierToLLVMPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());

  if (vectorize) {
    DCVectorizeOptions vectorizeOptions;
    vectorizeOptions.vectorBits = options.denseVectorBits;
    vectorizeOptions.registers = options.vectorRegisters;
    vectorizeOptions.avx512Permute = options.avx512Permute;
    pm.addNestedPass<func::FuncOp>(createDCVectorize(vectorizeOptions));
    pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
    pm.addNestedPass<func::FuncOp>(createCSEPass());
  }
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass());
  pm.addNestedPass<func::FuncOp>(memref::createExpandReallocPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addNestedPass<func::FuncOp>(createSCFToControlFlowPass());
  pm.addNestedPass<func::FuncOp>(createDCMathApproximation());
  pm.addPass(
      createConvertVectorToLLVMPass(sparsifier.convertVectorToLLVMOptions()));
  pm.addNestedPass<func::FuncOp>(createConvertComplexToStandardPass());
  pm.addNestedPass<func::FuncOp>(arith::createArithExpandOpsPass());
  pm.addNestedPass<func::FuncOp>(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertComplexToLibm());
  pm.addPass(
      createConvertVectorToLLVMPass(sparsifier.convertVectorToLLVMOptions()));
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::dc::buildTosaToLinalgPipeline(OpPassManager &pm) {
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions(),
                              TosaToLinalgNamedOptions());
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::dc::registerDCPipelines() {
  PassPipelineRegistration<>(
      "dc-tosa-to-linalg",
      "TOSA to linalg on tensors for dc: tosa-to-linalg-named, "
      "tosa-to-linalg (upstream's addTosaToLinalgPasses), tosa-to-tensor, "
      "tosa-to-arith, canonicalize",
      buildTosaToLinalgPipeline);
  PassPipelineRegistration<LowerToLLVMOptions>(
      "dc-lower-to-llvm",
      "Lower compressed model IR to the LLVM dialect: "
      "convert-dc-to-sparse-tensor, then the sparsifier's CPU pipeline "
      "without its runtime library",
      buildLowerToLLVMPipeline);
}
