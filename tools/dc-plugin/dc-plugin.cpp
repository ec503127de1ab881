//===- dc-plugin.cpp - dc as an mlir-opt plugin ---------------------------===//
//
// Stock mlir-opt loads this library with --load-dialect-plugin (the dialect
// and the passes) and --load-pass-plugin (the passes). Plugin passes are not
// command-line flags of mlir-opt; run them with
// --pass-pipeline="builtin.module(dc-...)".
//
//===----------------------------------------------------------------------===//

#include "dc/InitAllDC.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

using namespace mlir;

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "DC", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            dc::registerAllDCDialects(*registry);
            dc::registerAllDCPasses();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "DCPasses", LLVM_VERSION_STRING,
          []() { dc::registerAllDCPasses(); }};
}
