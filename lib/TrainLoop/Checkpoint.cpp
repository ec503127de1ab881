//===- Checkpoint.cpp - dc-train's checkpoints, written and checked -------===//

#include "dc/TrainLoop/Checkpoint.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace dc;
using namespace dc::trainloop;

uint64_t dc::trainloop::fnv1a64(const void *data, size_t size, uint64_t h) {
  const auto *p = static_cast<const unsigned char *>(data);
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

namespace {

constexpr char kMagicStem[6] = {'D', 'C', 'C', 'K', 'P', 'T'};
constexpr size_t kHeader = 16; // magic + checksum

struct Writer {
  std::vector<char> &out;
  void raw(const void *p, size_t n) {
    out.insert(out.end(), static_cast<const char *>(p),
               static_cast<const char *>(p) + n);
  }
  void u64(uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i)
      b[i] = (unsigned char)(v >> (8 * i));
    raw(b, 8);
  }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    u64(bits);
  }
  void floats(const std::vector<float> &v) {
    u64(v.size());
    for (float f : v) {
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      unsigned char b[4] = {(unsigned char)bits, (unsigned char)(bits >> 8),
                            (unsigned char)(bits >> 16),
                            (unsigned char)(bits >> 24)};
      raw(b, 4);
    }
  }
};

/// Reads fields in order; the first field that is missing or out of range
/// makes the whole read fail with its message.
struct Reader {
  const unsigned char *p;
  size_t size, at = 0;
  std::string error;

  bool ok() const { return error.empty(); }
  void fail(const std::string &message) {
    if (ok())
      error = message;
  }
  bool need(size_t n, const char *what) {
    if (!ok())
      return false;
    if (size - at < n) {
      fail(std::string("truncated in ") + what);
      return false;
    }
    return true;
  }
  uint64_t u64(const char *what) {
    if (!need(8, what))
      return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= uint64_t(p[at + i]) << (8 * i);
    at += 8;
    return v;
  }
  double f64(const char *what) {
    uint64_t bits = u64(what);
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  /// A length-prefixed f32 array of exactly `expected` elements.
  void floats(std::vector<float> &v, size_t expected, const char *what) {
    uint64_t n = u64(what);
    if (!ok())
      return;
    if (n != expected) {
      fail(std::string(what) + " has " + std::to_string(n) +
           " values, this run has " + std::to_string(expected));
      return;
    }
    if (!need(n * 4, what))
      return;
    v.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const unsigned char *b = p + at + 4 * i;
      uint32_t bits = uint32_t(b[0]) | uint32_t(b[1]) << 8 |
                      uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
      std::memcpy(&v[i], &bits, 4);
    }
    at += n * 4;
  }
};

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

} // namespace

std::vector<char> dc::trainloop::writeCheckpoint(const CheckpointState &s) {
  std::vector<char> out;
  Writer w{out};
  w.raw(kMagicStem, 6);
  char version[3];
  std::snprintf(version, sizeof version, "%02u", kCheckpointVersion);
  w.raw(version, 2);
  w.u64(0); // the checksum, below
  w.u64(s.fingerprint);
  w.u64(s.trainImages);
  w.u64(s.batch);
  w.u64(s.epoch);
  w.u64(s.step);
  w.u64(s.optimizerSteps);
  w.f64(s.lossSum);
  w.u64(s.log.size());
  for (const EpochLog &e : s.log) {
    w.u64(e.epoch);
    w.u64(e.steps);
    for (double v : {e.loss, e.lr, e.seconds, e.imagesPerSecond, e.testTop1,
                     e.valTop1})
      w.f64(v);
  }
  w.floats(s.params);
  w.floats(s.buffer0);
  w.floats(s.buffer1);
  uint64_t sum = fnv1a64(out.data() + kHeader, out.size() - kHeader);
  std::vector<char> field;
  Writer{field}.u64(sum);
  std::memcpy(out.data() + 8, field.data(), 8);
  return out;
}

