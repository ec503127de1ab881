//===- FuzzRuntimeAPI.cpp - The run-time C API with arbitrary parameters --===//
//
// Calls every entry point of the run-time decoder
// (include/dc/Runtime/Decode.h: _mlir_ciface_dcrt_decode_dense, _csr,
// _csr_lines and _indices) with parameters chosen by the fuzzer: any int64
// header field (negative, 2^32, 2^62, ...), any coordinate and index width,
// line length and order, streams and tables of any content and length,
// memref descriptors with bad sizes, offsets and strides, and output buffers
// of any size. Run under ASan and UBSan (every buffer has exactly the size
// its descriptor claims, so any access past it is reported).
//
// Input: kControlBytes of control, then either a serialized layer
// (docs/Format.md section 7; the seed corpus, dc-fuzz-seeds' api/, is the
// encoder's layers behind zero control bytes) whose fields the control bytes
// may override one by one, or, when the rest is no layer, arbitrary
// parameters and buffers drawn from it.
//
// Aborts when a call
//  - returns a code outside the documented ones, or
//  - succeeds although a descriptor is malformed or the codec rejects the
//    layer the parameters describe, or produces something other than the
//    codec's decoding (RuntimeOracle.h compares with the codec's reference
//    decoder, never with another run-time entry point).
//
//===----------------------------------------------------------------------===//

#include "RuntimeOracle.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <memory>

using namespace dc;
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

/// Malforms a descriptor as `how` says (0..3; anything else: not at all).
void malform(Buffer &b, int how, FuzzedDataProvider &in) {
  switch (how) {
  case 0:
    b.m.offset = -1 - in.ConsumeIntegralInRange<int64_t>(0, 100);
    b.wellFormed = false;
    break;
  case 1:
    b.m.size = -1 - in.ConsumeIntegralInRange<int64_t>(0, 100);
    b.wellFormed = false;
    break;
  case 2:
    if (b.m.size > 1) {
      b.m.stride = in.ConsumeBool() ? 0 : 2;
      b.wellFormed = false;
    }
    break;
  case 3:
    if (b.m.size > 0) {
      b.m.aligned = nullptr;
      b.wellFormed = false;
    }
    break;
  default:
    break;
  }
}

/// A buffer of `count` elements behind `offset` elements, holding `content`
/// (zero-extended or cut to fit) or 0xee bytes.
Buffer makeBuffer(size_t elementBytes, size_t count, size_t offset,
                  const uint8_t *content, size_t contentBytes) {
  Buffer b;
  size_t total = (count + offset) * elementBytes;
  // Exactly `total` bytes: ASan reports any access past them.
  b.bytes.reset(total ? new uint8_t[total] : nullptr);
  for (size_t i = 0; i < total; ++i)
    b.bytes[i] = 0xee;
  for (size_t i = 0; content && i < contentBytes && i < count * elementBytes;
       ++i)
    b.bytes[offset * elementBytes + i] = content[i];
  b.m.allocated = b.bytes.get();
  b.m.aligned = b.bytes.get();
  b.m.offset = int64_t(offset);
  b.m.size = int64_t(count);
  b.m.stride = 1;
  b.copy.assign(b.bytes.get() + offset * elementBytes, b.bytes.get() + total);
  return b;
}

/// A buffer of fuzzer-chosen size, offset, content and descriptor.
Buffer pickBuffer(FuzzedDataProvider &in, size_t elementBytes, size_t maxCount,
                  bool fill) {
  size_t count = in.ConsumeIntegralInRange<size_t>(0, maxCount);
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0)
    count = maxCount; // large enough more often than chance
  size_t offset = in.ConsumeIntegralInRange<int>(0, 7) == 0
                      ? in.ConsumeIntegralInRange<size_t>(1, 3)
                      : 0;
  std::vector<uint8_t> content =
      fill ? in.ConsumeBytes<uint8_t>(count * elementBytes)
           : std::vector<uint8_t>();
  Buffer b =
      makeBuffer(elementBytes, count, offset, content.data(), content.size());
  malform(b, in.ConsumeIntegralInRange<int>(0, 15), in);
  return b;
}

ByteSpan span(const Buffer &b) {
  return ByteSpan(b.copy.data(), b.copy.size());
}

/// The entry point a call goes to.
enum class Entry { Dense, CSR, CSRLines, Indices };

/// One call of the C API and what it was given.
struct Call {
  Entry entry = Entry::Dense;
  int64_t layout = 0, weightBits = 0, indexBits = 0, entropy = 0, rows = 0,
          cols = 0, k = 0, numWeights = 0, numGaps = 0, coordinateBytes = 0,
          indexBytes = 0, lineLength = 0, transposed = 0;
  Buffer weights, gaps, rowPtr, weightLengths, gapLengths;
  Buffer codebook, out, positions, coordinates, indices;
};

