//===- ToolSupport.cpp - What dc's tools share ----------------------------===//

#include "dc/Tools/ToolSupport.h"
#include "dc/Import/Onnx/OnnxImport.h"
#include "dc/InitAllDC.h"
#include "dc/Support/FileIO.h"
#include "dc/Support/ResourceCheck.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

void mlir::dc::registerToolDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllDCDialects(registry);
}

OwningOpRef<ModuleOp> mlir::dc::loadModule(StringRef path,
                                           MLIRContext &context,
                                           llvm::SourceMgr &sourceMgr,
                                           StringRef tool) {
  // An ONNX model goes through the importer (lib/Import).
  if (isOnnxPath(path)) {
    auto module = importOnnxForTool(path, context, tool);
    if (failed(module))
      return nullptr;
    return std::move(*module);
  }
  auto buffer = ::dc::readInputFile(path);
  if (!buffer) {
    llvm::errs() << tool << ": error: " << llvm::toString(buffer.takeError())
                 << "\n";
    return nullptr;
  }
  if (llvm::Error e = ::dc::checkParserHazards(**buffer)) {
    llvm::errs() << tool << ": error: " << llvm::toString(std::move(e)) << "\n";
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
}

std::string mlir::dc::runtimeDirectory(StringRef option, const char *argv0,
                                       void *addressInTool) {
  if (!option.empty())
    return option.str();
  SmallString<256> dir(llvm::sys::path::parent_path(
      llvm::sys::fs::getMainExecutable(argv0, addressInTool)));
  llvm::sys::path::append(dir, "..", "lib", "dc-runtime");
  return dir.str().str();
}

namespace {

StringRef severityName(DiagnosticSeverity s) {
  switch (s) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  }
  return "error";
}

/// The printer of NamedLocationDiagnostics: success when it printed.
LogicalResult printNamed(Diagnostic &diag, StringRef file) {
  Location loc = diag.getLocation();
  auto name = dyn_cast<NameLoc>(loc);
  if (!name)
    return failure();
  if (auto position = loc->findInstanceOf<FileLineColLoc>())
    if (position.getLine() != 0)
      return failure(); // the usual handler shows the source line
  StringRef kind = mlir::dc::isOnnxPath(file) ? "node" : "op";
  auto print = [&](Location at, DiagnosticSeverity s, const std::string &text) {
    llvm::errs() << file << ": ";
    if (auto n = dyn_cast<NameLoc>(at))
      llvm::errs() << kind << " '" << n.getName().strref() << "': ";
    llvm::errs() << severityName(s) << ": " << text << "\n";
  };
  print(loc, diag.getSeverity(), diag.str());
  for (Diagnostic &note : diag.getNotes())
    print(note.getLocation(), note.getSeverity(), note.str());
  return success();
}

} // namespace

mlir::dc::ToolErrorDiagnostics::ToolErrorDiagnostics(MLIRContext &context,
                                                     StringRef tool)
    : context(context) {
  std::string name = tool.str();
  id = context.getDiagEngine().registerHandler([name](Diagnostic &diag) {
    if (!isa<UnknownLoc>(diag.getLocation()))
      return failure();
    llvm::errs() << name << ": " << severityName(diag.getSeverity()) << ": "
                 << diag.str() << "\n";
    for (Diagnostic &note : diag.getNotes())
      llvm::errs() << name << ": note: " << note.str() << "\n";
    return success();
  });
}

mlir::dc::ToolErrorDiagnostics::~ToolErrorDiagnostics() {
  context.getDiagEngine().eraseHandler(id);
}

mlir::dc::NamedLocationDiagnostics::NamedLocationDiagnostics(
    MLIRContext &context, StringRef file)
    : context(context) {
  std::string path = file.str();
  id = context.getDiagEngine().registerHandler(
      [path](Diagnostic &diag) { return printNamed(diag, path); });
}

mlir::dc::NamedLocationDiagnostics::~NamedLocationDiagnostics() {
  context.getDiagEngine().eraseHandler(id);
}

void mlir::dc::NamedLocationDiagnostics::registerFor(MLIRContext &context,
                                                     StringRef file) {
  std::string path = file.str();
  context.getDiagEngine().registerHandler(
      [path](Diagnostic &diag) { return printNamed(diag, path); });
}
