//===- FuzzRuntimeDecode.cpp - Run-time decoder against the codec ---------===//
//
// A differential libFuzzer target: parses arbitrary bytes as a serialized
// layer (docs/Format.md section 7; the seed corpus is dc-fuzz-seeds' layer/,
// written by the encoder), decodes it with every entry point of the
// freestanding run-time decoder (decode_dense; decode_indices with 1- and
// 2-byte indices, row- and column-major; decode_csr and decode_csr_lines
// with several line lengths and coordinate/index widths) and with the
// codec's reference decoder, and aborts unless they accept exactly the same
// layers and produce bit-identical results (RuntimeOracle.h).
//
//===----------------------------------------------------------------------===//

#include "RuntimeOracle.h"

using namespace dc;
using namespace dc::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StatusOr<LayerView> parsed = parseLayer(ByteSpan(data, size));
  if (!parsed.ok())
    return 0;
  // Decoding allocates rows * cols floats.
  if (uint64_t(parsed->rows) * parsed->cols > (uint64_t(1) << 20))
    return 0;
  dc::fuzz::checkAgainstCodec("dc-fuzz-runtime-decode", *parsed);
  return 0;
}
