//===- FuzzIDX.cpp - libFuzzer target for the training-data reader --------===//
//
// Arbitrary bytes through maybeInflate and parseIdx (include/dc/Data/IDX.h):
// no crash, no read past the input, and an accepted array holds exactly the
// product of its dimensions. The same bytes through readIdx, which inflates
// the header first and then only what it promises: it must accept exactly
// what maybeInflate + parseIdx accept, with the same array. The same bytes,
// split in two, through parseRaw as u8 and f32 images: accepted sets hold
// count * features finite values.
//
//===----------------------------------------------------------------------===//

#include "dc/Data/IDX.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace dc;
using namespace dc::data;

static void fuzzRaw(const uint8_t *data, size_t size) {
  if (size < 2)
    return;
  size_t features = 1 + data[0] % 16, split = data[1] % (size - 1);
  ByteSpan images(data + 2, split), labels(data + 2 + split, size - 2 - split);
  for (RawType type : {RawType::U8, RawType::F32}) {
    StatusOr<Samples> s =
        parseRaw(images, type, labels, features, 0.5, 0.25, "in");
    if (!s.ok())
      continue;
    bool bad = s->x.size() != size_t(s->count) * features ||
               s->y.size() != s->count;
    for (float v : s->x)
      bad |= !std::isfinite(v);
    if (bad) {
      std::fprintf(stderr, "dc-fuzz-idx: a raw set of %u images is malformed\n",
                   s->count);
      std::abort();
    }
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzzRaw(data, size);
  StatusOr<std::vector<uint8_t>> bytes =
      maybeInflate(ByteSpan(data, size), "in");
  StatusOr<IdxArray> a =
      bytes.ok() ? parseIdx(ByteSpan(*bytes), "in") : bytes.status();
  StatusOr<IdxArray> streamed = readIdx(ByteSpan(data, size), "in");
  if (a.ok() != streamed.ok() ||
      (a.ok() && (a->dims != streamed->dims || a->data != streamed->data))) {
    std::fprintf(stderr,
                 "dc-fuzz-idx: readIdx (%s) disagrees with parseIdx (%s)\n",
                 streamed.ok() ? "accepts" : streamed.message().c_str(),
                 a.ok() ? "accepts" : a.message().c_str());
    std::abort();
  }
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
