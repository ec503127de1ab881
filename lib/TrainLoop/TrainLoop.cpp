//===- TrainLoop.cpp - dc-train's epochs over a compiled step -------------===//

#include "dc/TrainLoop/TrainLoop.h"

#include "dc/Codec/Random.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <unistd.h>

using namespace dc::trainloop;

TrainLoop::TrainLoop(StepLibrary &library, unsigned step, unsigned forward,
                     std::vector<Parameter> params, std::vector<float> arena,
                     LoopOptions options)
    : lib(library), stepEntry(step), forwardEntry(forward),
      layout(std::move(params)), params(std::move(arena)),
      grads(this->params.size()), o(options),
      optimizer(options.optimizer, this->params.size()),
      rowWeights(size_t(options.batch)),
      batchLogits(size_t(options.batch * options.classes)),
      teacher(options.teacherLogits ? size_t(options.batch * options.classes)
                                    : 0),
      labels(size_t(options.batch)) {}

void TrainLoop::fillBatch(const Samples &data, const uint32_t *rows,
                          size_t n, bool withTeacher) {
  size_t f = data.features, b = size_t(o.batch), c = size_t(o.classes);
  x.resize(b * f);
  for (size_t i = 0; i < b; ++i) {
    float *dst = x.data() + i * f;
    if (i < n) {
      std::memcpy(dst, data.x.data() + size_t(rows[i]) * f, f * sizeof(float));
      labels[i] = data.y[rows[i]];
      rowWeights[i] = 1.0f;
      if (withTeacher)
        std::memcpy(teacher.data() + i * c,
                    o.teacherLogits + size_t(rows[i]) * c, c * sizeof(float));
    } else {
      std::memset(dst, 0, f * sizeof(float));
      labels[i] = 0;
      rowWeights[i] = 0.0f;
      if (withTeacher)
        std::memset(teacher.data() + i * c, 0, c * sizeof(float));
    }
  }
}

void TrainLoop::forEachLogits(
    const Samples &data,
    const std::function<void(uint32_t, const float *)> &row) {
  std::vector<uint32_t> rows(size_t(o.batch));
  std::vector<void *> args, results = {batchLogits.data()};
  for (const Parameter &p : layout)
    args.push_back(params.data() + p.offset);
  args.push_back(nullptr);
  for (uint32_t first = 0; first < data.count; first += uint32_t(o.batch)) {
    size_t n = std::min<size_t>(size_t(o.batch), data.count - first);
    std::iota(rows.begin(), rows.begin() + n, first);
    fillBatch(data, rows.data(), n);
    args.back() = x.data();
    lib.call(forwardEntry, args.data(), results.data());
    for (size_t i = 0; i < n; ++i)
      row(first + uint32_t(i), batchLogits.data() + i * size_t(o.classes));
  }
}

std::vector<uint32_t> TrainLoop::predict(const Samples &data) {
  std::vector<uint32_t> out(data.count);
  forEachLogits(data, [&](uint32_t i, const float *row) {
    // The first maximum, as torch.argmax; NaN is never a maximum.
    size_t best = 0;
    for (size_t c = 1; c < size_t(o.classes); ++c)
      if (row[c] > row[best] || std::isnan(row[best]))
        best = c;
    out[i] = uint32_t(best);
  });
  return out;
}

std::vector<float> TrainLoop::logits(const Samples &data) {
  size_t c = size_t(o.classes);
  std::vector<float> out(size_t(data.count) * c);
  forEachLogits(data, [&](uint32_t i, const float *row) {
    std::memcpy(out.data() + size_t(i) * c, row, c * sizeof(float));
  });
  return out;
}

double TrainLoop::top1(const Samples &data) {
  if (data.count == 0)
    return -1;
  std::vector<uint32_t> p = predict(data);
  size_t right = 0;
  for (uint32_t i = 0; i < data.count; ++i)
    right += p[i] == data.y[i];
  return double(right) / double(data.count);
}

/// The order of epoch `epoch`'s training images: a Fisher-Yates shuffle by
/// a SplitMix64 seeded from (seed, epoch), so a resumed run replays it.
static std::vector<uint32_t> shuffled(uint32_t n, uint64_t seed,
                                      unsigned epoch) {
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  dc::codec::SplitMix64 rng(seed * 0x9e3779b97f4a7c15ull + epoch + 1);
  for (uint32_t i = n; i > 1; --i)
    std::swap(order[i - 1], order[rng.below(i)]);
  return order;
}

