//===- Run.h - Call a tensor function of a module on files ------*- C++ -*-===//
//
// dc-run's engine (docs/Training.md, "dc-run"): arguments with a dc.param
// attribute take, in order, the results of @params-from; the others are read
// from files (raw little-endian elements, exactly the argument's size). The
// module is JIT-compiled (Jit.h) and @function called, or, when the caller
// passes an engine, the engine is called on the module as it was read.
// Results go to DIR/result<N>.bin, the parameters used to DIR/param<N>.bin,
// and DIR/manifest.txt lists each file with its name (dc.param) and type.
//
//===----------------------------------------------------------------------===//

#ifndef DC_EXECUTION_RUN_H
#define DC_EXECUTION_RUN_H

#include "dc/Execution/Jit.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace mlir::dc {

/// Runs @function on `args` (parameters filled in) and fills `results`.
/// `original` is the module as it was read, without @params-from (the
/// parameter values come from the JIT); an engine may change it.
using RunEngine = std::function<llvm::Error(
    ModuleOp original, StringRef function, std::vector<HostTensor> &args,
    std::vector<HostTensor> &results)>;

struct RunOptions {
  std::string function;
  /// A function without arguments whose results are the dc.param
  /// arguments, in order; "" when @function has none.
  std::string paramsFrom;
  /// One file per argument that is not a dc.param.
  std::vector<std::string> inputs;
  std::string outputDir;
  /// The module's file (outputs may not overwrite it).
  std::string moduleFile;
  /// Run on |a| of every floating-point argument, parameters included.
  bool magnitudes = false;
  /// Null: the JIT (upstream's plain lowering).
  RunEngine engine;
};

struct RunSummary {
  size_t results = 0, parameters = 0;
};

/// Calls the function as `options` say and writes the outputs; `module` is
/// lowered in place. The error says why not.
llvm::Expected<RunSummary> runFunction(ModuleOp module,
                                       const RunOptions &options);

} // namespace mlir::dc

#endif // DC_EXECUTION_RUN_H
