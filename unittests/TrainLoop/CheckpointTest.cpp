//===- CheckpointTest.cpp - dc-train's checkpoint reader ------------------===//
//
// readCheckpoint (include/dc/TrainLoop/Checkpoint.h) accepts the checkpoint
// writeCheckpoint made and refuses every damaged one: 200 seeded mutations
// (bit flips, truncations, appended bytes, random overwrites, and field
// overwrites with the checksum made right again, so the range checks are
// what must refuse them), none accepted.
//
//===----------------------------------------------------------------------===//

#include "dc/TrainLoop/Checkpoint.h"

#include "dc/Base/Random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

using namespace dc;
using namespace dc::trainloop;

namespace {

// 100 training images at batch 8: 13 steps per epoch. The run is in its
// second epoch, 5 steps in; Adam.
constexpr uint64_t kImages = 100, kBatch = 8, kStepsPerEpoch = 13;

CheckpointExpectation expectation() {
  CheckpointExpectation x;
  x.fingerprint = 0x0123456789abcdefull;
  x.trainImages = kImages;
  x.batch = kBatch;
  x.epochs = 3;
  x.layout = {{"fc1.weight", 0, 12}, {"fc1_bias", 12, 3}, {"fc2.weight", 15, 6}};
  x.buffer0 = x.buffer1 = 21;
  x.adam = true;
  return x;
}

CheckpointState validState() {
  CheckpointState s;
  s.fingerprint = 0x0123456789abcdefull;
  s.trainImages = kImages;
  s.batch = kBatch;
  s.epoch = 1;
  s.step = 5;
  s.optimizerSteps = kStepsPerEpoch + 5;
  s.lossSum = 12.5;
  EpochLog e;
  e.epoch = 1;
  e.steps = kStepsPerEpoch;
  e.loss = 1.25;
  e.lr = 1e-3;
  e.seconds = 0.5;
  e.imagesPerSecond = 200;
  e.testTop1 = 0.5;
  e.valTop1 = -1;
  s.log = {e};
  for (int i = 0; i < 21; ++i) {
    s.params.push_back(0.1f * float(i) - 1.0f);
    s.buffer0.push_back(0.01f * float(i) - 0.1f);
    s.buffer1.push_back(0.001f * float(i));
  }
  return s;
}

uint64_t getU64(const std::vector<char> &b, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= uint64_t((unsigned char)b[at + i]) << (8 * i);
  return v;
}
void putU64(std::vector<char> &b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    b[at + i] = char(v >> (8 * i));
}
void putF64(std::vector<char> &b, size_t at, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  putU64(b, at, bits);
}
void putF32(std::vector<char> &b, size_t at, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  for (int i = 0; i < 4; ++i)
    b[at + i] = char(bits >> (8 * i));
}
/// Makes the checksum right again after a change.
void reseal(std::vector<char> &b) {
  putU64(b, 8, fnv1a64(b.data() + 16, b.size() - 16));
}

StatusOr<CheckpointState> read(const std::vector<char> &b) {
  return readCheckpoint(b.data(), b.size(), expectation());
}

// Offsets in validState()'s bytes (Checkpoint.h's layout).
constexpr size_t kFingerprint = 16, kTrainImages = 24, kBatchField = 32,
                 kEpoch = 40, kStep = 48, kOptimizerSteps = 56, kLossSum = 64,
                 kLogs = 72, kLog = 80; // 2 u64 + 6 f64 = 64 bytes
constexpr size_t kParams = kLog + 64;   // u64 n, 21 f32
constexpr size_t kBuffer0 = kParams + 8 + 21 * 4;
constexpr size_t kBuffer1 = kBuffer0 + 8 + 21 * 4;

TEST(Checkpoint, RoundTrip) {
  std::vector<char> bytes = writeCheckpoint(validState());
  ASSERT_EQ(bytes.size(), kBuffer1 + 8 + 21 * 4);
  StatusOr<CheckpointState> s = read(bytes);
  ASSERT_TRUE(s.ok()) << s.message();
  CheckpointState v = validState();
  EXPECT_EQ(s->epoch, v.epoch);
  EXPECT_EQ(s->step, v.step);
  EXPECT_EQ(s->optimizerSteps, v.optimizerSteps);
  EXPECT_EQ(s->lossSum, v.lossSum);
  ASSERT_EQ(s->log.size(), 1u);
  EXPECT_EQ(s->log[0].testTop1, 0.5);
  EXPECT_EQ(s->params, v.params);
  EXPECT_EQ(s->buffer0, v.buffer0);
  EXPECT_EQ(s->buffer1, v.buffer1);
  // The offsets the mutations below use.
  EXPECT_EQ(getU64(bytes, kEpoch), 1u);
  EXPECT_EQ(getU64(bytes, kLogs), 1u);
  EXPECT_EQ(getU64(bytes, kParams), 21u);
  EXPECT_EQ(getU64(bytes, kBuffer1), 21u);
}

TEST(Checkpoint, FinishedRun) {
  // The state after the last epoch (what a SIGINT after the last step
  // saves): epoch = --epochs, step 0, a log per epoch.
  CheckpointState s = validState();
  s.epoch = 3;
  s.step = 0;
  s.lossSum = 0;
  s.optimizerSteps = 3 * kStepsPerEpoch;
  s.log.resize(3, s.log[0]);
  s.log[1].epoch = 2;
  s.log[2].epoch = 3;
  std::vector<char> bytes = writeCheckpoint(s);
  StatusOr<CheckpointState> r = read(bytes);
  ASSERT_TRUE(r.ok()) << r.message();
  // One step into a fourth epoch is past --epochs=3.
  s.step = 1;
  s.lossSum = 1;
  s.optimizerSteps += 1;
  r = read(writeCheckpoint(s));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "the checkpoint is at epoch 4, past --epochs=3");
}

