//===- FuzzRuntimeAPI.cpp - The run-time C API with arbitrary parameters --===//
//
// Calls _mlir_ciface_dcrt_decode_dense and _mlir_ciface_dcrt_decode_csr
// (include/dc/Runtime/Decode.h) with parameters chosen by the fuzzer: any
// int64 header field (negative, 2^32, 2^62, ...), any coordinate and index
// width, streams and tables of any content and length, memref descriptors
// with bad sizes, offsets and strides, and output buffers of any size. Run
// under ASan and UBSan (every buffer has exactly the size its descriptor
// claims). Aborts when a call
//  - returns a code outside the documented ones, or
//  - succeeds although the codec rejects the layer those parameters
//    describe, or produces something other than the codec's decoding.
//
//===----------------------------------------------------------------------===//

#include "RuntimeOracle.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <memory>

using namespace dc::codec;
using dc::fuzz::failCheck;

namespace {

const char *kTool = "dc-fuzz-runtime-api";

int64_t pickInt(FuzzedDataProvider &in) {
  static const int64_t special[] = {0,
                                    1,
                                    2,
                                    7,
                                    8,
                                    9,
                                    255,
                                    256,
                                    257,
                                    65535,
                                    65536,
                                    65537,
                                    -1,
                                    -2,
                                    int64_t(1) << 31,
                                    (int64_t(1) << 31) - 1,
                                    int64_t(1) << 32,
                                    (int64_t(1) << 32) - 1,
                                    (int64_t(1) << 32) + 1,
                                    int64_t(1) << 62,
                                    INT64_MAX,
                                    INT64_MIN};
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
  case 0:
    return in.ConsumeIntegralInRange<int64_t>(0, 16);
  case 1:
    return in.ConsumeIntegralInRange<int64_t>(0, 300);
  case 2:
    return special[in.ConsumeIntegralInRange<size_t>(
        0, sizeof special / sizeof *special - 1)];
  default:
    return in.ConsumeIntegral<int64_t>();
  }
}

/// A buffer and the descriptor that describes it (honestly, unless the
/// fuzzer picks a malformed descriptor, which must then be rejected before
/// any access: such descriptors never claim more than is there).
struct Buffer {
  std::unique_ptr<uint8_t[]> bytes;
  std::vector<uint8_t> copy;
  dcrt_memref1d m;
  bool wellFormed = true;
};

Buffer pickBuffer(FuzzedDataProvider &in, size_t elementBytes, size_t maxCount,
                  bool fill) {
  Buffer b;
  size_t count = in.ConsumeIntegralInRange<size_t>(0, maxCount);
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0)
    count = maxCount; // large enough more often than chance
  size_t offset = in.ConsumeIntegralInRange<int>(0, 7) == 0
                      ? in.ConsumeIntegralInRange<size_t>(1, 3)
                      : 0;
  size_t total = (count + offset) * elementBytes;
  // Exactly `total` bytes: ASan reports any access past them.
  b.bytes.reset(total ? new uint8_t[total] : nullptr);
  for (size_t i = 0; i < total; ++i)
    b.bytes[i] = fill ? in.ConsumeIntegral<uint8_t>() : 0xee;
  b.m.allocated = b.bytes.get();
  b.m.aligned = b.bytes.get();
  b.m.offset = int64_t(offset);
  b.m.size = int64_t(count);
  b.m.stride = 1;
  switch (in.ConsumeIntegralInRange<int>(0, 15)) {
  case 0:
    b.m.offset = -1 - in.ConsumeIntegralInRange<int64_t>(0, 100);
    b.wellFormed = false;
    break;
  case 1:
    b.m.size = -1 - in.ConsumeIntegralInRange<int64_t>(0, 100);
    b.wellFormed = false;
    break;
  case 2:
    if (count > 1) {
      b.m.stride = in.ConsumeBool() ? 0 : 2;
      b.wellFormed = false;
    }
    break;
  case 3:
    if (count > 0) {
      b.m.aligned = nullptr;
      b.wellFormed = false;
    }
    break;
  default:
    break;
  }
  b.copy.assign(b.bytes.get() + offset * elementBytes, b.bytes.get() + total);
  return b;
}

