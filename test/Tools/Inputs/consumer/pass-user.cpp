//===- pass-user.cpp - An out-of-tree user of dc's passes -----------------===//
//
// Built against an installed dc (test/Tools/install.test): reads a model,
// runs a pipeline of dc's passes through a PassManager and lists the
// compressed weights it left:
//   dc-pass-user MODEL PIPELINE
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/IR/DCDialect.h"
#include "dc/Dialect/DC/IR/DCOps.h"
#include "dc/InitAllDC.h"
#include "dc/Support/Version.h"
#include "dc/Tools/ToolSupport.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

int main(int argc, char **argv) {
  if (argc != 3) {
    llvm::errs() << "usage: dc-pass-user MODEL PIPELINE\n";
    return 2;
  }
  DialectRegistry registry;
  mlir::dc::registerToolDialects(registry);
  mlir::dc::registerAllDCPasses();
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      mlir::dc::loadModule(argv[1], context, sourceMgr, "dc-pass-user");
  if (!module)
    return 1;

  // PIPELINE is a list of module passes ("dc-compress{sparsity=0.5}"): the
  // pass manager is anchored on the module already.
  auto pm = PassManager::on<ModuleOp>(&context);
  if (failed(parsePassPipeline(argv[2], pm, llvm::errs())))
    return 1;
  if (failed(pm.run(*module)))
    return 1;

  // What the pipeline left: the compressed weights, one line each.
  unsigned constants = 0;
  module->walk([&](mlir::dc::ConstantOp) { ++constants; });
  llvm::outs() << "dc " << DC_VERSION_STRING << ": " << constants
               << " dc.constant\n";
  module->walk([&](mlir::dc::ConstantOp op) {
    llvm::outs() << "  " << op.getLayer().value_or("?") << ": "
                 << op.getType() << ", " << op.getNumWeights()
                 << " weights stored\n";
  });
  return 0;
}