void arbitraryCall(Call &c, FuzzedDataProvider &in) {
  c.entry = Entry(in.ConsumeIntegralInRange<int>(0, 3));
  for (int64_t *v :
       {&c.layout, &c.weightBits, &c.indexBits, &c.entropy, &c.rows, &c.cols,
        &c.k, &c.numWeights, &c.numGaps, &c.coordinateBytes, &c.indexBytes,
        &c.lineLength, &c.transposed})
    *v = pickInt(in);
  c.weights = pickBuffer(in, 1, 256, true);
  c.gaps = pickBuffer(in, 1, 256, true);
  c.rowPtr = pickBuffer(in, 1, 64, true);
  c.weightLengths = pickBuffer(in, 1, 257, true);
  c.gapLengths = pickBuffer(in, 1, 257, true);
  c.codebook = pickBuffer(in, 4, 257, true);
  c.out = pickBuffer(in, 4, 4096, false);
  c.positions = pickBuffer(in, 1, 4 * 512, false);
  c.coordinates = pickBuffer(in, 1, 4 * 1024, false);
  c.indices = pickBuffer(in, 1, 2 * 1024, false);
}

/// A parsed layer's call, with the fields and buffers `control` overrides.
void layerCall(Call &c, const LayerView &v, FuzzedDataProvider &control) {
  c.entry = Entry(control.ConsumeIntegralInRange<int>(0, 3));
  // The run-time CSR needs a sparse layout.
  if (v.params.layout == Layout::Dense &&
      (c.entry == Entry::CSR || c.entry == Entry::CSRLines))
    c.entry = Entry::Dense;
  c.layout = int64_t(v.params.layout);
  c.weightBits = v.params.weightBits;
  c.indexBits = v.params.indexBits;
  c.entropy = int64_t(v.params.entropy);
  c.rows = v.rows;
  c.cols = v.cols;
  c.k = v.codebookSize;
  c.numWeights = v.numWeights;
  c.numGaps = v.numGaps;
  uint64_t length = v.params.layout == Layout::CSC ? v.rows : v.cols;
  c.coordinateBytes = length > 65536 || control.ConsumeBool() ? 4 : 2;
  // decode_indices also stores K at a sparse layout's pruned positions.
  uint64_t largest =
      uint64_t(v.codebookSize) +
      (c.entry == Entry::Indices && v.params.layout != Layout::Dense);
  c.indexBytes = largest > 256 || control.ConsumeBool() ? 2 : 1;
  // A line length the stored lines split into: 0 (whole), 1, the smallest
  // divisor above 1, or the length itself.
  uint64_t divisor = dc::fuzz::smallestDivisor(length);
  uint64_t lineLengths[] = {0, 1, divisor ? divisor : length, length};
  c.lineLength =
      int64_t(lineLengths[control.ConsumeIntegralInRange<int>(0, 3)]);
  c.transposed = control.ConsumeBool();
  uint16_t overrides = control.ConsumeIntegral<uint16_t>();
  int64_t *fields[] = {&c.layout,     &c.weightBits,
                       &c.indexBits,  &c.entropy,
                       &c.rows,       &c.cols,
                       &c.k,          &c.numWeights,
                       &c.numGaps,    &c.coordinateBytes,
                       &c.indexBytes, &c.lineLength,
                       &c.transposed};
  for (unsigned i = 0; i < 13; ++i)
    if (overrides >> i & 1)
      *fields[i] = pickInt(control);
  auto stream = [&](ByteSpan s) {
    return makeBuffer(1, s.size, 0, s.data, s.size);
  };
  c.weights = stream(v.weights);
  c.gaps = stream(v.gaps);
  c.rowPtr = stream(v.rowPtr);
  c.weightLengths = stream(v.weightCodeLengths);
  c.gapLengths = stream(v.gapCodeLengths);
  c.codebook = makeBuffer(4, v.codebookSize, 0,
                          reinterpret_cast<const uint8_t *>(v.codebook),
                          4 * size_t(v.codebookSize));
  // Outputs of exactly the size the layer needs, or one element fewer.
  uint64_t lines = v.params.layout == Layout::CSC ? v.cols : v.rows;
  int shrink = control.ConsumeIntegralInRange<int>(0, 7);
  auto output = [&](size_t elementBytes, size_t count, int which) {
    if (shrink == which && count > 0)
      --count;
    return makeBuffer(elementBytes, count, 0, nullptr, 0);
  };
  if (c.entry == Entry::CSRLines && c.lineLength > 0 &&
      uint64_t(c.lineLength) <= length && length % c.lineLength == 0)
    lines *= length / uint64_t(c.lineLength);
  size_t indexWidth = c.indexBytes == 2 ? 2 : 1;
  c.out = output(4, size_t(v.rows) * v.cols, 1);
  c.positions = output(1, 4 * (lines + 1), 2);
  c.coordinates =
      output(1, size_t(c.coordinateBytes == 4 ? 4 : 2) * v.numWeights, 3);
  c.indices =
      output(1,
             indexWidth * (c.entry == Entry::Indices ? size_t(v.rows) * v.cols
                                                     : size_t(v.numWeights)),
             4);
  Buffer *all[] = {&c.weights,     &c.gaps,     &c.rowPtr, &c.weightLengths,
                   &c.gapLengths,  &c.codebook, &c.out,    &c.positions,
                   &c.coordinates, &c.indices};
  // 0 (as in the seeds): every descriptor well formed.
  int which = control.ConsumeIntegralInRange<int>(0, 31);
  if (which >= 1 && which <= 10)
    malform(*all[which - 1], control.ConsumeIntegralInRange<int>(0, 3),
            control);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  constexpr size_t kControlBytes = 16;
  if (size < kControlBytes)
    return 0;
  FuzzedDataProvider control(data, kControlBytes);
  ByteSpan rest(data + kControlBytes, size - kControlBytes);
  StatusOr<LayerView> layer = parseLayer(rest);
  Call c;
  if (layer.ok() && uint64_t(layer->rows) * layer->cols <= (1u << 16)) {
    layerCall(c, *layer, control);
  } else {
    FuzzedDataProvider in(rest.data, rest.size);
    arbitraryCall(c, in);
  }

  int32_t rc = 0;
  switch (c.entry) {
  case Entry::Dense:
    rc = _mlir_ciface_dcrt_decode_dense(
        c.layout, c.weightBits, c.indexBits, c.entropy, c.rows, c.cols, c.k,
        c.numWeights, c.numGaps, &c.weights.m, &c.gaps.m, &c.rowPtr.m,
        &c.weightLengths.m, &c.gapLengths.m, &c.codebook.m, &c.out.m);
    break;
  case Entry::CSR:
    rc = _mlir_ciface_dcrt_decode_csr(
        c.layout, c.weightBits, c.indexBits, c.entropy, c.rows, c.cols, c.k,
        c.numWeights, c.numGaps, &c.weights.m, &c.gaps.m, &c.rowPtr.m,
        &c.weightLengths.m, &c.gapLengths.m, c.coordinateBytes, c.indexBytes,
        &c.positions.m, &c.coordinates.m, &c.indices.m);
    break;
  case Entry::CSRLines:
    rc = _mlir_ciface_dcrt_decode_csr_lines(
        c.layout, c.weightBits, c.indexBits, c.entropy, c.rows, c.cols, c.k,
        c.numWeights, c.numGaps, &c.weights.m, &c.gaps.m, &c.rowPtr.m,
        &c.weightLengths.m, &c.gapLengths.m, c.coordinateBytes, c.indexBytes,
        c.lineLength, &c.positions.m, &c.coordinates.m, &c.indices.m);
    break;
  case Entry::Indices:
    rc = _mlir_ciface_dcrt_decode_indices(
        c.layout, c.weightBits, c.indexBits, c.entropy, c.rows, c.cols, c.k,
        c.numWeights, c.numGaps, &c.weights.m, &c.gaps.m, &c.rowPtr.m,
        &c.weightLengths.m, &c.gapLengths.m, c.indexBytes, c.transposed,
        &c.indices.m);
    break;
  }
  if (rc < DCRT_OK || rc > DCRT_ERR_TABLE)
    failCheck(kTool, "undocumented return code " + std::to_string(rc));
  if (rc != DCRT_OK)
    return 0;

  // Success: every descriptor was well formed and the parameters describe a
  // layer the codec accepts and decodes the same way.
  bool csr = c.entry == Entry::CSR || c.entry == Entry::CSRLines;
  std::vector<const Buffer *> used = {&c.weights, &c.gaps, &c.rowPtr,
                                      &c.weightLengths, &c.gapLengths};
  if (csr)
    used.insert(used.end(), {&c.positions, &c.coordinates, &c.indices});
  else if (c.entry == Entry::Indices)
    used.push_back(&c.indices);
  else
    used.insert(used.end(), {&c.codebook, &c.out});
  for (const Buffer *b : used)
    if (!b->wellFormed)
      failCheck(kTool, "accepted a malformed descriptor");
  auto fitsU32 = [](int64_t v) { return v >= 0 && v <= int64_t(UINT32_MAX); };
  if (c.layout < 0 || c.layout > 2 || c.weightBits < 1 || c.weightBits > 8 ||
      c.indexBits < 0 || c.indexBits > 8 || c.entropy < 0 || c.entropy > 1 ||
      !fitsU32(c.rows) || !fitsU32(c.cols) || !fitsU32(c.k) ||
      !fitsU32(c.numWeights) || !fitsU32(c.numGaps))
    failCheck(kTool, "accepted parameters outside the format's ranges");
  bool sparse = c.layout != 0;
  uint64_t length = c.layout == 2 ? uint64_t(c.rows) : uint64_t(c.cols);
  if (csr && (!sparse || (c.coordinateBytes != 2 && c.coordinateBytes != 4) ||
              (c.indexBytes != 1 && c.indexBytes != 2)))
    failCheck(kTool, "accepted a run-time CSR of a dense layout or widths "
                     "other than 2/4 and 1/2 bytes");
  if (c.entry == Entry::CSRLines &&
      (c.lineLength < 0 ||
       (c.lineLength > 0 && length % uint64_t(c.lineLength) != 0)))
    failCheck(kTool, "accepted line_length " + std::to_string(c.lineLength) +
                         " for lines of " + std::to_string(length));
  if (c.entry == Entry::Indices &&
      ((c.indexBytes != 1 && c.indexBytes != 2) ||
       (c.transposed != 0 && c.transposed != 1) ||
       uint64_t(c.k) + sparse > (uint64_t(1) << (8 * c.indexBytes))))
    failCheck(kTool, "accepted decode_indices widths or order out of range");
  LayerView v;
  v.params = {Layout(c.layout), unsigned(c.weightBits), unsigned(c.indexBits),
              Entropy(c.entropy)};
  v.rows = uint32_t(c.rows);
  v.cols = uint32_t(c.cols);
  std::vector<float> cb(size_t(c.k), 0.0f);
  if (c.entry == Entry::Dense) {
    if (c.codebook.copy.size() < 4 * size_t(c.k))
      failCheck(kTool, "accepted a codebook smaller than K");
    if (c.k > 0)
      std::memcpy(cb.data(), c.codebook.copy.data(), 4 * size_t(c.k));
  }
  v.codebook = cb.data();
  v.codebookSize = uint32_t(c.k);
  v.numWeights = uint32_t(c.numWeights);
  v.numGaps = uint32_t(c.numGaps);
  v.weights = span(c.weights);
  v.gaps = span(c.gaps);
  v.rowPtr = span(c.rowPtr);
  v.weightCodeLengths = span(c.weightLengths);
  v.gapCodeLengths = span(c.gapLengths);
  std::vector<int32_t> ref;
  Status st = decodeIndices(v, ref);
  if (!st.ok())
    failCheck(kTool, "accepted a layer the codec rejects: " + st.message());

  dc::fuzz::RuntimeResult r;
  r.rc = rc;
  std::string diff;
  if (csr) {
    uint64_t sub = c.entry == Entry::CSRLines ? uint64_t(c.lineLength) : 0;
    uint64_t lines = dc::fuzz::runtimeLines(v, sub);
    const uint8_t *pos = c.positions.bytes.get() + c.positions.m.offset;
    if (c.positions.copy.size() < 4 * (lines + 1))
      failCheck(kTool, "accepted a positions buffer too small");
    r.positions.resize(lines + 1);
    std::memcpy(r.positions.data(), pos, 4 * (lines + 1));
    const uint8_t *crd = c.coordinates.bytes.get() + c.coordinates.m.offset;
    r.coordinates.assign(crd, crd + c.coordinateBytes * c.numWeights);
    const uint8_t *idx = c.indices.bytes.get() + c.indices.m.offset;
    r.indices.assign(idx, idx + c.indexBytes * c.numWeights);
    diff = dc::fuzz::compareCSR(
        v, true, ref, r, unsigned(c.coordinateBytes), unsigned(c.indexBytes),
        sub, c.entry == Entry::CSR ? "decode_csr" : "decode_csr_lines");
  } else if (c.entry == Entry::Indices) {
    const uint8_t *idx = c.indices.bytes.get() + c.indices.m.offset;
    r.indices.assign(idx, idx + size_t(c.indexBytes) * size_t(c.rows) *
                                    size_t(c.cols));
    diff = dc::fuzz::compareIndices(v, true, ref, r, unsigned(c.indexBytes),
                                    c.transposed == 1);
  } else {
    const float *o =
        reinterpret_cast<const float *>(c.out.bytes.get()) + c.out.m.offset;
    r.dense.assign(o, o + size_t(c.rows) * size_t(c.cols));
    diff = dc::fuzz::compareDense(v, true, ref, r);
  }
  if (!diff.empty())
    failCheck(kTool, diff);
  return 0;
}
