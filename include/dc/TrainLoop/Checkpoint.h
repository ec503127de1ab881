//===- Checkpoint.h - dc-train's checkpoints, written and checked -*- C++ -*-===//
//
// MLIR-free (docs/Training.md, "Checkpoints"). A checkpoint is the whole
// state of a training run between two steps: where it is (epoch, step), the
// optimizer's step count, the epoch's loss sum so far, the epoch logs, the
// parameter arena and the optimizer's buffers. The reader is the only way
// one comes back in: it checks the checksum first, then every field against
// the run that resumes it, and refuses anything else with a message naming
// the field. Nothing it accepts can make the run read past its data, train
// from non-finite values or log a non-finite number.
//
// Format 2, little-endian:
//
//   "DCCKPT02"                    magic and format version (8 bytes)
//   u64 checksum                  FNV-1a 64 of every byte after this field
//   u64 fingerprint               model layout, optimizer, batch, seed
//   u64 train images, u64 batch   the run's training set and batch size
//   u64 epoch, u64 step           the next epoch (0-based), steps done in it
//   u64 optimizer steps           epoch * steps per epoch + step
//   f64 loss sum                  of the epoch so far (0 at step 0)
//   u64 logs                      = epoch, then per log: u64 epoch, u64
//                                 steps, f64 loss, lr, seconds, images/s,
//                                 test top-1, val top-1 (-1: none)
//   u64 n, n f32                  the arena, then the optimizer's two
//   u64 n, n f32                  buffers (SGD: momentum, empty; Adam: m
//   u64 n, n f32                  and v)
//
//===----------------------------------------------------------------------===//

#ifndef DC_TRAINLOOP_CHECKPOINT_H
#define DC_TRAINLOOP_CHECKPOINT_H

#include "dc/Base/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dc::trainloop {

/// One trained tensor of the arena.
struct Parameter {
  std::string name;
  size_t offset = 0, count = 0;
};

/// What one epoch did.
struct EpochLog {
  unsigned epoch = 0; ///< 1-based
  uint64_t steps = 0;
  double loss = 0, lr = 0, seconds = 0, imagesPerSecond = 0;
  double testTop1 = -1, valTop1 = -1; ///< -1: no such set
};

/// The format version this dc-train writes and reads.
inline constexpr unsigned kCheckpointVersion = 2;

/// A run's state between two steps.
struct CheckpointState {
  uint64_t fingerprint = 0;
  uint64_t trainImages = 0;
  uint64_t batch = 0;
  uint64_t epoch = 0; ///< the next epoch, 0-based
  uint64_t step = 0;  ///< steps done in it
  uint64_t optimizerSteps = 0;
  double lossSum = 0;
  std::vector<EpochLog> log;
  std::vector<float> params, buffer0, buffer1;
};

/// The run a checkpoint must belong to.
struct CheckpointExpectation {
  uint64_t fingerprint = 0;
  uint64_t trainImages = 0;
  uint64_t batch = 1;
  /// The resuming run's --epochs: the checkpoint may be at most there (and
  /// exactly there only between epochs: a finished run).
  uint64_t epochs = 1;
  /// The arena's tensors (names for the messages; their counts add up to
  /// the arena's size).
  std::vector<Parameter> layout;
  size_t buffer0 = 0, buffer1 = 0;
  /// Adam: buffer1 holds second moments, which are never negative.
  bool adam = false;
};

/// The bytes of `state` in the current format.
std::vector<char> writeCheckpoint(const CheckpointState &state);

/// Parses and checks a checkpoint. Errors say what is wrong: not a
/// checkpoint, another format version, a checksum mismatch (corrupt or
/// truncated), another run (model, optimizer, batch, seed, data), or the
/// field that is out of range.
StatusOr<CheckpointState> readCheckpoint(const char *data, size_t size,
                                         const CheckpointExpectation &expect);

/// FNV-1a 64 of `size` bytes (the checksum).
uint64_t fnv1a64(const void *data, size_t size,
                 uint64_t hash = 0xcbf29ce484222325ull);

} // namespace dc::trainloop

#endif // DC_TRAINLOOP_CHECKPOINT_H