TEST(Checkpoint, Messages) {
  std::vector<char> good = writeCheckpoint(validState());
  auto refused = [](std::vector<char> b) {
    StatusOr<CheckpointState> s = read(b);
    return s.ok() ? std::string("accepted") : s.message();
  };
  EXPECT_EQ(refused({'g', 'a', 'r', 'b', 'a', 'g', 'e', '\n'}),
            "not a dc-train checkpoint (bad magic)");
  std::vector<char> b = good;
  b[7] = '1'; // "DCCKPT01": the format before checksums
  EXPECT_EQ(refused(b), "checkpoint format 01 was written by an older "
                        "dc-train (no checksum); this dc-train reads format "
                        "02 only: start the run again");
  b[6] = '0';
  b[7] = '3';
  EXPECT_EQ(refused(b), "checkpoint format '03' is not this dc-train's 02 (a "
                        "newer dc-train's, or not a checkpoint)");
  b = good;
  b[kParams + 8] ^= 1;
  EXPECT_EQ(refused(b),
            "checksum mismatch: the checkpoint is corrupt or truncated");
  b = good;
  b.resize(b.size() - 1);
  EXPECT_EQ(refused(b),
            "checksum mismatch: the checkpoint is corrupt or truncated");
  b = good;
  putU64(b, kStep, kStepsPerEpoch + 1);
  putU64(b, kOptimizerSteps, 2 * kStepsPerEpoch + 1);
  reseal(b);
  EXPECT_EQ(refused(b),
            "the checkpoint is at step 14 of an epoch of 13 steps");
  b = good;
  putF64(b, kLossSum, std::nan(""));
  reseal(b);
  EXPECT_EQ(refused(b), "the checkpoint's loss sum nan is impossible at step 5");
  b = good;
  putU64(b, kTrainImages, 99);
  reseal(b);
  EXPECT_EQ(refused(b), "the checkpoint was written for 99 training images, "
                        "this run has 100 (another --data or --val-split)");
  b = good;
  putF32(b, kParams + 8 + 13 * 4, std::numeric_limits<float>::infinity());
  reseal(b);
  EXPECT_EQ(refused(b),
            "the checkpoint's parameter 'fc1_bias' element 1 is inf");
  b = good;
  putF64(b, kLog + 16 + 8 * 4, 1.5); // test top-1
  reseal(b);
  EXPECT_EQ(refused(b),
            "the checkpoint's log of epoch 1 has test top-1 1.5");
}

