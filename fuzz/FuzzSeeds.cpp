//===- FuzzSeeds.cpp - Writes the seed corpora of the dc fuzzers ----------===//
//
// dc-fuzz-seeds <outdir> writes <outdir>/layer/* (serialized layers of every
// layout, entropy and a range of bit widths, plus edge cases) and
// <outdir>/huffman/* (inputs in dc-fuzz-huffman's format) and <outdir>/api/*
// (the layers behind dc-fuzz-runtime-api's 16 control bytes, no overrides:
// one seed per run-time entry point the layer's layout allows, so that
// each is checked against the codec from the first run) and <outdir>/mlir/*
// (each layer as the dc.constant and dc.decompress of a module, plus dc's
// attributes and types on their own, for dc-fuzz-dialect-parser), one file
// each. Deterministic.
//
//===----------------------------------------------------------------------===//

#include "dc/Codec/Format.h"
#include "dc/Codec/Huffman.h"

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

using namespace dc;
using namespace dc::codec;

namespace {

uint64_t rngState = 12345;
uint64_t nextRandom() {
  uint64_t z = (rngState += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::fprintf(stderr, "dc-fuzz-seeds: cannot write %s\n", path.c_str());
    return false;
  }
  bool ok = bytes.empty() ||
            std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok &= std::fclose(f) == 0;
  return ok;
}

struct Writer {
  std::string dir;
  unsigned count = 0;
  bool ok = true;
  Writer *api = nullptr;  // also writes each layer as a dc-fuzz-runtime-api seed
  Writer *mlir = nullptr; // ... and as a module (dc-fuzz-dialect-parser)
  void put(const std::string &name, const std::vector<uint8_t> &bytes) {
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%04u-", count++);
    ok &= writeFile(dir + "/" + prefix + name, bytes);
  }
};

std::vector<float> codebookOf(size_t k) {
  std::vector<float> cb(k);
  for (size_t i = 0; i < k; ++i)
    cb[i] = -0.5f + 0.0625f * float(i);
  return cb;
}

std::string hexBlob(const std::vector<uint8_t> &bytes) {
  std::string s = "\"0x01000000"; // alignment 1, then the bytes
  static const char digits[] = "0123456789ABCDEF";
  for (uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s + "\"";
}

/// The layer as the dc.constant (and dc.decompress) dc-opt would print.
std::string moduleText(const EncodedLayer &e) {
  const char *layouts[] = {"dense", "csr", "csc"};
  bool sparse = e.params.layout != Layout::Dense;
  bool huffman = e.params.entropy == Entropy::Huffman;
  std::string shape = std::to_string(e.rows) + "x" + std::to_string(e.cols);
  std::string type =
      "!dc.tensor<" + shape + "xf32, #dc.encoding<" +
      layouts[int(e.params.layout)] +
      ", weightBits = " + std::to_string(e.params.weightBits) +
      (sparse ? ", indexBits = " + std::to_string(e.params.indexBits) : "") +
      (huffman ? ", entropy = huffman" : "") + ">>";
  auto list = [](const auto &values, const char *kind) {
    std::string s = std::string("array<") + kind;
    for (size_t i = 0; i < values.size(); ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.9g", double(values[i]));
      s += (i ? ", " : ": ") + std::string(buf);
    }
    return s + ">";
  };
  auto stream = [](const std::vector<uint8_t> &b, const char *key) {
    return std::string("dense_resource<") + key + "> : tensor<" +
           std::to_string(b.size()) + "xi8>";
  };
  std::string attrs = "codebook = " + list(e.codebook, "f32") +
                      ", num_weights = " + std::to_string(e.numWeights) +
                      " : i64";
  if (sparse)
    attrs += ", num_gaps = " + std::to_string(e.numGaps) + " : i64, row_ptr = " +
             stream(e.rowPtr, "p") + ", gaps = " + stream(e.gaps, "g");
  if (huffman) {
    attrs += ", weight_code_lengths = " + list(e.weightCodeLengths, "i8");
    if (sparse)
      attrs += ", gap_code_lengths = " + list(e.gapCodeLengths, "i8");
  }
  attrs += ", weights = " + stream(e.weights, "w") + ", layer = \"seed\"";
  std::string text =
      "func.func @f() -> tensor<" + shape + "xf32> {\n  %w = dc.constant {" +
      attrs + "} : " + type + "\n  %d = dc.decompress %w : " + type +
      " -> tensor<" + shape + "xf32>\n  return %d : tensor<" + shape +
      "xf32>\n}\n{-#\n  dialect_resources: {\n    builtin: {\n      w: " +
      hexBlob(e.weights);
  if (sparse)
    text += ",\n      p: " + hexBlob(e.rowPtr) + ",\n      g: " + hexBlob(e.gaps);
  return text + "\n    }\n  }\n#-}\n";
}

void putLayer(Writer &w, const std::string &name, Params p, MatrixShape s,
              size_t k, const std::vector<int32_t> &idx) {
  StatusOr<EncodedLayer> enc = encodeLayer(p, s, codebookOf(k), idx.data());
  if (!enc.ok()) {
    std::fprintf(stderr, "dc-fuzz-seeds: %s: %s\n", name.c_str(),
                 enc.message().c_str());
    w.ok = false;
    return;
  }
  std::vector<uint8_t> bytes = serializeLayer(enc->view());
  // Every seed is a valid layer.
  StatusOr<LayerView> parsed = parseLayer(ByteSpan(bytes));
  Status valid = parsed.ok() ? verifyLayer(*parsed) : parsed.status();
  if (!valid.ok()) {
    std::fprintf(stderr, "dc-fuzz-seeds: %s does not verify: %s\n",
                 name.c_str(), valid.message().c_str());
    w.ok = false;
    return;
  }
  w.put(name + ".dcw", bytes);
  if (w.mlir) {
    std::string text = moduleText(*enc);
    w.mlir->put(name + ".mlir", std::vector<uint8_t>(text.begin(), text.end()));
  }
  if (w.api) {
    // FuzzedDataProvider takes the control bytes from the end: byte 15
    // chooses the entry point (0 dense, 1 csr, 2 csr_lines, 3 indices),
    // 12 csr_lines' line length (2: the smallest divisor), 11 indices'
    // order (1: transposed).
    struct Seed {
      const char *suffix;
      uint8_t entry, lineLength, transposed;
    };
    bool sparse = enc->params.layout != Layout::Dense;
    for (Seed seed :
         {Seed{"", 0, 0, 0}, Seed{".csr", 1, 0, 0}, Seed{".lines", 2, 2, 0},
          Seed{".indices", 3, 0, 0}, Seed{".indices-t", 3, 0, 1}}) {
      if (!sparse && (seed.entry == 1 || seed.entry == 2))
        continue;
      std::vector<uint8_t> api(16, 0);
      api[15] = seed.entry;
      api[12] = seed.lineLength;
      api[11] = seed.transposed;
      api.insert(api.end(), bytes.begin(), bytes.end());
      w.api->put(name + seed.suffix + ".api", api);
    }
  }
}

std::vector<int32_t> randomIndices(size_t n, size_t k, unsigned keepPercent,
                                   bool dense) {
  std::vector<int32_t> idx(n);
  for (auto &i : idx) {
    if (!dense && nextRandom() % 100 >= keepPercent)
      i = -1;
    else
      i = int32_t(nextRandom() % 2 ? nextRandom() % k
                                   : nextRandom() % ((k + 3) / 4));
  }
  return idx;
}

void writeLayers(Writer &w) {
  const char *layoutName[] = {"dense", "csr", "csc"};
  const char *entropyName[] = {"raw", "huff"};
  const unsigned bits[][2] = {{1, 1}, {2, 3}, {4, 2}, {5, 5}, {8, 8}, {3, 1}};
  for (unsigned l = 0; l < 3; ++l)
    for (unsigned e = 0; e < 2; ++e)
      for (auto wb : bits) {
        Params p;
        p.layout = Layout(l);
        p.entropy = Entropy(e);
        p.weightBits = wb[0];
        p.indexBits = l == 0 ? 0 : wb[1];
        size_t k = std::min<size_t>(size_t(1) << wb[0], 1 + nextRandom() % 40);
        MatrixShape s{uint32_t(1 + nextRandom() % 12),
                      uint32_t(1 + nextRandom() % 40)};
        std::string name = std::string(layoutName[l]) + "-" + entropyName[e] +
                           "-w" + std::to_string(wb[0]) + "-b" +
                           std::to_string(p.indexBits);
        putLayer(w, name, p, s, k,
                 randomIndices(size_t(s.rows) * s.cols, k, 20, l == 0));
        if (l != 0)
          putLayer(w, name + "-sparse", p, s, k,
                   randomIndices(size_t(s.rows) * s.cols, k, 3, false));
      }
  // Edge cases.
  for (unsigned l = 0; l < 3; ++l)
    for (unsigned e = 0; e < 2; ++e) {
      std::string tag = std::string(layoutName[l]) + "-" + entropyName[e];
      Params p;
      p.layout = Layout(l);
      p.entropy = Entropy(e);
      p.weightBits = 1;
      p.indexBits = l == 0 ? 0 : 1;
      putLayer(w, tag + "-1x1", p, {1, 1}, 1, {0});
      putLayer(w, tag + "-one-value", p, {3, 5}, 1,
               std::vector<int32_t>(15, 0));
      if (l == 0)
        continue;
      putLayer(w, tag + "-1x1-pruned", p, {1, 1}, 1, {-1});
      putLayer(w, tag + "-all-pruned-k0", p, {4, 6}, 0,
               std::vector<int32_t>(24, -1));
      p.weightBits = 3;
      p.indexBits = 2; // E = 3
      for (unsigned gap : {2u, 3u, 4u, 6u, 7u}) {
        std::vector<int32_t> idx(2 * 12, -1);
        idx[gap] = 1;
        idx[12 + 11] = 2;
        putLayer(w, tag + "-gap" + std::to_string(gap), p, {2, 12}, 5, idx);
      }
      std::vector<int32_t> rows(5 * 4, -1);
      for (int c = 0; c < 4; ++c)
        rows[3 * 4 + c] = c;
      putLayer(w, tag + "-empty-rows", p, {5, 4}, 4, rows);
    }
}

/// dc-fuzz-huffman input: mode, alphabet-1, count (u16), table, stream.
std::vector<uint8_t> huffmanInput(uint8_t mode,
                                  const std::vector<uint8_t> &table,
                                  size_t count,
                                  const std::vector<uint8_t> &stream) {
  std::vector<uint8_t> in = {mode, uint8_t(table.size() - 1), uint8_t(count),
                             uint8_t(count >> 8)};
  in.insert(in.end(), table.begin(), table.end());
  in.insert(in.end(), stream.begin(), stream.end());
  return in;
}

void writeHuffman(Writer &w) {
  for (size_t alphabet : {1, 2, 3, 5, 16, 33, 256}) {
    for (unsigned skew : {0u, 1u, 2u}) {
      std::vector<uint64_t> counts(alphabet);
      for (size_t s = 0; s < alphabet; ++s)
        counts[s] = skew == 0 ? 1 + nextRandom() % 4
                    : skew == 1
                        ? (nextRandom() % 3 ? 0 : 1 + nextRandom() % 100)
                        : (s < 40 ? (uint64_t(1) << (s % 20)) : 1);
      std::vector<uint8_t> lengths = buildCodeLengths(counts);
      std::vector<uint32_t> used, symbols;
      for (size_t s = 0; s < alphabet; ++s)
        if (lengths[s])
          used.push_back(uint32_t(s));
      size_t n = used.empty() ? 0 : nextRandom() % 300;
      for (size_t i = 0; i < n; ++i)
        symbols.push_back(used[nextRandom() % used.size()]);
      StatusOr<std::vector<uint8_t>> enc =
          huffmanEncode(symbols, ByteSpan(lengths));
      if (!enc.ok()) {
        w.ok = false;
        continue;
      }
      std::string name =
          "a" + std::to_string(alphabet) + "-s" + std::to_string(skew);
      w.put(name + ".huf", huffmanInput(0, lengths, n, *enc));
      std::vector<uint8_t> countBytes(alphabet);
      for (size_t s = 0; s < alphabet; ++s)
        countBytes[s] = uint8_t(std::min<uint64_t>(counts[s], 255));
      w.put(name + "-build.huf", huffmanInput(1, countBytes, 0, *enc));
    }
  }
  w.put("single.huf", huffmanInput(0, {0, 1}, 8, {0x00}));
  w.put("empty.huf", huffmanInput(0, {0, 0, 0}, 0, {}));
  w.put("golden.huf", huffmanInput(0, {2, 1, 3, 3}, 4, {0xFA, 0x00}));
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: dc-fuzz-seeds <outdir>\n");
    return 2;
  }
  std::string out = argv[1];
  std::error_code ec;
  std::filesystem::create_directories(out + "/layer", ec);
  if (!ec)
    std::filesystem::create_directories(out + "/huffman", ec);
  if (!ec)
    std::filesystem::create_directories(out + "/api", ec);
  if (!ec)
    std::filesystem::create_directories(out + "/mlir", ec);
  if (ec) {
    std::fprintf(stderr, "dc-fuzz-seeds: cannot create %s: %s\n", out.c_str(),
                 ec.message().c_str());
    return 1;
  }
  Writer layers{out + "/layer"}, huffman{out + "/huffman"}, api{out + "/api"},
      mlir{out + "/mlir"};
  layers.api = &api;
  layers.mlir = &mlir;
  writeLayers(layers);
  // dc's attributes and types alone.
  for (const char *text :
       {"#dc.encoding<csr, weightBits = 5, indexBits = 5, entropy = huffman>",
        "#dc.encoding<dense, weightBits = 8>",
        "#dc.runtime<form = csr, kernel = fc_rows, lines = 300, "
        "coordinateBytes = 2, indexBytes = 1>",
        "#dc.runtime<form = grid, kernel = dense_loops, indexBytes = 1, "
        "transposed = true, prunedEntry = true>",
        "#dc.runtime<form = dense, kernel = dense_loops>",
        "!dc.tensor<300x784xf32, #dc.encoding<csc, weightBits = 6, "
        "indexBits = 4>>",
        "!dc.tensor<20x1x5x5xf32, #dc.encoding<dense, weightBits = 8, "
        "entropy = huffman>>"})
    mlir.put("attr.txt", std::vector<uint8_t>(text, text + std::strlen(text)));
  writeHuffman(huffman);
  if (!layers.ok || !huffman.ok || !api.ok || !mlir.ok)
    return 1;
  std::printf("dc-fuzz-seeds: wrote %u layer and %u huffman seeds to %s\n",
              layers.count, huffman.count, out.c_str());
  return 0;
}
