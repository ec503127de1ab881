//===- RuntimeOracle.h - The run-time decoder checked against the codec ---===//
//
// Shared by the run-time fuzzers: runs every entry point of the freestanding
// decoder (lib/Runtime/Decode.c: decode_dense, decode_csr, decode_csr_lines,
// decode_indices) on a layer and compares what they accept and produce with
// the codec's reference decoder (lib/Codec: decodeIndices), never with the
// run-time itself. Every output buffer has exactly the size the call needs,
// so AddressSanitizer sees any overrun.
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
inline dcrt_memref1d memref(::dc::ByteSpan s) {
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

/// The run-time CSR's line count: each stored line of a csr (csc) layer,
/// a row (column), split into runs of `sub` positions (0: not split).
inline uint64_t runtimeLines(const codec::LayerView &v, uint64_t sub) {
  bool csc = v.params.layout == codec::Layout::CSC;
  uint64_t lines = csc ? v.cols : v.rows, length = csc ? v.rows : v.cols;
  return sub && length ? lines * (length / sub) : lines;
}

/// decode_csr (`sub` = 0) or decode_csr_lines with line_length `sub`.
inline RuntimeResult runCSR(const codec::LayerView &v, unsigned coordinateBytes,
                            unsigned indexBytes, uint64_t sub = 0,
                            bool lines = false) {
  LayerMemrefs m(v);
  RuntimeResult r;
  uint64_t count = runtimeLines(v, sub);
  r.positions.assign(count + 1, -7);
  r.coordinates.assign(size_t(coordinateBytes) * v.numWeights, 0xee);
  r.indices.assign(size_t(indexBytes) * v.numWeights, 0xee);
  dcrt_memref1d pos = memref(r.positions.data(), 4 * int64_t(count + 1)),
                crd =
                    memref(r.coordinates.data(), int64_t(r.coordinates.size())),
                idx = memref(r.indices.data(), int64_t(r.indices.size()));
  if (lines)
    r.rc = _mlir_ciface_dcrt_decode_csr_lines(
        int64_t(v.params.layout), v.params.weightBits, v.params.indexBits,
        int64_t(v.params.entropy), v.rows, v.cols, v.codebookSize, v.numWeights,
        v.numGaps, &m.weights, &m.gaps, &m.rowPtr, &m.weightLengths,
        &m.gapLengths, coordinateBytes, indexBytes, int64_t(sub), &pos, &crd,
        &idx);
  else
    r.rc = _mlir_ciface_dcrt_decode_csr(
        int64_t(v.params.layout), v.params.weightBits, v.params.indexBits,
        int64_t(v.params.entropy), v.rows, v.cols, v.codebookSize, v.numWeights,
        v.numGaps, &m.weights, &m.gaps, &m.rowPtr, &m.weightLengths,
        &m.gapLengths, coordinateBytes, indexBytes, &pos, &crd, &idx);
  return r;
}

/// decode_indices: rows * cols indices of `indexBytes`, column-major when
/// `transposed`.
inline RuntimeResult runIndices(const codec::LayerView &v, unsigned indexBytes,
                                bool transposed) {
  LayerMemrefs m(v);
  RuntimeResult r;
  r.indices.assign(size_t(indexBytes) * v.rows * v.cols, 0xee);
  dcrt_memref1d idx = memref(r.indices.data(), int64_t(r.indices.size()));
  r.rc = _mlir_ciface_dcrt_decode_indices(
      int64_t(v.params.layout), v.params.weightBits, v.params.indexBits,
      int64_t(v.params.entropy), v.rows, v.cols, v.codebookSize, v.numWeights,
      v.numGaps, &m.weights, &m.gaps, &m.rowPtr, &m.weightLengths,
      &m.gapLengths, indexBytes, transposed ? 1 : 0, &idx);
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

/// The same for the run-time CSR of decode_csr (`sub` = 0) or of
/// decode_csr_lines with line_length `sub`: each stored line of the codec's
/// decoding cut into runs of `sub` positions, a position per run,
/// coordinates within the run, the codec's index per entry.
inline std::string compareCSR(const codec::LayerView &v, bool refOk,
                              const std::vector<int32_t> &ref,
                              const RuntimeResult &r, unsigned coordinateBytes,
                              unsigned indexBytes, uint64_t sub = 0,
                              const char *entry = "decode_csr") {
  std::string name = entry;
  if (refOk != (r.rc == DCRT_OK))
    return name + " returns " + std::to_string(r.rc) + " but the codec " +
           (refOk ? "accepts" : "rejects") + " the layer";
  if (!refOk)
    return "";
  bool csc = v.params.layout == codec::Layout::CSC;
  uint64_t lines = csc ? v.cols : v.rows, length = csc ? v.rows : v.cols;
  uint64_t run = sub ? sub : length, per = length / run;
  size_t e = 0;
  for (uint64_t line = 0; line < lines; ++line) {
    for (uint64_t k = 0; k < per; ++k) {
      if (r.positions[line * per + k] != int32_t(e))
        return name + ": position " + std::to_string(line * per + k);
      for (uint64_t j = k * run; j < (k + 1) * run; ++j) {
        int32_t want = ref[csc ? j * v.cols + line : line * v.cols + j];
        if (want < 0)
          continue;
        if (e >= v.numWeights ||
            readLE(r.coordinates, e, coordinateBytes) != j - k * run ||
            readLE(r.indices, e, indexBytes) != uint32_t(want))
          return name + ": entry " + std::to_string(e);
        ++e;
      }
    }
  }
  if (r.positions[lines * per] != int32_t(e) || e != v.numWeights)
    return name + ": entry count";
  return "";
}

/// The same for decode_indices: the codec's index at every position, the
/// codebook size at pruned ones, row-major or (`transposed`) column-major.
inline std::string compareIndices(const codec::LayerView &v, bool refOk,
                                  const std::vector<int32_t> &ref,
                                  const RuntimeResult &r, unsigned indexBytes,
                                  bool transposed) {
  if (refOk != (r.rc == DCRT_OK))
    return "decode_indices returns " + std::to_string(r.rc) +
           " but the codec " + (refOk ? "accepts" : "rejects") + " the layer";
  if (!refOk)
    return "";
  for (uint64_t i = 0; i < uint64_t(v.rows) * v.cols; ++i) {
    uint64_t row = i / v.cols, col = i % v.cols;
    uint32_t want = ref[i] < 0 ? v.codebookSize : uint32_t(ref[i]);
    if (readLE(r.indices, transposed ? col * v.rows + row : i, indexBytes) !=
        want)
      return "decode_indices" + std::string(transposed ? " (transposed)" : "") +
             ": index mismatch at (" + std::to_string(row) + ", " +
             std::to_string(col) + ")";
  }
  return "";
}

/// The smallest divisor of `n` above 1 and below n, or 0.
inline uint64_t smallestDivisor(uint64_t n) {
  for (uint64_t d = 2; d * d <= n; ++d)
    if (n % d == 0)
      return d;
  return 0;
}

/// Runs every run-time entry point the layer allows and aborts on the first
/// disagreement with the codec. Returns whether the codec accepted it.
inline bool checkAgainstCodec(const char *tool, const codec::LayerView &v) {
  std::vector<int32_t> ref;
  bool refOk = codec::decodeIndices(v, ref).ok();
  auto check = [&](const std::string &diff) {
    if (!diff.empty())
      failCheck(tool, diff);
  };
  check(compareDense(v, refOk, ref, runDense(v)));
  // decode_indices with each index width the codebook (and, for a sparse
  // layout, the pruned positions' index K) fits, both orders.
  bool sparse = v.params.layout != codec::Layout::Dense;
  for (unsigned ib : {1u, 2u}) {
    if (uint64_t(v.codebookSize) + sparse > (uint64_t(1) << (8 * ib)))
      continue;
    for (bool transposed : {false, true})
      check(compareIndices(v, refOk, ref, runIndices(v, ib, transposed), ib,
                           transposed));
  }
  if (!sparse)
    return refOk;
  uint64_t length = v.params.layout == codec::Layout::CSC ? v.rows : v.cols;
  // decode_csr_lines with runs of 1 position, of the smallest divisor of
  // the line length, and of the whole line (as line_length 0 and L).
  std::vector<uint64_t> subs = {0, 1, length};
  if (uint64_t d = smallestDivisor(length))
    subs.push_back(d);
  for (auto [cb, ib] : {std::pair<unsigned, unsigned>{4, 2}, {2, 1}}) {
    if (cb == 2 && length > 65536)
      continue;
    check(compareCSR(v, refOk, ref, runCSR(v, cb, ib), cb, ib));
    for (uint64_t sub : subs) {
      if (runtimeLines(v, sub) > (1u << 20))
        continue;
      check(compareCSR(v, refOk, ref, runCSR(v, cb, ib, sub, true), cb, ib, sub,
                       "decode_csr_lines"));
    }
  }
  return refOk;
}

} // namespace dc::fuzz

#endif // DC_FUZZ_RUNTIMEORACLE_H
