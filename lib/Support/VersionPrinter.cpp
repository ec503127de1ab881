//===- VersionPrinter.cpp - dc's --version --------------------------------===//

#include "dc/Support/VersionPrinter.h"
#include "dc/Support/Version.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

void dc::addVersionPrinter() {
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "dc " DC_VERSION_STRING " (LLVM/MLIR " LLVM_VERSION_STRING ")\n";
  });
}
