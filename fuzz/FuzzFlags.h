//===- FuzzFlags.h - Default libFuzzer flags of a fuzzer ------------------===//
//
// For fuzzers that keep state across inputs (an MLIRContext reused by
// dc-fuzz-onnx and dc-fuzz-pipeline): such state grows during some inputs,
// which libFuzzer's per-input leak check (-detect_leaks=1, its default)
// takes for a possible leak: it runs the input again and then scans the
// whole heap with LeakSanitizer, up to 1000 times before it gives up and
// turns the check off. Those scans cost more than the fuzzing itself (the
// ONNX importer: 5,000 inputs in 12 s instead of 1 s). prependFuzzerFlags puts
// defaults such as -detect_leaks=0 before the command line's flags, from
// LLVMFuzzerInitialize (which runs before libFuzzer parses them, and may
// change them), so a flag given on the command line still wins.
// LeakSanitizer still checks the whole run when the fuzzer exits.
// recycledContext is that reused context.
//
//===----------------------------------------------------------------------===//

#ifndef DC_FUZZ_FUZZFLAGS_H
#define DC_FUZZ_FUZZFLAGS_H

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <initializer_list>
#include <memory>
#include <vector>

// Global (not in namespace dc): the MLIR fuzzers use namespace mlir, whose
// mlir::dc it would make ambiguous.

/// Inserts `flags` after argv[0]; argv stays valid for the whole run.
inline void prependFuzzerFlags(int *argc, char ***argv,
                               std::initializer_list<const char *> flags) {
  static std::vector<char *> args;
  args.assign(*argv, *argv + 1);
  for (const char *f : flags)
    args.push_back(const_cast<char *>(f));
  args.insert(args.end(), *argv + 1, *argv + *argc);
  args.push_back(nullptr);
  *argc = int(args.size() - 1);
  *argv = args.data();
}

/// The context for the next input: one context for `every` inputs, then a
/// fresh one (the old one destroyed first: at most one alive), so that what
/// a context interns stays bounded. `setUp` runs on each new context.
inline mlir::MLIRContext &
recycledContext(const mlir::DialectRegistry &registry, unsigned every,
                llvm::function_ref<void(mlir::MLIRContext &)> setUp = {}) {
  static std::unique_ptr<mlir::MLIRContext> context;
  static unsigned inputs = 0;
  if (!context || inputs == every) {
    context.reset();
    context = std::make_unique<mlir::MLIRContext>(
        registry, mlir::MLIRContext::Threading::DISABLED);
    if (setUp)
      setUp(*context);
    inputs = 0;
  }
  ++inputs;
  return *context;
}

#endif // DC_FUZZ_FUZZFLAGS_H