ByteSpan span(const Buffer &b) {
  return ByteSpan(b.copy.data(), b.copy.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  bool csr = in.ConsumeBool();
  int64_t layout = pickInt(in), weightBits = pickInt(in),
          indexBits = pickInt(in), entropy = pickInt(in), rows = pickInt(in),
          cols = pickInt(in), k = pickInt(in), numWeights = pickInt(in),
          numGaps = pickInt(in), coordinateBytes = pickInt(in),
          indexBytes = pickInt(in);
  Buffer weights = pickBuffer(in, 1, 256, true),
         gaps = pickBuffer(in, 1, 256, true),
         rowPtr = pickBuffer(in, 1, 64, true),
         weightLengths = pickBuffer(in, 1, 257, true),
         gapLengths = pickBuffer(in, 1, 257, true);
  Buffer codebook = pickBuffer(in, 4, 257, true);
  Buffer out = pickBuffer(in, 4, 4096, false),
         positions = pickBuffer(in, 1, 4 * 512, false),
         coordinates = pickBuffer(in, 1, 4 * 1024, false),
         indices = pickBuffer(in, 1, 2 * 1024, false);

  int32_t rc;
  if (csr)
    rc = _mlir_ciface_dcrt_decode_csr(
        layout, weightBits, indexBits, entropy, rows, cols, k, numWeights,
        numGaps, &weights.m, &gaps.m, &rowPtr.m, &weightLengths.m,
        &gapLengths.m, coordinateBytes, indexBytes, &positions.m,
        &coordinates.m, &indices.m);
  else
    rc = _mlir_ciface_dcrt_decode_dense(
        layout, weightBits, indexBits, entropy, rows, cols, k, numWeights,
        numGaps, &weights.m, &gaps.m, &rowPtr.m, &weightLengths.m,
        &gapLengths.m, &codebook.m, &out.m);
  if (rc < DCRT_OK || rc > DCRT_ERR_TABLE)
    failCheck(kTool, "undocumented return code " + std::to_string(rc));
  if (rc != DCRT_OK)
    return 0;

  // Success: every input descriptor was well formed and the parameters
  // describe a layer the codec accepts and decodes the same way.
  for (const Buffer *b :
       {&weights, &gaps, &rowPtr, &weightLengths, &gapLengths})
    if (!b->wellFormed)
      failCheck(kTool, "accepted a malformed input descriptor");
  auto fitsU32 = [](int64_t v) { return v >= 0 && v <= int64_t(UINT32_MAX); };
  if (layout < 0 || layout > 2 || weightBits < 1 || weightBits > 8 ||
      indexBits < 0 || indexBits > 8 || entropy < 0 || entropy > 1 ||
      !fitsU32(rows) || !fitsU32(cols) || !fitsU32(k) || !fitsU32(numWeights) ||
      !fitsU32(numGaps))
    failCheck(kTool, "accepted parameters outside the format's ranges");
  LayerView v;
  v.params = {Layout(layout), unsigned(weightBits), unsigned(indexBits),
              Entropy(entropy)};
  v.rows = uint32_t(rows);
  v.cols = uint32_t(cols);
  std::vector<float> cb(size_t(k), 0.0f);
  if (!csr) {
    if (!codebook.wellFormed || codebook.copy.size() < 4 * size_t(k))
      failCheck(kTool, "accepted a codebook smaller than K");
    std::memcpy(cb.data(), codebook.copy.data(), 4 * size_t(k));
  }
  v.codebook = cb.data();
  v.codebookSize = uint32_t(k);
  v.numWeights = uint32_t(numWeights);
  v.numGaps = uint32_t(numGaps);
  v.weights = span(weights);
  v.gaps = span(gaps);
  v.rowPtr = span(rowPtr);
  v.weightCodeLengths = span(weightLengths);
  v.gapCodeLengths = span(gapLengths);
  std::vector<int32_t> ref;
  Status st = decodeIndices(v, ref);
  if (!st.ok())
    failCheck(kTool, "accepted a layer the codec rejects: " + st.message());

  dc::fuzz::RuntimeResult r;
  r.rc = rc;
  std::string diff;
  if (csr) {
    uint64_t lines = layout == 2 ? v.cols : v.rows;
    const uint8_t *pos = positions.bytes.get() + positions.m.offset;
    r.positions.resize(lines + 1);
    std::memcpy(r.positions.data(), pos, 4 * (lines + 1));
    r.coordinates.assign(coordinates.bytes.get() + coordinates.m.offset,
                         coordinates.bytes.get() + coordinates.m.offset +
                             coordinateBytes * numWeights);
    r.indices.assign(indices.bytes.get() + indices.m.offset,
                     indices.bytes.get() + indices.m.offset +
                         indexBytes * numWeights);
    diff = dc::fuzz::compareCSR(v, true, ref, r, unsigned(coordinateBytes),
                                unsigned(indexBytes));
  } else {
    const float *o =
        reinterpret_cast<const float *>(out.bytes.get()) + out.m.offset;
    r.dense.assign(o, o + size_t(rows) * size_t(cols));
    diff = dc::fuzz::compareDense(v, true, ref, r);
  }
  if (!diff.empty())
    failCheck(kTool, diff);
  return 0;
}
