//===- Pipelines.h - dc pass pipelines --------------------------*- C++ -*-===//
//
// Pipelines as library functions (like the upstream sparsifier), registered
// with the pass registry for dc-opt and the mlir-opt plugin.
//
//===----------------------------------------------------------------------===//

#ifndef DC_PIPELINES_PIPELINES_H
#define DC_PIPELINES_PIPELINES_H

#include "dc/Conversion/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::dc {

/// Options of dc-lower-to-llvm.
struct LowerToLLVMOptions : public PassPipelineOptions<LowerToLLVMOptions> {
  PassOptions::Option<int32_t> vectorLength{
      *this, "vl",
      llvm::cl::desc("Vector length of the sparse loops (0 = scalar)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> reassociateFPReductions{
      *this, "reassociate-fp-reductions",
      llvm::cl::desc("Allow reassociating floating-point reductions "
                     "(needed to vectorise them)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> enableX86Vector{
      *this, "enable-x86vector", llvm::cl::desc("Use x86 vector intrinsics"),
      llvm::cl::init(false)};
  PassOptions::Option<DecodeAt> decodeAt{
      *this, "decode-at", llvm::cl::desc("Where payloads are decoded"),
      llvm::cl::init(DecodeAt::Init),
      llvm::cl::values(
          clEnumValN(DecodeAt::Init, "init",
                     "by the generated @dc_init, which calls the run-time "
                     "decoder (libdc_runtime); the module embeds the stored "
                     "payload (the default)"),
          clEnumValN(DecodeAt::Compile, "compile",
                     "at compile time: the module embeds the run-time "
                     "layout"))};
  PassOptions::Option<std::string> entry{
      *this, "entry",
      llvm::cl::desc("The model's entry functions, comma-separated: their "
                     "results become out-params and their allocations one "
                     "caller-provided workspace (dc-workspace); empty = "
                     "leave allocations"),
      llvm::cl::init("forward")};
  PassOptions::Option<bool> hostBlas{
      *this, "host-blas",
      llvm::cl::desc("Host step libraries only (dc-train): fold transposes "
                     "into contractions (dc-fold-transposes) and call the "
                     "host BLAS for f32 contractions "
                     "(convert-linalg-to-blas); the result links OpenBLAS"),
      llvm::cl::init(false)};
  PassOptions::Option<unsigned> denseVectorBits{
      *this, "dense-vector-bits",
      llvm::cl::desc("Vector register width in bits for the dense linalg "
                     "ops (dc-relayout-constants, dc-vectorize): 512 for "
                     "AVX-512, 256 for AVX2, 128 for SSE and NEON; 0 = "
                     "scalar loops (convert-linalg-to-loops) as upstream"),
      llvm::cl::init(0)};
  PassOptions::Option<FcKernel> fcKernel{
      *this, "fc-kernel",
      llvm::cl::desc("How 2-D CSR fully connected layers are computed "
                     "(convert-dc-to-sparse-tensor; default: sparsifier)"),
      llvm::cl::init(FcKernel::Sparsifier), fcKernelValues()};
  PassOptions::Option<ConvKernel> convKernel{
      *this, "conv-kernel",
      llvm::cl::desc("How pruned convolutions are computed "
                     "(convert-dc-to-sparse-tensor; default: sparsifier)"),
      llvm::cl::init(ConvKernel::Sparsifier), convKernelValues()};
  PassOptions::Option<bool> avx512Permute{
      *this, "avx512-permute",
      llvm::cl::desc("x86 with AVX-512 only: the gather fc kernel looks the "
                     "codebook up with vpermps / vpermi2ps"),
      llvm::cl::init(false)};
  PassOptions::Option<unsigned> vectorRegisters{
      *this, "vector-registers",
      llvm::cl::desc("Vector registers of the target (32 on AVX-512 and "
                     "NEON, 16 on AVX2 and SSE): bounds dc-vectorize's "
                     "register tile"),
      llvm::cl::init(16)};
  PassOptions::Option<bool> enableArmNeon{
      *this, "enable-arm-neon", llvm::cl::desc("Use Arm NEON intrinsics"),
      llvm::cl::init(false)};
};

/// Compressed model IR (dc + linalg on tensors) to the LLVM dialect:
/// convert-dc-to-sparse-tensor, then the upstream sparsifier without its
/// run-time library.
void buildLowerToLLVMPipeline(OpPassManager &pm,
                              const LowerToLLVMOptions &options);

/// TOSA to the linalg-on-tensors dc compresses (dc-tosa-to-linalg):
/// upstream's mlir::tosa::addTosaToLinalgPasses (tosa-to-linalg-named,
/// tosa-to-linalg and their cleanups), then tosa-to-tensor (reshapes,
/// slices, pads), tosa-to-arith (constants) and a canonicalization that
/// drops the dead tosa.const_shape operands.
void buildTosaToLinalgPipeline(OpPassManager &pm);

/// Registers dc-lower-to-llvm and dc-tosa-to-linalg.
void registerDCPipelines();

} // namespace mlir::dc

#endif // DC_PIPELINES_PIPELINES_H
