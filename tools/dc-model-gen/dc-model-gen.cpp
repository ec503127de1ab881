//===- dc-model-gen.cpp - Write a built-in synthetic model ----------------===//
//
// Writes one of the built-in models (include/dc/Models/Models.h) as MLIR
// text or bytecode, so tests, the demo and the benchmarks need no large
// files in git.
//
//===----------------------------------------------------------------------===//

#include "dc/Models/Models.h"
#include "dc/Support/VersionPrinter.h"
#include "dc/Support/FileIO.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"

using namespace llvm;

static cl::OptionCategory category("dc-model-gen options");
static cl::opt<std::string> modelName(cl::Positional,
                                      cl::desc("<model> (see --list)"),
                                      cl::cat(category));
static cl::opt<std::string> output("o", cl::desc("Output file ('-' = stdout)"),
                                   cl::value_desc("file"), cl::init("-"),
                                   cl::cat(category));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of the weights"),
                              cl::init(1), cl::cat(category));
static cl::opt<bool> emitBytecode(
    "emit-bytecode",
    cl::desc("Write MLIR bytecode (default for a .mlirbc output)"),
    cl::cat(category));
static cl::opt<bool> list("list", cl::desc("List the models"),
                          cl::cat(category));
static cl::opt<bool> emitMain(
    "emit-main",
    cl::desc("Add @main calling @forward on a fixed input and printing the "
             "result (for mlir-runner)"),
    cl::cat(category));

static cl::opt<mlir::dc::FrontEnd> frontEnd(
    "front-end", cl::init(mlir::dc::FrontEnd::FX),
    cl::desc("The shape the model is printed in"),
    cl::values(clEnumValN(mlir::dc::FrontEnd::FX, "fx",
                          "torch-mlir's FX importer (default): named "
                          "dense_resource weights, linalg.transpose"),
               clEnumValN(mlir::dc::FrontEnd::TorchScript, "torchscript",
                          "TorchScript-era torch-mlir: inline dense<> "
                          "weights, generic transposes with the permutation "
                          "on the output map, (0, d1) bias maps, cmpf+select "
                          "ReLU"),
               clEnumValN(mlir::dc::FrontEnd::TOSA, "tosa",
                          "TOSA (mlp and tiny): tosa.matmul on rank-3 "
                          "reshapes of a transposed tosa.const; lower with "
                          "dc-opt --dc-tosa-to-linalg")),
    cl::cat(category));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  ::dc::addVersionPrinter();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dc-model-gen: write a built-in synthetic model (torch-mlir "
      "linalg-on-tensors shape, Gaussian weights) as MLIR\n");
  if (list || modelName.empty()) {
    if (!list)
      errs() << "dc-model-gen: error: no model given; the models are:\n";
    for (const mlir::dc::ModelInfo &m : mlir::dc::getModels())
      outs() << "  " << left_justify(m.name, 8) << "  " << m.description
             << "\n";
    return list ? 0 : 1;
  }

  mlir::DialectRegistry registry;
  mlir::dc::registerModelDialects(registry);
  mlir::MLIRContext context(registry);
  // The library's errors, as "dc-model-gen: WHAT".
  mlir::ScopedDiagnosticHandler print(&context, [](mlir::Diagnostic &d) {
    errs() << "dc-model-gen: " << d.str() << "\n";
    return mlir::success();
  });
  auto module = mlir::dc::buildModel(&context, modelName, seed, frontEnd);
  if (failed(module))
    return 1;
  if (emitMain && failed(mlir::dc::addRunnerMain(**module)))
    return 1;
  // dc/Support/FileIO.h: complete or untouched.
  auto file = dc::OutputFile::create(output);
  if (!file) {
    errs() << "dc-model-gen: error: " << toString(file.takeError()) << "\n";
    return 1;
  }
  if (emitBytecode || StringRef(output).ends_with(".mlirbc")) {
    if (failed(mlir::writeBytecodeToFile(**module, file->os()))) {
      errs() << "dc-model-gen: error: cannot write bytecode\n";
      return 1;
    }
  } else {
    // TOSA constants have no blob keys: the layer names live in the
    // locations, printed as front ends print them.
    mlir::OpPrintingFlags flags;
    if (frontEnd == mlir::dc::FrontEnd::TOSA)
      flags.enableDebugInfo();
    (*module)->print(file->os(), flags);
  }
  if (Error e = file->commit()) {
    errs() << "dc-model-gen: error: " << toString(std::move(e)) << "\n";
    return 1;
  }
  return 0;
}
