//===- RuntimeOracle.h - The run-time decoder checked against the codec ---===//
//
// Shared by the run-time fuzzers: runs both entry points of the freestanding
// decoder (lib/Runtime/Decode.c) on a layer and compares what they accept and
// produce with the codec (lib/Codec), the reference. Every output buffer has
// exactly the size the call needs, so AddressSanitizer sees any overrun.
//
//===----------------------------------------------------------------------===//

#ifndef DC_FUZZ_RUNTIMEORACLE_H
#define DC_FUZZ_RUNTIMEORACLE_H

#include "dc/Codec/Format.h"
#include "dc/Runtime/Decode.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace dc::fuzz {

[[noreturn]] inline void failCheck(const char *tool, const std::string &what) {
  std::fprintf(stderr, "%s: %s\n", tool, what.c_str());
  std::abort();
}

inline dcrt_memref1d memref(const void *data, int64_t size) {
  dcrt_memref1d m;
  m.allocated = m.aligned = const_cast<void *>(data);
  m.offset = 0;
  m.size = size;
  m.stride = 1;
  return m;
}
inline dcrt_memref1d memref(codec::ByteSpan s) {
  return memref(s.data, int64_t(s.size));
}

/// What the run-time decoder made of a layer.
struct RuntimeResult {
  int32_t rc = -1;
  std::vector<float> dense;         // decode_dense
  std::vector<int32_t> positions;   // decode_csr, as int32
  std::vector<uint8_t> coordinates; // coordinateBytes each, little-endian
  std::vector<uint8_t> indices;     // indexBytes each, little-endian
};

/// The stored fields of `v` as the memrefs generated code passes.
struct LayerMemrefs {
  dcrt_memref1d weights, gaps, rowPtr, weightLengths, gapLengths;
  explicit LayerMemrefs(const codec::LayerView &v)
      : weights(memref(v.weights)), gaps(memref(v.gaps)),
        rowPtr(memref(v.rowPtr)), weightLengths(memref(v.weightCodeLengths)),
        gapLengths(memref(v.gapCodeLengths)) {}
};

inline RuntimeResult runDense(const codec::LayerView &v) {
  LayerMemrefs m(v);
  RuntimeResult r;
  std::vector<float> codebook(v.codebook, v.codebook + v.codebookSize);
  r.dense.assign(size_t(v.rows) * v.cols, -7.0f);
  dcrt_memref1d cb = memref(codebook.data(), int64_t(codebook.size())),
                out = memref(r.dense.data(), int64_t(r.dense.size()));
  r.rc = _mlir_ciface_dcrt_decode_dense(
      int64_t(v.params.layout), v.params.weightBits, v.params.indexBits,
      int64_t(v.params.entropy), v.rows, v.cols, v.codebookSize, v.numWeights,
      v.numGaps, &m.weights, &m.gaps, &m.rowPtr, &m.weightLengths,
      &m.gapLengths, &cb, &out);
  return r;
}

inline RuntimeResult runCSR(const codec::LayerView &v, unsigned coordinateBytes,
                            unsigned indexBytes) {
  LayerMemrefs m(v);
  RuntimeResult r;
  uint64_t lines = v.params.layout == codec::Layout::CSC ? v.cols : v.rows;
  r.positions.assign(lines + 1, -7);
  r.coordinates.assign(size_t(coordinateBytes) * v.numWeights, 0xee);
  r.indices.assign(size_t(indexBytes) * v.numWeights, 0xee);
  dcrt_memref1d pos = memref(r.positions.data(), 4 * int64_t(lines + 1)),
                crd =
                    memref(r.coordinates.data(), int64_t(r.coordinates.size())),
                idx = memref(r.indices.data(), int64_t(r.indices.size()));
  r.rc = _mlir_ciface_dcrt_decode_csr(
      int64_t(v.params.layout), v.params.weightBits, v.params.indexBits,
      int64_t(v.params.entropy), v.rows, v.cols, v.codebookSize, v.numWeights,
      v.numGaps, &m.weights, &m.gaps, &m.rowPtr, &m.weightLengths,
      &m.gapLengths, coordinateBytes, indexBytes, &pos, &crd, &idx);
  return r;
}

