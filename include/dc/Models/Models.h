//===- Models.h - Built-in synthetic models ---------------------*- C++ -*-===//
//
// Deterministic synthetic models in torch-mlir's linalg-on-tensors shape
// (func @forward, dense_resource weights, transpose + fill + matmul + bias
// generic for nn.Linear, conv_2d_nchw_fchw on a linalg.broadcast bias), with
// the layer sizes of the networks of the Deep Compression paper. Weights are
// Gaussian (He initialisation) from a seeded, platform-independent PRNG.
// Used by the demo, the tests and the benchmarks (no large files in git).
//
//===----------------------------------------------------------------------===//

#ifndef DC_MODELS_MODELS_H
#define DC_MODELS_MODELS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::dc {

struct ModelInfo {
  StringRef name;
  StringRef description;
};

/// The built-in models: mlp (LeNet-300-100), lenet5, alexnet, vgg16, fc6
/// (AlexNet's fc6 alone, for kernel benchmarks) and tiny (an 8-16-4 MLP for
/// tests). alexnet and vgg16 are weight sets: one function
/// per layer with that layer's weights (the paper's per-layer sizes), not
/// full networks.
ArrayRef<ModelInfo> getModels();

/// The shape a front end prints the model in.
enum class FrontEnd {
  /// torch-mlir's FX importer: dense_resource weights named after the
  /// parameters, linalg.transpose, max for ReLU.
  FX,
  /// TorchScript-era torch-mlir (torch_mlir.compile to linalg-on-tensors):
  /// unnamed inline dense<> weights, transposes as a linalg.generic with the
  /// permutation on the output map, bias adds reading [1, C] through
  /// (0, d1), ReLU as cmpf ugt + select.
  TorchScript,
  /// TOSA as torch-mlir's TOSA path emits an MLP: tosa.const weights,
  /// tosa.transpose, tosa.reshape to rank 3 around tosa.matmul, tosa.add,
  /// tosa.clamp for ReLU (mlp and tiny only). dc-tosa-to-linalg lowers it.
  TOSA,
};

/// Builds model `name`; for an unknown name (or one the front end cannot
/// build) emits an error diagnostic (unknown location) and fails.
FailureOr<OwningOpRef<ModuleOp>> buildModel(MLIRContext *context,
                                            StringRef name, uint64_t seed,
                                            FrontEnd frontEnd = FrontEnd::FX);

/// Adds `func.func @main()` that calls @forward on a fixed input (element i
/// is sin(i + 1)) and prints the result with printMemrefF32, for running a
/// model with mlir-runner. Fails, with an error diagnostic at the module,
/// if the module has no single-input @forward.
LogicalResult addRunnerMain(ModuleOp module);

/// Registers the dialects the models use.
void registerModelDialects(DialectRegistry &registry);

} // namespace mlir::dc

#endif // DC_MODELS_MODELS_H