StatusOr<CheckpointState>
dc::trainloop::readCheckpoint(const char *data, size_t size,
                              const CheckpointExpectation &x) {
  auto refuse = [](const std::string &m) { return Status::error(m); };
  // What the file is, before anything in it is believed.
  if (size < 8 || std::memcmp(data, kMagicStem, 6) != 0)
    return refuse("not a dc-train checkpoint (bad magic)");
  char wanted[3];
  std::snprintf(wanted, sizeof wanted, "%02u", kCheckpointVersion);
  if (std::memcmp(data + 6, wanted, 2) != 0) {
    std::string got(data + 6, 2);
    bool digits = std::isdigit((unsigned char)got[0]) &&
                  std::isdigit((unsigned char)got[1]);
    if (digits && std::stoi(got) < int(kCheckpointVersion))
      return refuse("checkpoint format " + got +
                    " was written by an older dc-train (no checksum); this "
                    "dc-train reads format " + wanted +
                    " only: start the run again");
    return refuse("checkpoint format '" + got + "' is not this dc-train's " +
                  wanted + " (a newer dc-train's, or not a checkpoint)");
  }
  if (size < kHeader)
    return refuse("the checkpoint is truncated (no checksum)");
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i)
    stored |= uint64_t((unsigned char)data[8 + i]) << (8 * i);
  if (fnv1a64(data + kHeader, size - kHeader) != stored)
    return refuse("checksum mismatch: the checkpoint is corrupt or truncated");

  Reader r{reinterpret_cast<const unsigned char *>(data), size, kHeader, {}};
  CheckpointState s;
  s.fingerprint = r.u64("the fingerprint");
  s.trainImages = r.u64("the training set size");
  s.batch = r.u64("the batch size");
  s.epoch = r.u64("the epoch");
  s.step = r.u64("the step");
  s.optimizerSteps = r.u64("the optimizer's steps");
  s.lossSum = r.f64("the loss sum");
  if (!r.ok())
    return refuse("the checkpoint is " + r.error);
  if (s.fingerprint != x.fingerprint)
    return refuse("the checkpoint belongs to another model, optimizer, "
                  "batch size or seed");
  if (s.batch != x.batch)
    return refuse("the checkpoint's batch size is " +
                  std::to_string(s.batch) + ", this run's " +
                  std::to_string(x.batch));
  if (s.trainImages != x.trainImages)
    return refuse("the checkpoint was written for " +
                  std::to_string(s.trainImages) +
                  " training images, this run has " +
                  std::to_string(x.trainImages) +
                  " (another --data or --val-split)");
  uint64_t stepsPerEpoch = (x.trainImages + x.batch - 1) / x.batch;
  if (s.epoch > x.epochs || (s.epoch == x.epochs && s.step != 0))
    return refuse("the checkpoint is at epoch " +
                  std::to_string(s.epoch + 1) +
                  ", past --epochs=" + std::to_string(x.epochs));
  if (s.step > stepsPerEpoch)
    return refuse("the checkpoint is at step " + std::to_string(s.step) +
                  " of an epoch of " + std::to_string(stepsPerEpoch) +
                  " steps");
  // epoch <= --epochs (32 bits) and steps per epoch <= 2^32: no overflow.
  if (s.optimizerSteps != s.epoch * stepsPerEpoch + s.step)
    return refuse("the checkpoint's optimizer has taken " +
                  std::to_string(s.optimizerSteps) + " steps, its position " +
                  "says " + std::to_string(s.epoch * stepsPerEpoch + s.step));
  if (!std::isfinite(s.lossSum) || s.lossSum < 0 ||
      (s.step == 0 && s.lossSum != 0))
    return refuse("the checkpoint's loss sum " + number(s.lossSum) +
                  " is impossible at step " + std::to_string(s.step));

  uint64_t logs = r.u64("the epoch logs");
  if (!r.ok())
    return refuse("the checkpoint is " + r.error);
  if (logs != s.epoch)
    return refuse("the checkpoint has " + std::to_string(logs) +
                  " epoch logs at epoch " + std::to_string(s.epoch + 1));
  s.log.resize(logs);
  for (size_t i = 0; i < logs && r.ok(); ++i) {
    EpochLog &l = s.log[i];
    uint64_t epoch = r.u64("an epoch log");
    l.epoch = unsigned(epoch);
    l.steps = r.u64("an epoch log");
    double *values[] = {&l.loss,    &l.lr,       &l.seconds,
                        &l.imagesPerSecond, &l.testTop1, &l.valTop1};
    for (double *v : values)
      *v = r.f64("an epoch log");
    if (!r.ok())
      break;
    std::string which = "the checkpoint's log of epoch " + std::to_string(i + 1);
    if (epoch != i + 1 || l.steps != stepsPerEpoch)
      return refuse(which + " says epoch " + std::to_string(epoch) + ", " +
                    std::to_string(l.steps) + " steps");
    for (auto [name, v] : {std::make_pair("loss", l.loss),
                           std::make_pair("lr", l.lr),
                           std::make_pair("seconds", l.seconds),
                           std::make_pair("images/s", l.imagesPerSecond)})
      if (!std::isfinite(v) || v < 0)
        return refuse(which + " has " + name + " " + number(v));
    for (auto [name, v] : {std::make_pair("test top-1", l.testTop1),
                           std::make_pair("val top-1", l.valTop1)})
      if (!(v == -1 || (v >= 0 && v <= 1)))
        return refuse(which + " has " + name + " " + number(v));
  }
  if (!r.ok())
    return refuse("the checkpoint is " + r.error);

  size_t arena = 0;
  for (const Parameter &p : x.layout)
    arena += p.count;
  r.floats(s.params, arena, "the parameters");
  r.floats(s.buffer0, x.buffer0, "the optimizer's first buffer");
  r.floats(s.buffer1, x.buffer1, "the optimizer's second buffer");
  if (!r.ok())
    return refuse("the checkpoint is " + r.error);
  if (r.at != size)
    return refuse("the checkpoint has " + std::to_string(size - r.at) +
                  " bytes after its data");
  for (const Parameter &p : x.layout)
    for (size_t i = 0; i < p.count; ++i)
      if (!std::isfinite(s.params[p.offset + i]))
        return refuse("the checkpoint's parameter '" + p.name + "' element " +
                      std::to_string(i) + " is " +
                      number(s.params[p.offset + i]));
  for (auto [name, buffer] :
       {std::make_pair("first", &s.buffer0), std::make_pair("second", &s.buffer1)})
    for (size_t i = 0; i < buffer->size(); ++i) {
      float v = (*buffer)[i];
      bool negativeMoment = x.adam && buffer == &s.buffer1 && v < 0;
      if (!std::isfinite(v) || negativeMoment)
        return refuse(std::string("the checkpoint's optimizer ") + name +
                      " buffer element " + std::to_string(i) + " is " +
                      number(v));
    }
  return s;
}
