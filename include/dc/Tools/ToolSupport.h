//===- ToolSupport.h - What dc's tools share --------------------*- C++ -*-===//
//
// The dialects every dc tool understands, and reading a module the way they
// all do: the input through dc/Support/FileIO.h (errors with the reason),
// diagnostics with file, line and column.
//
//===----------------------------------------------------------------------===//

#ifndef DC_TOOLS_TOOLSUPPORT_H
#define DC_TOOLS_TOOLSUPPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace mlir::dc {

/// Every upstream dialect and extension, and dc's.
void registerToolDialects(DialectRegistry &registry);

/// Parses `path` ("-" = stdin) into `context`, adding it to `sourceMgr`;
/// the caller keeps a SourceMgrDiagnosticHandler on `sourceMgr` for as long
/// as diagnostics may come (they then show file, line, column and the
/// source line). A path ending in .onnx is imported with the ONNX front end
/// (dc/Import/Onnx/OnnxImport.h) instead. On failure prints "<tool>: error: ..." (or the parser's
/// located errors) and returns null.
OwningOpRef<ModuleOp> loadModule(StringRef path, MLIRContext &context,
                                 llvm::SourceMgr &sourceMgr, StringRef tool);

/// Diagnostics at a location that names no file position but an op's name
/// (an ONNX node's NameLoc, a dc-model-gen layer's), which MLIR's
/// SourceMgrDiagnosticHandler prints as `<unknown>:0: error: loc("fc")`:
/// printed as `FILE: node 'fc': error: MESSAGE` (FILE the model the tool
/// read; "node" for an ONNX model, "op" otherwise), notes likewise. Others
/// are left to the handlers registered before it. Lives as long as the
/// object.
class NamedLocationDiagnostics {
public:
  NamedLocationDiagnostics(MLIRContext &context, StringRef file);
  ~NamedLocationDiagnostics();
  /// Registers the printer in `context` for as long as the context lives
  /// (for contexts a driver owns, e.g. MlirOptMain's).
  static void registerFor(MLIRContext &context, StringRef file);

private:
  MLIRContext &context;
  uint64_t id;
};

/// dc's run-time objects next to the running tool: `option` when given,
/// else <directory of the executable>/../lib/dc-runtime (`argv0` and an
/// address in the executable, e.g. of main, locate it).
/// Prints diagnostics at an unknown location (errors of library stages
/// with no IR to blame: a missing run-time object, a bad option) as the
/// tool's own, "<tool>: error: <message>", for as long as it lives; others
/// go on to the source manager's handler.
class ToolErrorDiagnostics {
public:
  ToolErrorDiagnostics(MLIRContext &context, StringRef tool);
  ~ToolErrorDiagnostics();

private:
  MLIRContext &context;
  uint64_t id;
};

std::string runtimeDirectory(StringRef option, const char *argv0,
                             void *addressInTool);

} // namespace mlir::dc

#endif // DC_TOOLS_TOOLSUPPORT_H
