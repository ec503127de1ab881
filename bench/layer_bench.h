// layer_bench.h - what bench/sparse_layer.cpp and bench/sparse_conv.cpp
// share: dc-compile'd libraries loaded by name, interleaved hot and cold
// timing with medians, and this machine's read bandwidth.
#ifndef DC_BENCH_LAYER_BENCH_H
#define DC_BENCH_LAYER_BENCH_H

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bench {

inline double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline volatile char sink;

/// Evicts the caches: a 64 MB buffer written.
inline void flush() {
  static std::vector<char> buffer(64 << 20);
  for (size_t i = 0; i < buffer.size(); i += 64)
    buffer[i] = char(buffer[i] + 1);
  sink = buffer[12345];
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// A dc-compile'd layer: PREFIX_forward(workspace, x, y) after PREFIX_init.
struct Library {
  std::string name;
  void *ws;
  int (*forward)(void *, const float *, float *);
};

/// LIST: NAME=PATH[,NAME=PATH...]. Exits with a message on any failure.
inline std::vector<Library> loadLibraries(const std::string &list,
                                          const std::string &prefix,
                                          const char *tool) {
  std::vector<Library> libraries;
  for (std::string rest = list; !rest.empty();) {
    size_t comma = rest.find(',');
    std::string item = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    size_t eq = item.find('=');
    std::string name = item.substr(0, eq), path = item.substr(eq + 1);
    void *lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      std::fprintf(stderr, "%s: %s\n", tool, dlerror());
      std::exit(1);
    }
    auto wsSize =
        (size_t(*)())dlsym(lib, (prefix + "_workspace_size").c_str());
    auto init = (int (*)(void *))dlsym(lib, (prefix + "_init").c_str());
    auto forward = (int (*)(void *, const float *, float *))dlsym(
        lib, (prefix + "_forward").c_str());
    if (!wsSize || !init || !forward) {
      std::fprintf(stderr, "%s: %s has no %s_ API\n", tool, path.c_str(),
                   prefix.c_str());
      std::exit(1);
    }
    void *ws = std::aligned_alloc(64, (wsSize() + 63) / 64 * 64);
    if (init(ws) != 0) {
      std::fprintf(stderr, "%s: %s_init failed\n", tool, prefix.c_str());
      std::exit(1);
    }
    libraries.push_back({name, ws, forward});
  }
  return libraries;
}

using Contenders = std::vector<std::pair<std::string, std::function<void()>>>;

/// Interleaved: each of `reps` rounds times every contender once, hot (after
/// a warm call) then cold (after flush()). Prints one line per contender
/// with its medians and its speed-up over the first one.
inline void timeContenders(const Contenders &contenders, int reps) {
  std::map<std::string, std::vector<double>> hot, cold;
  for (int rep = 0; rep < reps; ++rep)
    for (auto &[name, run] : contenders) {
      run();
      double s = now();
      run();
      hot[name].push_back(now() - s);
      flush();
      s = now();
      run();
      cold[name].push_back(now() - s);
    }
  double dense = median(hot[contenders[0].first]);
  for (auto &[name, run] : contenders)
    std::printf("  %-10s hot %10.1f us  cold %10.1f us  (%.2fx %s hot)\n",
                name.c_str(), median(hot[name]) * 1e6,
                median(cold[name]) * 1e6, dense / median(hot[name]),
                contenders[0].first.c_str());
}

/// Read bandwidth in bytes/s: a 512 MB sum, best of 3.
inline double readBandwidth() {
  std::vector<float> big(size_t(128) << 20, 1.f);
  double best = 1e9;
  for (int i = 0; i < 3; ++i) {
    double s = now();
    float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (size_t j = 0; j < big.size(); j += 4) {
      a0 += big[j];
      a1 += big[j + 1];
      a2 += big[j + 2];
      a3 += big[j + 3];
    }
    best = std::min(best, now() - s);
    sink = char(a0 + a1 + a2 + a3);
  }
  return double(big.size()) * 4 / best;
}

/// Reads exactly `data.size()` floats from `path`, or exits.
inline void readFloats(const char *path, std::vector<float> &data,
                       const char *tool) {
  FILE *f = std::fopen(path, "rb");
  if (!f || std::fread(data.data(), 4, data.size(), f) != data.size()) {
    std::fprintf(stderr, "%s: cannot read %zu floats from %s\n", tool,
                 data.size(), path);
    std::exit(1);
  }
  std::fclose(f);
}

} // namespace bench

#endif // DC_BENCH_LAYER_BENCH_H
