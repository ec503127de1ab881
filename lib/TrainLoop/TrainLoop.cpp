//===- TrainLoop.cpp - dc-train's epochs over a compiled step -------------===//

#include "dc/TrainLoop/TrainLoop.h"

#include "dc/Base/Random.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <unistd.h>

using namespace dc;
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
  dc::SplitMix64 rng(seed * 0x9e3779b97f4a7c15ull + epoch + 1);
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
  trainImages = train.count;
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
      if (o.testHook)
        o.testHook("step", optimizer.steps());
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
    if (o.testHook && epoch + 1 == o.epochs)
      o.testHook("evaluate", optimizer.steps());
    EpochLog e;
    e.epoch = epoch + 1;
    e.steps = stepsPerEpoch;
    e.lr = lr;
    e.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    // The images this run trained in the epoch (a resumed epoch's rest);
    // finite whatever the clock says, as a log must be.
    uint64_t images =
        train.count - std::min<uint64_t>(train.count, firstStep * uint64_t(o.batch));
    e.imagesPerSecond = e.seconds > 0 ? double(images) / e.seconds : 0;
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
// Checkpoints (Checkpoint.h).
//===----------------------------------------------------------------------===//

uint64_t TrainLoop::fingerprint() const {
  // FNV-1a over the layout and the options that shape the run.
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&](const void *p, size_t n) { h = fnv1a64(p, n, h); };
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

std::vector<char> TrainLoop::checkpoint() const {
  CheckpointState s;
  s.fingerprint = fingerprint();
  s.trainImages = trainImages;
  s.batch = uint64_t(o.batch);
  s.epoch = epoch;
  s.step = stepInEpoch;
  s.optimizerSteps = optimizer.steps();
  s.lossSum = lossSum;
  s.log = epochs;
  s.params = params;
  auto &opt = const_cast<optim::Optimizer &>(optimizer);
  s.buffer0 = opt.buffer(0);
  s.buffer1 = opt.buffer(1);
  return writeCheckpoint(s);
}

Status TrainLoop::restore(const char *bytes, size_t size,
                          uint64_t trainCount) {
  CheckpointExpectation x;
  x.fingerprint = fingerprint();
  x.trainImages = trainCount;
  x.batch = uint64_t(o.batch);
  x.epochs = o.epochs;
  x.layout = layout;
  x.buffer0 = optimizer.buffer(0).size();
  x.buffer1 = optimizer.buffer(1).size();
  x.adam = o.optimizer.kind == optim::Kind::Adam;
  StatusOr<CheckpointState> s = readCheckpoint(bytes, size, x);
  if (!s.ok())
    return s.status();
  trainImages = trainCount;
  params = std::move(s->params);
  optimizer.buffer(0) = std::move(s->buffer0);
  optimizer.buffer(1) = std::move(s->buffer1);
  optimizer.setSteps(s->optimizerSteps);
  epoch = unsigned(s->epoch);
  stepInEpoch = s->step;
  lossSum = s->lossSum;
  epochs = std::move(s->log);
  return Status::success();
}
