//===- ToolSupport.cpp - What dc's tools share ----------------------------===//

#include "dc/Tools/ToolSupport.h"
#include "dc/Import/OnnxImport.h"
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
    std::string error;
    auto module = importOnnx(path, context, error);
    if (failed(module)) {
      llvm::errs() << tool << ": error: " << error << "\n";
      return nullptr;
    }
    return std::move(*module);
  }
  auto buffer = ::dc::readInputFile(path);
  if (!buffer) {
    llvm::errs() << tool << ": error: " << llvm::toString(buffer.takeError())
                 << "\n";
    return nullptr;
  }
  if (llvm::Error e = ::dc::checkResourceBlobs(**buffer)) {
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
