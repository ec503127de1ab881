//===- CompressionOptions.h - Options and per-layer policy ------*- C++ -*-===//
//
// What the compression passes are asked to do: their options as one struct,
// the `layer` overrides, and the settings of one layer after the overrides
// that match it.
//
//===----------------------------------------------------------------------===//

#ifndef DC_DIALECT_DC_TRANSFORMS_COMPRESSIONOPTIONS_H
#define DC_DIALECT_DC_TRANSFORMS_COMPRESSIONOPTIONS_H

#include "dc/Dialect/DC/Analysis/Weights.h"
#include "dc/Dialect/DC/Transforms/Forms.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::dc {

/// One `NAME:key=value[:key=value...]` entry of the `layer` option.
struct LayerOverride {
  std::string pattern;
  std::optional<bool> skip;
  std::optional<double> sparsity, quality;
  std::optional<unsigned> bits, indexBits;
  std::optional<LayoutOption> layout;
  std::optional<EntropyOption> entropy;
};

/// Reports a bad option value (the message without location): a pass's
/// errorHandler when its options are parsed, an error at the module when
/// it runs.
using OptionErrorFn = function_ref<LogicalResult(const Twine &)>;

/// Parses one entry of the `layer` option.
FailureOr<LayerOverride> parseLayerOverride(StringRef text,
                                            OptionErrorFn emitError);

/// Whether `pattern` selects `use` (name, consumer op name or location).
bool matchesLayer(const WeightUse &use, StringRef pattern);

/// Everything the stages need, from pass options; unset stages stay unset.
struct CompressionOptions {
  // dc-prune
  double sparsity = 0.9;
  double quality = 0.0;
  // dc-quantize
  unsigned fcBits = 5, convBits = 8;
  InitOption init = InitOption::Linear;
  uint64_t seed = 0;
  unsigned maxIterations = 100;
  // dc-encode
  unsigned indexBits = 0;
  LayoutOption layout = LayoutOption::Auto;
  EntropyOption entropy = EntropyOption::Auto;
  std::vector<LayerOverride> overrides;
};

/// Checks the numeric options and parses the `layer` entries into
/// `options.overrides`; a bad value goes to `emitError`.
LogicalResult checkCommonOptions(CompressionOptions &options,
                                 ArrayRef<std::string> layers,
                                 OptionErrorFn emitError);

/// For a compression pass's initializeOptions: after the generated parsing
/// (`parsed`), checks and collects the options, so that a bad value is an
/// error when the pipeline is parsed.
template <typename PassT>
LogicalResult checkParsedOptions(PassT &pass, LogicalResult parsed,
                                 OptionErrorFn errorHandler) {
  if (failed(parsed))
    return failure();
  return pass.collectOptions(errorHandler);
}

/// Fails (an error at `module`) if an entry of `options.overrides` matches
/// none of `uses`: a mistyped layer name is never silently ignored.
LogicalResult verifyOverrides(ModuleOp module,
                              const CompressionOptions &options,
                              ArrayRef<WeightUse> uses);

/// The settings of one layer after the overrides that match it.
struct LayerPolicy {
  bool skip = false;
  double sparsity = 0.9, quality = 0.0;
  unsigned bits = 5, indexBits = 5;
  LayoutOption layout = LayoutOption::Auto;
  EntropyOption entropy = EntropyOption::Auto;
};
LayerPolicy resolvePolicy(const CompressionOptions &options,
                          const WeightUse &use);

} // namespace mlir::dc

#endif // DC_DIALECT_DC_TRANSFORMS_COMPRESSIONOPTIONS_H