inline uint32_t readLE(const std::vector<uint8_t> &b, size_t i,
                       unsigned bytes) {
  uint32_t v = 0;
  for (unsigned k = 0; k < bytes; ++k)
    v |= uint32_t(b[i * bytes + k]) << (8 * k);
  return v;
}

/// Empty when the dense result agrees with the codec's decoding `ref` of
/// `v` (accepted iff `refOk`; then bit-identical values), else what differs.
inline std::string compareDense(const codec::LayerView &v, bool refOk,
                                const std::vector<int32_t> &ref,
                                const RuntimeResult &r) {
  if (refOk != (r.rc == DCRT_OK))
    return "decode_dense returns " + std::to_string(r.rc) + " but the codec " +
           (refOk ? "accepts" : "rejects") + " the layer";
  if (!refOk)
    return "";
  for (size_t i = 0; i < ref.size(); ++i) {
    float want = ref[i] < 0 ? 0.0f : v.codebook[ref[i]];
    if (std::memcmp(&want, &r.dense[i], 4) != 0)
      return "decode_dense: value mismatch at " + std::to_string(i);
  }
  return "";
}

/// The same for the run-time CSR of decode_csr.
inline std::string compareCSR(const codec::LayerView &v, bool refOk,
                              const std::vector<int32_t> &ref,
                              const RuntimeResult &r, unsigned coordinateBytes,
                              unsigned indexBytes) {
  if (refOk != (r.rc == DCRT_OK))
    return "decode_csr returns " + std::to_string(r.rc) + " but the codec " +
           (refOk ? "accepts" : "rejects") + " the layer";
  if (!refOk)
    return "";
  bool csc = v.params.layout == codec::Layout::CSC;
  uint64_t lines = csc ? v.cols : v.rows, length = csc ? v.rows : v.cols;
  size_t e = 0;
  for (uint64_t line = 0; line < lines; ++line) {
    if (r.positions[line] != int32_t(e))
      return "decode_csr: position " + std::to_string(line);
    for (uint64_t j = 0; j < length; ++j) {
      int32_t want = ref[csc ? j * v.cols + line : line * v.cols + j];
      if (want < 0)
        continue;
      if (e >= v.numWeights || readLE(r.coordinates, e, coordinateBytes) != j ||
          readLE(r.indices, e, indexBytes) != uint32_t(want))
        return "decode_csr: entry " + std::to_string(e);
      ++e;
    }
  }
  if (r.positions[lines] != int32_t(e) || e != v.numWeights)
    return "decode_csr: entry count";
  return "";
}

/// Runs every run-time entry point the layer allows and aborts on the first
/// disagreement with the codec. Returns whether the codec accepted it.
inline bool checkAgainstCodec(const char *tool, const codec::LayerView &v) {
  std::vector<int32_t> ref;
  bool refOk = codec::decodeIndices(v, ref).ok();
  if (std::string d = compareDense(v, refOk, ref, runDense(v)); !d.empty())
    failCheck(tool, d);
  if (v.params.layout == codec::Layout::Dense)
    return refOk;
  uint64_t length = v.params.layout == codec::Layout::CSC ? v.rows : v.cols;
  for (auto [cb, ib] : {std::pair<unsigned, unsigned>{4, 2}, {2, 1}}) {
    if (cb == 2 && length > 65536)
      continue;
    if (std::string d = compareCSR(v, refOk, ref, runCSR(v, cb, ib), cb, ib);
        !d.empty())
      failCheck(tool, d);
  }
  return refOk;
}

} // namespace dc::fuzz

#endif // DC_FUZZ_RUNTIMEORACLE_H
