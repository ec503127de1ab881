//===- CompressionPass.h - What the compression passes share ----*- C++ -*-===//
//
// dc-prune, dc-quantize, dc-encode and dc-compress: their options are
// checked as soon as they are parsed (so a bad pipeline fails before any
// work) and collected into one CompressionOptions before each run (also
// when the pass was built from its options struct), with option errors
// reported at the module; then the pass runs its stage of the library
// (Compression.h).
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_DIALECT_DC_TRANSFORMS_COMPRESSIONPASS_H
#define DC_LIB_DIALECT_DC_TRANSFORMS_COMPRESSIONPASS_H

#include "dc/Dialect/DC/Transforms/Compression.h"

namespace mlir::dc {

/// `Derived` defines `LogicalResult collectOptions(OptionErrorFn)`, which
/// fills `config` from its options and checks them.
template <typename Derived, typename PassBase>
class CompressionPass : public PassBase {
public:
  using PassBase::PassBase;

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    return checkParsedOptions(
        self(), PassBase::initializeOptions(options, errorHandler),
        errorHandler);
  }

protected:
  /// Collects the options, then runs `stage` on the module; a failure of
  /// either fails the pass.
  void runStage(
      function_ref<LogicalResult(ModuleOp, const CompressionOptions &)> stage) {
    ModuleOp module = this->getOperation();
    if (failed(
            self().collectOptions([&](const Twine &message) -> LogicalResult {
              return module.emitError(message);
            })) ||
        failed(stage(module, config)))
      this->signalPassFailure();
  }

  CompressionOptions config;

private:
  Derived &self() { return static_cast<Derived &>(*this); }
};

} // namespace mlir::dc

#endif // DC_LIB_DIALECT_DC_TRANSFORMS_COMPRESSIONPASS_H
