//===- dc-grad-check.cpp - Gradients against finite differences ----------===//
//
//   dc-opt m.mlir --dc-differentiate=function=f | dc-grad-check --function=f,g
//
// JIT-compiles the module with upstream's plain lowering and compares @f_grad
// with central differences of @f (include/dc/Autodiff/GradCheck.h).
//
//===----------------------------------------------------------------------===//

#include "dc/Autodiff/GradCheck.h"
#include "dc/Support/VersionPrinter.h"
#include "dc/Tools/ToolSupport.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"

using namespace llvm;

static cl::OptionCategory category("dc-grad-check options");
static cl::opt<std::string> input(cl::Positional, cl::init("-"),
                                  cl::desc("<module with @f and @f_grad>"),
                                  cl::cat(category));
static cl::list<std::string>
    functions("function", cl::CommaSeparated,
              cl::desc("The differentiated functions (default forward), each "
                       "f (with @f_grad, dc-differentiate's default) or f:g"),
              cl::cat(category));
static cl::opt<double> eps("eps", cl::init(1e-6),
                           cl::desc("Central-difference step"),
                           cl::cat(category));
static cl::opt<double> relTol("rtol", cl::init(1e-6),
                              cl::desc("Relative bound"), cl::cat(category));
static cl::opt<double> absTol("atol", cl::init(1e-9),
                              cl::desc("Absolute bound"), cl::cat(category));
static cl::opt<uint64_t> seed("seed", cl::init(1),
                              cl::desc("Seed of the inputs and directions"),
                              cl::cat(category));
static cl::opt<unsigned> maxElements(
    "max-elements", cl::init(0),
    cl::desc("Elements checked per argument, evenly spaced (0 = all)"),
    cl::cat(category));
static cl::opt<unsigned> labels("labels", cl::init(1),
                                cl::desc("Integer arguments (labels) are drawn "
                                         "from [0, labels)"),
                                cl::cat(category));
static cl::opt<unsigned> directions("directions", cl::init(4),
                                    cl::desc("Random directional checks"),
                                    cl::cat(category));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  ::dc::addVersionPrinter();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dc-grad-check: compare a gradient function with central differences\n");
  mlir::DialectRegistry registry;
  mlir::dc::registerToolDialects(registry);
  mlir::MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::dc::NamedLocationDiagnostics named(context, input);
  auto module =
      mlir::dc::loadModule(input, context, sourceMgr, "dc-grad-check");
  if (!module)
    return 1;
  mlir::dc::GradCheckOptions options;
  if (!functions.empty())
    options.functions.assign(functions.begin(), functions.end());
  options.eps = eps;
  options.rtol = relTol;
  options.atol = absTol;
  options.seed = seed;
  options.maxElements = maxElements;
  options.directions = directions;
  options.labels = labels;
  auto results = mlir::dc::checkGradients(*module, options);
  if (!results) {
    errs() << "dc-grad-check: error: " << toString(results.takeError()) << "\n";
    return 1;
  }
  for (const mlir::dc::GradCheckResult &result : *results)
    outs() << "dc-grad-check: @" << result.function << ": " << result.elements
           << " elements and " << result.directions
           << " directions agree with central differences, worst "
           << format("%.3g", result.maxError) << " of the bound (rtol "
           << relTol << ", atol " << absTol << ")"
           << (result.controlDetected
                   ? "; the negative control fails as it must"
                   : "")
           << "\n"
           << result.log;
  return 0;
}
