//===- FuzzConstantVerifier.cpp - dc.constant's verifier against the codec ===//
//
// Reads the input as a serialized layer (docs/Format.md section 7: the
// format of dc-fuzz-layer and its seed corpus), builds the dc.constant that
// stores it and checks the dialect against the codec (lib/Codec):
//  - #dc.encoding accepts the parameters exactly when codec::verifyParams
//    does;
//  - a layer the codec accepts (verifyLayer) passes the op's verifier (the
//    verifier checks the header and the raw streams' sizes, the codec
//    everything: the converse need not hold);
//  - a verified op's getLayerView serializes to the same bytes as the input
//    layer, and decodeToElements succeeds exactly when the codec decodes
//    the layer, with the codec's values, bit for bit.
// Any violation aborts. The dialect's sources are compiled in with the
// fuzzer's instrumentation; diagnostics are swallowed.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/Format.h"
#include "dc/Dialect/DC/IR/DCOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace mlir;
using namespace mlir::dc;
namespace codec = ::dc::codec;

namespace {

[[noreturn]] void failCheck(const char *what, const std::string &detail) {
  std::fprintf(stderr, "dc-fuzz-constant-verifier: %s: %s\n", what,
               detail.c_str());
  std::abort();
}

MLIRContext &context() {
  static MLIRContext *ctx = [] {
    auto *c = new MLIRContext(MLIRContext::Threading::DISABLED);
    c->loadDialect<DCDialect>();
    return c;
  }();
  return *ctx;
}

Attribute blob(MLIRContext *ctx, ::dc::ByteSpan bytes, StringRef key) {
  auto type = RankedTensorType::get({int64_t(bytes.size)},
                                    IntegerType::get(ctx, 8));
  return DenseResourceElementsAttr::get(
      type, key,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<char>(
          reinterpret_cast<const char *>(bytes.data), bytes.size)));
}

} // namespace

// LLVM's header-only allocators poison memory from this instrumented code
// that the uninstrumented libMLIR then reads (scripts/test.sh says the same
// for the sanitizer build).
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ::dc::StatusOr<codec::LayerView> parsed =
      codec::parseLayer(::dc::ByteSpan(data, size));
  if (!parsed.ok())
    return 0;
  const codec::LayerView &v = *parsed;
  // The dialect's tensors have positive dimensions; decoding allocates.
  if (v.rows == 0 || v.cols == 0 || uint64_t(v.rows) * v.cols > (1u << 20))
    return 0;
  MLIRContext &ctx = context();
  ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
  Location loc = UnknownLoc::get(&ctx);
  auto emitErr = [&] { return emitError(loc); };

  bool paramsOk = codec::verifyParams(v.params).ok();
  auto layout = Layout(int(v.params.layout));
  auto entropy = Entropy(int(v.params.entropy));
  bool encOk = succeeded(EncodingAttr::verify(
      emitErr, layout, v.params.weightBits, v.params.indexBits, entropy));
  if (encOk != paramsOk)
    failCheck("#dc.encoding and codec::verifyParams disagree",
              codec::verifyParams(v.params).message());
  if (!encOk)
    return 0;
  auto enc = EncodingAttr::get(&ctx, layout, v.params.weightBits,
                               v.params.indexBits, entropy);
  int64_t shape[] = {int64_t(v.rows), int64_t(v.cols)};
  auto f32 = Float32Type::get(&ctx);
  if (failed(CompressedTensorType::verify(emitErr, shape, f32, enc)))
    failCheck("!dc.tensor rejects a positive 2-D shape",
              std::to_string(v.rows) + "x" + std::to_string(v.cols));
  auto type = CompressedTensorType::get(&ctx, shape, f32, enc);

  OpBuilder b(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  OperationState state(loc, ConstantOp::getOperationName());
  state.addTypes(type);
  state.addAttribute("codebook", b.getDenseF32ArrayAttr(ArrayRef<float>(
                                     v.codebook, v.codebookSize)));
  state.addAttribute("num_weights", b.getI64IntegerAttr(v.numWeights));
  state.addAttribute("num_gaps", b.getI64IntegerAttr(v.numGaps));
  bool sparse = v.params.layout != codec::Layout::Dense;
  bool huffman = v.params.entropy == codec::Entropy::Huffman;
  auto table = [&](::dc::ByteSpan t) {
    return b.getDenseI8ArrayAttr(ArrayRef<int8_t>(
        reinterpret_cast<const int8_t *>(t.data), t.size));
  };
  if (huffman || v.weightCodeLengths.size != 0)
    state.addAttribute("weight_code_lengths", table(v.weightCodeLengths));
  if ((huffman && sparse) || v.gapCodeLengths.size != 0)
    state.addAttribute("gap_code_lengths", table(v.gapCodeLengths));
  if (sparse || v.rowPtr.size != 0)
    state.addAttribute("row_ptr", blob(&ctx, v.rowPtr, "p"));
  if (sparse || v.gaps.size != 0)
    state.addAttribute("gaps", blob(&ctx, v.gaps, "g"));
  state.addAttribute("weights", blob(&ctx, v.weights, "w"));
  auto op = cast<ConstantOp>(b.create(state));

  bool opOk = succeeded(verify(op));
  ::dc::Status codecStatus = codec::verifyLayer(v);
  if (codecStatus.ok() && !opOk)
    failCheck("the op verifier rejects a layer the codec accepts", "");
  if (!opOk)
    return 0;

  FailureOr<codec::LayerView> back = op.getLayerView();
  if (failed(back))
    failCheck("getLayerView fails on a verified op", "");
  if (codec::serializeLayer(*back) != codec::serializeLayer(v))
    failCheck("getLayerView", "does not reproduce the input layer");
  if (op.getStoredBytes() != codec::storedBytes(v))
    failCheck("getStoredBytes", std::to_string(op.getStoredBytes()) +
                                    " != " +
                                    std::to_string(codec::storedBytes(v)));

  std::vector<float> ref(size_t(v.rows) * v.cols);
  ::dc::Status decoded = codec::decodeDense(v, ref.data(), ref.size());
  FailureOr<ElementsAttr> dense = op.decodeToElements(/*asResource=*/false);
  if (succeeded(dense) != decoded.ok())
    failCheck("decodeToElements and codec::decodeDense disagree",
              decoded.message());
  if (succeeded(dense)) {
    auto values = cast<DenseElementsAttr>(*dense).getValues<float>();
    size_t i = 0;
    for (float f : values) {
      if (std::memcmp(&f, &ref[i], sizeof f) != 0)
        failCheck("decodeToElements", "value " + std::to_string(i) +
                                          " differs from the codec's");
      ++i;
    }
  }
  return 0;
}
