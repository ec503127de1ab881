//===- ToolSupport.cpp - What dc's tools share ----------------------------===//

#include "dc/Tools/ToolSupport.h"
#include "dc/InitAllDC.h"
#include "dc/Support/FileIO.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"

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
  auto buffer = ::dc::readInputFile(path);
  if (!buffer) {
    llvm::errs() << tool << ": error: " << llvm::toString(buffer.takeError())
                 << "\n";
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
}
