//===- FuzzLayer.cpp - libFuzzer target for serialized layers -------------===//
//
// Parses arbitrary bytes as a serialized layer (docs/Format.md section 7),
// verifies and decodes it, and checks the invariants:
//  - storedBytes and serializeLayer agree with the input;
//  - verifyLayer, decodeIndices and decodeDense agree on validity;
//  - decodeDense equals the codebook lookup of decodeIndices;
//  - re-encoding the decoded indices with the same parameters and codebook
//    decodes to the same indices; without entropy coding it reproduces the
//    input exactly (the raw format is canonical); with Huffman coding it is
//    no larger (package-merge is optimal).
// Any violation aborts.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/Format.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace dc;
using namespace dc::codec;

namespace {

[[noreturn]] void failCheck(const char *what, const std::string &detail) {
  std::fprintf(stderr, "dc-fuzz-layer: %s: %s\n", what, detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ByteSpan input(data, size);
  StatusOr<LayerView> parsed = parseLayer(input);
  if (!parsed.ok())
    return 0;
  const LayerView &v = *parsed;
  if (storedBytes(v) != size)
    failCheck("storedBytes", std::to_string(storedBytes(v)) +
                                 " != input size " + std::to_string(size));
  std::vector<uint8_t> again = serializeLayer(v);
  if (again.size() != size || std::memcmp(again.data(), data, size) != 0)
    failCheck("serializeLayer", "does not reproduce the input");

  Status verified = verifyLayer(v);
  uint64_t total = uint64_t(v.rows) * v.cols;
  if (total > (uint64_t(1) << 20))
    return 0; // decoding would allocate too much for a fuzzer

  std::vector<int32_t> indices;
  Status decoded = decodeIndices(v, indices);
  if (decoded.ok() != verified.ok())
    failCheck("verify/decode disagree",
              verified.message() + " / " + decoded.message());
  std::vector<float> dense(total);
  Status decodedDense = decodeDense(v, dense.data(), dense.size());
  if (decodedDense.ok() != decoded.ok())
    failCheck("decodeDense/decodeIndices disagree",
              decodedDense.message() + " / " + decoded.message());
  if (!decoded.ok())
    return 0;
  if (indices.size() != total)
    failCheck("decodeIndices", "wrong size");

  std::vector<float> codebook(v.codebookSize);
  if (v.codebookSize)
    std::memcpy(codebook.data(), v.codebook, 4 * size_t(v.codebookSize));
  for (uint64_t i = 0; i < total; ++i) {
    float want = indices[i] < 0 ? 0.0f : codebook[indices[i]];
    if (std::memcmp(&want, &dense[i], 4) != 0)
      failCheck("decodeDense", "value mismatch at " + std::to_string(i));
  }

  MatrixShape shape;
  shape.rows = v.rows;
  shape.cols = v.cols;
  StatusOr<EncodedLayer> enc =
      encodeLayer(v.params, shape, codebook, indices.data());
  if (!enc.ok())
    failCheck("re-encode failed", enc.message());
  LayerView ev = enc->view();
  std::vector<int32_t> indices2;
  Status redecoded = decodeIndices(ev, indices2);
  if (!redecoded.ok())
    failCheck("re-encoded layer does not decode", redecoded.message());
  if (indices2 != indices)
    failCheck("re-encoded layer", "decodes to different indices");
  std::vector<uint8_t> reser = serializeLayer(ev);
  if (v.params.entropy == Entropy::None) {
    if (reser.size() != size || std::memcmp(reser.data(), data, size) != 0)
      failCheck("raw re-encode", "bytes differ from the input");
  } else if (reser.size() > size) {
    failCheck("huffman re-encode",
              "larger than the input: " + std::to_string(reser.size()) + " > " +
                  std::to_string(size));
  }
  return 0;
}
