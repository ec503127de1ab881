//===- dc-opt.cpp - The dc optimizer driver -------------------------------===//
//
// mlir-opt with every upstream dialect, pass and extension, plus dc. Inputs
// and outputs go through dc/Support/FileIO.h: the -o file is complete or
// untouched, and is not written when any pass (e.g. a report on a full
// stdout) fails. An input ending in .onnx is imported first
// (dc/Import/Onnx/OnnxImport.h), with its locations (the node names).
//
//===----------------------------------------------------------------------===//

#include "dc/Import/Onnx/OnnxImport.h"
#include "dc/InitAllDC.h"
#include "dc/Support/FileIO.h"
#include "dc/Tools/ToolSupport.h"
#include "dc/Support/ResourceCheck.h"
#include "dc/Support/VersionPrinter.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/InitLLVM.h"

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  mlir::dc::registerAllDCPasses();
  ::dc::addVersionPrinter();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::dc::registerAllDCDialects(registry);

  auto [inputPath, outputPath] = mlir::registerAndParseCLIOptions(
      argc, argv,
      "dc optimizer driver: Deep Compression passes over MLIR model IR\n",
      registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects()) {
    llvm::outs() << "Available Dialects: ";
    llvm::interleaveComma(registry.getDialectNames(), llvm::outs());
    llvm::outs() << "\n";
    return 0;
  }
  if (config.shouldListPasses()) {
    mlir::printRegisteredPasses();
    return 0;
  }
  auto fail = [](llvm::Error e) {
    llvm::errs() << "dc-opt: error: " << llvm::toString(std::move(e)) << "\n";
    return 1;
  };
  // No output may be the input or another output (a report= of a pass
  // checks itself against these when the pipeline starts).
  dc::toolFiles().input("the input", inputPath);
  dc::toolFiles().output("-o", outputPath);
  if (llvm::Error e = dc::toolFiles().check())
    return fail(std::move(e));
  std::unique_ptr<llvm::MemoryBuffer> input;
  if (mlir::dc::isOnnxPath(inputPath)) {
    mlir::MLIRContext context(registry);
    std::string text;
    auto module = mlir::dc::importOnnxForTool(inputPath, context, "dc-opt");
    if (failed(module))
      return 1;
    llvm::raw_string_ostream os(text);
    (*module)->print(os, mlir::OpPrintingFlags().enableDebugInfo());
    input = llvm::MemoryBuffer::getMemBufferCopy(text, inputPath);
  } else {
    auto file = dc::readInputFile(inputPath);
    if (!file)
      return fail(file.takeError());
    if (llvm::Error e = dc::checkParserHazards(**file))
      return fail(std::move(e));
    input = std::move(*file);
  }
  auto output = dc::OutputFile::create(outputPath);
  if (!output)
    return fail(output.takeError());
  // Diagnostics at an ONNX node's (or any named op's) location name the file
  // and the node, not `<unknown>:0`.
  if (!config.shouldVerifyDiagnostics()) {
    mlir::MlirOptMainConfig pipeline = config;
    std::string file = inputPath;
    config.setPassPipelineSetupFn([pipeline, file](mlir::PassManager &pm) {
      mlir::dc::NamedLocationDiagnostics::registerFor(*pm.getContext(), file);
      return pipeline.setupPassPipeline(pm);
    });
  }
  if (failed(
          mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  // A pass that printed to stdout (a report) must have reached it too.
  llvm::outs().flush();
  if (llvm::outs().has_error()) {
    std::error_code ec = llvm::outs().error();
    llvm::outs().clear_error();
    return fail(
        llvm::createStringError(ec, "cannot write to stdout: " + ec.message()));
  }
  if (llvm::Error e = output->commit())
    return fail(std::move(e));
  return 0;
}