static std::string clock(double seconds) {
  long s = long(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%ld:%02ld", s / 60, s % 60);
  return buf;
}

Status TrainLoop::run(
    const Samples &train, const Samples &val, const Samples &test,
    const volatile std::sig_atomic_t *interrupted,
    const std::function<Status(const std::vector<char> &)> &checkpoint,
    const EpochCallback &onEpoch) {
  using Clock = std::chrono::steady_clock;
  if (train.count == 0)
    return Status::error("no training images");
  uint64_t stepsPerEpoch = (train.count + uint64_t(o.batch) - 1) / o.batch;
  bool tty = o.progress && isatty(2);
  std::vector<void *> args, results = {&loss};
  for (const Parameter &p : layout) {
    args.push_back(params.data() + p.offset);
    results.push_back(grads.data() + p.offset);
  }
  x.resize(size_t(o.batch) * train.features);
  args.push_back(x.data());
  args.push_back(labels.data());
  args.push_back(rowWeights.data());
  bool distill = o.teacherLogits != nullptr;
  if (distill)
    args.push_back(teacher.data());

  for (; epoch < o.epochs; ++epoch, stepInEpoch = 0, lossSum = 0) {
    double lr = o.schedule.at(o.lr, epoch, o.epochs);
    std::vector<uint32_t> order = shuffled(train.count, o.seed, epoch);
    auto start = Clock::now(), lastPrint = start;
    uint64_t firstStep = stepInEpoch;
    for (; stepInEpoch < stepsPerEpoch; ++stepInEpoch) {
      uint64_t first = stepInEpoch * uint64_t(o.batch);
      size_t n = std::min<uint64_t>(uint64_t(o.batch), train.count - first);
      fillBatch(train, order.data() + first, n, distill);
      lib.call(stepEntry, args.data(), results.data());
      if (!std::isfinite(loss))
        return Status::error("the loss is not finite (" +
                             std::to_string(loss) + ") at step " +
                             std::to_string(stepInEpoch + 1) + " of epoch " +
                             std::to_string(epoch + 1) +
                             " (lower --lr, or check --mean/--std)");
      // The epoch's mean loss over its images (PyTorch's per-batch means
      // weighted by the rows they average).
      lossSum += double(loss) * double(n);
      optimizer.step(params.data(), grads.data(), lr);
      uint64_t done = stepInEpoch + 1;
      auto now = Clock::now();
      if (tty && (std::chrono::duration<double>(now - lastPrint).count() > 0.5 ||
                  done == stepsPerEpoch)) {
        lastPrint = now;
        double t = std::chrono::duration<double>(now - start).count();
        double rate = double(done - firstStep) * double(o.batch) / t;
        double eta = double(stepsPerEpoch - done) * double(o.batch) / rate;
        std::fprintf(stderr,
                     "\r\033[Kepoch %u/%u  step %llu/%llu  %.0f img/s  loss "
                     "%.4f  ETA %s",
                     epoch + 1, o.epochs, (unsigned long long)done,
                     (unsigned long long)stepsPerEpoch, rate, loss,
                     clock(eta).c_str());
      }
      bool stop = interrupted && *interrupted;
      if (stop || (o.checkpointEvery && (epoch * stepsPerEpoch + done) %
                                                o.checkpointEvery ==
                                            0)) {
        ++stepInEpoch;
        Status s = checkpoint(this->checkpoint());
        --stepInEpoch;
        if (!s.ok())
          return s;
        if (stop) {
          stopped = true;
          if (tty)
            std::fprintf(stderr, "\n");
          return Status::error("interrupted at step " + std::to_string(done) +
                               " of epoch " + std::to_string(epoch + 1));
        }
      }
    }
    if (tty)
      std::fprintf(stderr, "\n");
    EpochLog e;
    e.epoch = epoch + 1;
    e.steps = stepsPerEpoch;
    e.lr = lr;
    e.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    e.imagesPerSecond =
        double(train.count - firstStep * uint64_t(o.batch)) / e.seconds;
    e.loss = lossSum / double(train.count);
    e.valTop1 = top1(val);
    if (o.test == LoopOptions::Test::EveryEpoch ||
        (o.test == LoopOptions::Test::LastEpoch && epoch + 1 == o.epochs))
      e.testTop1 = top1(test);
    epochs.push_back(e);
    if (onEpoch)
      onEpoch(e);
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Checkpoints: "DCCKPT01", then u64 fingerprint, epoch, step, optimizer
// steps, the loss sum (f64 bits), the epoch logs so far, then the arena and
// the optimizer's two buffers (u64 length + floats each). Little-endian.
//===----------------------------------------------------------------------===//

uint64_t TrainLoop::fingerprint() const {
  // FNV-1a over the layout and the options that shape the run.
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&](const void *p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= static_cast<const uint8_t *>(p)[i];
      h *= 0x100000001b3ull;
    }
  };
  for (const Parameter &p : layout) {
    mix(p.name.data(), p.name.size());
    mix(&p.offset, sizeof(p.offset));
    mix(&p.count, sizeof(p.count));
  }
  int kind = int(o.optimizer.kind);
  mix(&kind, sizeof(kind));
  mix(&o.batch, sizeof(o.batch));
  mix(&o.seed, sizeof(o.seed));
  bool distill = o.teacherLogits != nullptr;
  mix(&distill, sizeof(distill));
  return h;
}

namespace {
struct Writer {
  std::vector<char> &out;
  void raw(const void *p, size_t n) {
    out.insert(out.end(), static_cast<const char *>(p),
               static_cast<const char *>(p) + n);
  }
  void u64(uint64_t v) { raw(&v, 8); }
  void f64(double v) { raw(&v, 8); }
  void floats(const std::vector<float> &v) {
    u64(v.size());
    raw(v.data(), v.size() * sizeof(float));
  }
};
struct Reader {
  const std::vector<char> &in;
  size_t at = 0;
  bool ok = true;
  void raw(void *p, size_t n) {
    if (!ok || in.size() - at < n) {
      ok = false;
      return;
    }
    std::memcpy(p, in.data() + at, n);
    at += n;
  }
  uint64_t u64() {
    uint64_t v = 0;
    raw(&v, 8);
    return v;
  }
  double f64() {
    double v = 0;
    raw(&v, 8);
    return v;
  }
  void floats(std::vector<float> &v) {
    uint64_t n = u64();
    if (!ok || n != v.size()) {
      ok = false;
      return;
    }
    raw(v.data(), n * sizeof(float));
  }
};
} // namespace

static const char kMagic[8] = {'D', 'C', 'C', 'K', 'P', 'T', '0', '1'};

std::vector<char> TrainLoop::checkpoint() const {
  std::vector<char> out;
  Writer w{out};
  w.raw(kMagic, 8);
  w.u64(fingerprint());
  w.u64(epoch);
  w.u64(stepInEpoch);
  w.u64(optimizer.steps());
  w.f64(lossSum);
  w.u64(epochs.size());
  for (const EpochLog &e : epochs) {
    w.u64(e.epoch);
    w.u64(e.steps);
    for (double v : {e.loss, e.lr, e.seconds, e.imagesPerSecond, e.testTop1,
                     e.valTop1})
      w.f64(v);
  }
  w.floats(params);
  auto &opt = const_cast<optim::Optimizer &>(optimizer);
  w.floats(opt.buffer(0));
  w.floats(opt.buffer(1));
  return out;
}

Status TrainLoop::restore(const std::vector<char> &bytes) {
  Reader r{bytes};
  char magic[8] = {};
  r.raw(magic, 8);
  if (!r.ok || std::memcmp(magic, kMagic, 8) != 0)
    return Status::error("not a dc-train checkpoint (bad magic)");
  if (r.u64() != fingerprint())
    return Status::error("the checkpoint belongs to another model, optimizer, "
                         "batch size or seed");
  uint64_t e = r.u64(), s = r.u64(), t = r.u64();
  double sum = r.f64();
  uint64_t logs = r.u64();
  if (!r.ok || logs > e + 1)
    return Status::error("the checkpoint is truncated or corrupt");
  if (e > o.epochs)
    return Status::error("the checkpoint is at epoch " + std::to_string(e + 1) +
                         ", past --epochs=" + std::to_string(o.epochs));
  std::vector<EpochLog> restored(logs);
  for (EpochLog &l : restored) {
    l.epoch = unsigned(r.u64());
    l.steps = r.u64();
    for (double *v : {&l.loss, &l.lr, &l.seconds, &l.imagesPerSecond,
                      &l.testTop1, &l.valTop1})
      *v = r.f64();
  }
  std::vector<float> p(params.size());
  r.floats(p);
  std::vector<float> b0(optimizer.buffer(0).size()),
      b1(optimizer.buffer(1).size());
  r.floats(b0);
  r.floats(b1);
  if (!r.ok || r.at != bytes.size())
    return Status::error("the checkpoint is truncated or corrupt");
  params = std::move(p);
  optimizer.buffer(0) = std::move(b0);
  optimizer.buffer(1) = std::move(b1);
  optimizer.setSteps(t);
  epoch = unsigned(e);
  stepInEpoch = s;
  lossSum = sum;
  epochs = std::move(restored);
  return Status::success();
}
