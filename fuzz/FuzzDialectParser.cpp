//===- FuzzDialectParser.cpp - dc's attribute, type and op parsers --------===//
//
// Parses the input as MLIR text three ways, with the dc dialect (and only
// the builtin and func dialects, so findings are dc's) loaded:
// as an attribute (#dc.encoding, #dc.runtime, ...), as a type (!dc.tensor)
// and as a module (dc.constant, dc.decompress: their parsers and
// verifiers). Whatever parses must print and parse back to the same thing:
// the same uniqued attribute or type, and a module printing the same text.
// A crash or a failed round trip aborts. The dialect's sources are compiled
// in with the fuzzer's instrumentation; diagnostics are swallowed.
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/IR/DCOps.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

using namespace mlir;

namespace {

[[noreturn]] void failCheck(const char *what, const std::string &detail) {
  std::fprintf(stderr, "dc-fuzz-dialect-parser: %s: %s\n", what,
               detail.c_str());
  std::abort();
}

MLIRContext &context() {
  static MLIRContext *ctx = [] {
    auto *c = new MLIRContext(MLIRContext::Threading::DISABLED);
    c->loadDialect<mlir::dc::DCDialect, func::FuncDialect>();
    return c;
  }();
  return *ctx;
}

template <typename T> std::string print(T value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  value.print(os);
  return text;
}

} // namespace

// LLVM's header-only allocators poison memory from this instrumented code
// that the uninstrumented libMLIR then reads (scripts/test.sh says the same
// for the sanitizer build).
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 16)
    return 0;
  std::string text(reinterpret_cast<const char *>(data), size);
  MLIRContext &ctx = context();
  ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });

  size_t consumed = 0;
  if (Attribute attr = parseAttribute(text, &ctx, Type(), &consumed);
      attr && consumed == text.size()) {
    std::string printed = print(attr);
    Attribute again = parseAttribute(printed, &ctx);
    if (again != attr)
      failCheck("attribute round trip", text + " -> " + printed);
  }
  consumed = 0;
  if (Type type = parseType(text, &ctx, &consumed);
      type && consumed == text.size()) {
    std::string printed = print(type);
    Type again = parseType(printed, &ctx);
    if (again != type)
      failCheck("type round trip", text + " -> " + printed);
  }
  // Modules are parsed and verified; one holding dc ops must round-trip.
  // Each parse gets a context of its own: a context renames a resource blob
  // whose key it already holds, which would change the printed text.
  if (text.find("dc.") == std::string::npos)
    return 0;
  // Upstream MLIR 22 aborts on a dense_resource blob whose alignment (its
  // first 4 bytes) is 0 (builtin's blob parser allocates with it): not dc's
  // to find again. dc's tools refuse such blobs before parsing
  // (dc/Tools/ToolSupport.h).
  for (size_t at = text.find("\"0x00000000"); at != std::string::npos;
       at = text.find("\"0x00000000", at + 1))
    if (text.compare(at + 11, 1, "\"") != 0)
      return 0;
  auto parseFresh = [](const std::string &source,
                       std::unique_ptr<MLIRContext> &ctx) {
    ctx = std::make_unique<MLIRContext>(MLIRContext::Threading::DISABLED);
    ctx->loadDialect<mlir::dc::DCDialect, func::FuncDialect>();
    ctx->getDiagEngine().registerHandler(
        [](Diagnostic &) { return success(); });
    ParserConfig config(ctx.get());
    return parseSourceString<ModuleOp>(source, config);
  };
  std::unique_ptr<MLIRContext> first, second;
  OwningOpRef<ModuleOp> module = parseFresh(text, first);
  if (!module)
    return 0;
  std::string printed = print(*module);
  OwningOpRef<ModuleOp> again = parseFresh(printed, second);
  if (!again)
    failCheck("a printed module does not parse", printed);
  std::string reprinted = print(*again);
  if (reprinted != printed)
    failCheck("module round trip", printed + "\n-> \n" + reprinted);
  return 0;
}
