//===- FuzzIDX.cpp - libFuzzer target for the training-data reader --------===//
//
// Arbitrary bytes through maybeInflate and parseIdx (include/dc/Data/IDX.h):
// no crash, no read past the input, and an accepted array holds exactly the
// product of its dimensions.
//
//===----------------------------------------------------------------------===//

#include "dc/Data/IDX.h"

#include <cstdio>
#include <cstdlib>

using namespace dc::data;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StatusOr<std::vector<uint8_t>> bytes =
      maybeInflate(ByteSpan(data, size), "in");
  if (!bytes.ok())
    return 0;
  StatusOr<IdxArray> a = parseIdx(ByteSpan(*bytes), "in");
  if (!a.ok())
    return 0;
  uint64_t total = 1;
  for (uint32_t d : a->dims)
    total *= d;
  if (total != a->data.size()) {
    std::fprintf(stderr, "dc-fuzz-idx: %llu elements for dims of %llu\n",
                 (unsigned long long)a->data.size(), (unsigned long long)total);
    std::abort();
  }
  return 0;
}
