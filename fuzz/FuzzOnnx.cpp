//===- FuzzOnnx.cpp - libFuzzer target for the ONNX importer --------------===//
//
// Arbitrary bytes as an ONNX model through importOnnxBuffer
// (include/dc/Import/OnnxImport.h): libonnx's parser, checker, version
// converter and shape inference (their exceptions caught in the
// exceptions-enabled part), then the MLIR builder. Either an error string
// or a module that verifies and prints; never a crash, a hang or a leak.
//
//===----------------------------------------------------------------------===//

#include "dc/Import/OnnxImport.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::DialectRegistry registry;
  mlir::dc::registerOnnxImportDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  // Diagnostics (an internal verifier error) are not crashes.
  mlir::ScopedDiagnosticHandler quiet(&context,
                                      [](mlir::Diagnostic &) {
                                        return mlir::success();
                                      });
  std::string error;
  auto module = mlir::dc::importOnnxBuffer(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx",
      context, error);
  if (failed(module)) {
    if (error.empty()) {
      std::fprintf(stderr, "dc-fuzz-onnx: a failure without a message\n");
      std::abort();
    }
    return 0;
  }
  if (failed(mlir::verify(**module))) {
    std::fprintf(stderr, "dc-fuzz-onnx: an imported module does not verify\n");
    std::abort();
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  (*module)->print(os);
  return 0;
}
