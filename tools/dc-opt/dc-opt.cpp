//===- dc-opt.cpp - The dc optimizer driver -------------------------------===//
//
// mlir-opt with every upstream dialect, pass and extension, plus dc.
//
//===----------------------------------------------------------------------===//

#include "dc/InitAllDC.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::dc::registerAllDCPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::dc::registerAllDCDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv,
      "dc optimizer driver: Deep Compression passes over MLIR model IR\n",
      registry));
}
