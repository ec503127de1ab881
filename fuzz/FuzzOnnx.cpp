//===- FuzzOnnx.cpp - libFuzzer target for the ONNX importer --------------===//
//
// Arbitrary bytes as an ONNX model through importOnnxBuffer
// (include/dc/Import/Onnx/OnnxImport.h): libonnx's parser, checker, version
// converter and shape inference (their exceptions caught in the
// exceptions-enabled part), then the MLIR builder. Either an error string
// or a module that verifies and prints; never a crash, a hang or a leak.
//
// One registry and context serve kInputsPerContext inputs (building a
// context and loading its dialects cost more than importing most inputs;
// docs/Testing.md has the figures), then the context is rebuilt, so that
// what it interns (types, attributes, identifiers, locations) stays bounded.
// The module of an input is destroyed before the next. A crash reproduces
// from its input alone unless it depends on what earlier inputs interned
// (then run the corpus with -runs). libFuzzer's per-input leak check would
// take the context's interning for leaks: it is off by default here
// (FuzzFlags.h; -detect_leaks=1 turns it on), and LeakSanitizer checks the
// whole run at exit, after the context is gone.
//
//===----------------------------------------------------------------------===//

#include "FuzzFlags.h"

#include "dc/Import/Onnx/OnnxImport.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {

constexpr unsigned kInputsPerContext = 1000;

/// The context for the next input: the same one kInputsPerContext times.
mlir::MLIRContext &contextForInput() {
  static mlir::DialectRegistry registry;
  static bool registered =
      (mlir::dc::registerOnnxImportDialects(registry), true);
  (void)registered;
  return recycledContext(registry, kInputsPerContext,
                         [](mlir::MLIRContext &context) {
                           context.printOpOnDiagnostic(false);
                           // Diagnostics (an internal verifier error) are
                           // not crashes.
                           context.getDiagEngine().registerHandler(
                               [](mlir::Diagnostic &) {
                                 return mlir::success();
                               });
                         });
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  prependFuzzerFlags(argc, argv, {"-detect_leaks=0"});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &context = contextForInput();
  bool reported = false;
  mlir::ScopedDiagnosticHandler seen(&context, [&](mlir::Diagnostic &) {
    reported = true;
    return mlir::success();
  });
  auto module = mlir::dc::importOnnxBuffer(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx",
      context);
  if (failed(module)) {
    if (!reported) {
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
