//===- dc-import-onnx.cpp - ONNX models to MLIR ---------------------------===//
//
//   dc-import-onnx model.onnx -o model.mlir
//   dc-import-onnx --tensor input_0.pb -o input_0.bin
//
// The importer is lib/Import/Onnx (include/dc/Import/Onnx/OnnxImport.h);
// dc-opt and dc-compile read .onnx files through it too. --help and
// --list-ops print its operator table.
//
//===----------------------------------------------------------------------===//

#include "dc/Import/Onnx/OnnxImport.h"
#include "dc/Support/FileIO.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"

using namespace llvm;

static cl::OptionCategory category("dc-import-onnx options");
static cl::opt<std::string> input(cl::Positional,
                                  cl::desc("<model.onnx | tensor.pb>"),
                                  cl::cat(category));
static cl::opt<std::string>
    output("o", cl::init("-"),
           cl::desc("Output file (default: stdout); written only when the "
                    "import succeeds"),
           cl::value_desc("file"), cl::cat(category));
static cl::opt<bool> tensorMode(
    "tensor",
    cl::desc("Read an ONNX TensorProto (a test data set's input_K.pb or "
             "output_K.pb) and write its values as raw little-endian f32 "
             "(the .bin files dc-run reads); prints its shape, name and element "
             "type, e.g. '1x3x4x4 x float', on stdout"),
    cl::cat(category));

static cl::list<std::string> bindInputs(
    "bind-input",
    cl::desc("Bind graph input NAME to the constant in FILE (a TensorProto "
             ".pb) before importing: a shape or axes operand given as an "
             "input becomes an initializer and leaves @forward's arguments "
             "(repeatable)"),
    cl::value_desc("NAME=FILE"), cl::cat(category));

static cl::opt<bool> listOps(
    "list-ops",
    cl::desc("Print the operator table (name, opsets, attributes read) as "
             "the Markdown rows docs/Frontends.md lists, and exit"),
    cl::cat(category));

static int fail(const std::string &message) {
  errs() << "dc-import-onnx: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  std::string operators =
      "\nOperators (opset 17 forms; older models are converted): " +
      mlir::dc::supportedOnnxOperators() + "\n";
  cl::extrahelp operatorHelp(operators);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dc-import-onnx: an ONNX model as MLIR (linalg on tensors)\n\n"
      "Reads the ModelProto with libonnx, checks it with ONNX's checker, "
      "converts it to opset 17 with ONNX's version converter and infers "
      "static shapes with ONNX's shape inference, then writes func.func "
      "@forward with one argument per graph input and one result per graph "
      "output, in order. Initializers become dense_resource constants named "
      "after them; ops carry their ONNX node's name as location (printed), "
      "which dc-compress's layer=NAME and the report use. An unsupported "
      "operator, attribute or domain, a dynamic shape or external data is "
      "an error naming the node. dc-opt and dc-compile also take .onnx "
      "files directly.\n");

  if (listOps) {
    for (const mlir::dc::OnnxOperatorInfo &op : mlir::dc::onnxOperators()) {
      SmallVector<StringRef> attributes;
      op.attributes.split(attributes, ' ', -1, /*KeepEmpty=*/false);
      outs() << "| " << op.name << " | " << op.firstOpset << "-"
             << op.lastOpset << " | "
             << (attributes.empty() ? "(none)" : join(attributes, ", "))
             << " |\n";
    }
    return 0;
  }
  if (input.empty()) {
    // What cl::Required says (the input is optional for --list-ops only).
    errs() << sys::path::filename(argv[0])
           << ": Not enough positional command line arguments specified!\n"
           << "Must specify at least 1 positional argument: See: " << argv[0]
           << " --help\n";
    return 1;
  }

  dc::FileSet files;
  files.input("the input", input);
  files.output("-o", output);
  for (StringRef bind : bindInputs)
    files.input("--bind-input", bind.split('=').second);
  if (Error e = files.check())
    return fail(toString(std::move(e)));

  if (tensorMode) {
    auto tensor = mlir::dc::readOnnxTensor(input);
    if (!tensor)
      return fail(toString(tensor.takeError()));
    const std::vector<float> &values = tensor->values;
    const std::vector<int64_t> &shape = tensor->shape;
    auto out = dc::OutputFile::create(output);
    if (!out)
      return fail(toString(out.takeError()));
    for (float v : values) {
      char bytes[4];
      uint32_t bits;
      memcpy(&bits, &v, 4);
      support::endian::write32le(bytes, bits);
      out->os().write(bytes, 4);
    }
    if (Error e = out->commit())
      return fail(toString(std::move(e)));
    if (output != "-") {
      if (shape.empty())
        outs() << "scalar";
      for (size_t i = 0; i < shape.size(); ++i)
        outs() << (i ? "x" : "") << shape[i];
      outs() << " " << (tensor->name.empty() ? "-" : tensor->name) << " "
             << tensor->type << "\n";
    }
    return 0;
  }

  mlir::DialectRegistry registry;
  mlir::dc::registerOnnxImportDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::dc::OnnxImportOptions options;
  for (StringRef bind : bindInputs) {
    auto [name, file] = bind.split('=');
    if (name.empty() || file.empty())
      return fail("--bind-input takes NAME=FILE, not '" + bind.str() + "'");
    options.bindInputs.emplace_back(name.str(), file.str());
  }
  auto module =
      mlir::dc::importOnnxForTool(input, context, "dc-import-onnx", options);
  if (failed(module))
    return 1;
  auto out = dc::OutputFile::create(output);
  if (!out)
    return fail(toString(out.takeError()));
  (*module)->print(out->os(), mlir::OpPrintingFlags().enableDebugInfo());
  if (Error e = out->commit())
    return fail(toString(std::move(e)));
  return 0;
}