TEST(Checkpoint, SeededMutationsAreAllRefused) {
  const std::vector<char> good = writeCheckpoint(validState());
  ASSERT_TRUE(read(good).ok());
  dc::SplitMix64 rng(20261207);
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  // Header fields and what may be written there: any other value for the
  // u64 fields (each is tied to the others or to the run), and for the
  // doubles only values no run can produce.
  const size_t u64Fields[] = {kFingerprint, kTrainImages, kBatchField, kEpoch,
                              kStep,        kOptimizerSteps, kLogs, kLog,
                              kLog + 8,     kParams, kBuffer0, kBuffer1};
  struct BadDouble {
    size_t at;
    std::vector<double> values;
  };
  const std::vector<BadDouble> doubleFields = {
      {kLossSum, {nan, inf, -inf, -1.0, -1e-300}},
      {kLog + 16, {nan, inf, -0.5}},             // loss
      {kLog + 24, {nan, -inf, -1e-3}},           // lr
      {kLog + 32, {nan, inf, -2.0}},             // seconds
      {kLog + 40, {nan, inf, -1.0}},             // images/s
      {kLog + 48, {nan, 1.5, -0.5, 2.0, -2.0}},  // test top-1
      {kLog + 56, {nan, 1.0001, -0.25, inf}}};   // val top-1
  std::map<std::string, int> kinds;
  int accepted = 0;
  for (int i = 0; i < 200; ++i) {
    std::vector<char> b = good;
    std::string kind;
    switch (i % 8) {
    case 0: { // one bit anywhere
      size_t bit = rng.below(b.size() * 8);
      b[bit / 8] ^= char(1 << (bit % 8));
      kind = "bit flip";
      break;
    }
    case 1: { // a few bits
      for (int k = 0, n = 2 + int(rng.below(6)); k < n; ++k) {
        size_t bit = rng.below(b.size() * 8);
        b[bit / 8] ^= char(1 << (bit % 8));
      }
      kind = "bit flips";
      if (b == good)
        b[rng.below(b.size())] ^= 0x40; // flips that cancelled out
      break;
    }
    case 2: // truncated anywhere, to nothing included
      b.resize(rng.below(b.size()));
      kind = "truncation";
      break;
    case 3: { // bytes appended (resealed: trailing data)
      for (int k = 0, n = 1 + int(rng.below(16)); k < n; ++k)
        b.push_back(char(rng.next()));
      if (rng.chance(0.5))
        reseal(b);
      kind = "append";
      break;
    }
    case 4: { // a u64 field overwritten, the checksum made right
      size_t at = u64Fields[rng.below(std::size(u64Fields))];
      uint64_t old = getU64(b, at), v = old;
      while (v == old)
        v = rng.chance(0.5) ? rng.next() : old + 1 + rng.below(4);
      putU64(b, at, v);
      reseal(b);
      kind = "u64 field";
      break;
    }
    case 5: { // a double field made impossible, the checksum made right
      const BadDouble &f = doubleFields[rng.below(doubleFields.size())];
      putF64(b, f.at, f.values[rng.below(f.values.size())]);
      reseal(b);
      kind = "f64 field";
      break;
    }
    case 6: { // a parameter or buffer element made non-finite, or a second
              // moment negative, the checksum made right
      float bad[] = {std::nanf(""), std::numeric_limits<float>::infinity(),
                     -std::numeric_limits<float>::infinity()};
      size_t which = rng.below(3), element = rng.below(21);
      size_t base = which == 0 ? kParams : which == 1 ? kBuffer0 : kBuffer1;
      float v = bad[rng.below(3)];
      if (which == 2 && rng.chance(0.5))
        v = -1e-3f; // Adam's v is never negative
      putF32(b, base + 8 + 4 * element, v);
      reseal(b);
      kind = "float field";
      break;
    }
    case 7: { // 8 random bytes written somewhere (no reseal)
      size_t at = rng.below(b.size() - 8);
      for (int k = 0; k < 8; ++k)
        b[at + k] = char(rng.next());
      if (b == good)
        b[at] ^= 1;
      kind = "overwrite";
      break;
    }
    }
    ++kinds[kind];
    StatusOr<CheckpointState> s = read(b);
    if (s.ok()) {
      ++accepted;
      ADD_FAILURE() << "mutation " << i << " (" << kind << ") was accepted";
    } else {
      EXPECT_FALSE(s.message().empty());
    }
  }
  EXPECT_EQ(accepted, 0);
  EXPECT_EQ(kinds.size(), 8u);
}

} // namespace
