//===- StepLibrary.h - A compiled training step, loaded -----------*- C++ -*-===//
//
// MLIR-free. dc-train compiles the training step of a model for the host
// (mlir::dc::buildStepLibrary, include/dc/Train/Step.h) into a shared
// library whose C API is, for each exported function F (docs/Training.md,
// "The step ABI"):
//
//   int64_t <prefix>_workspace_size(void);
//   int32_t <prefix>_F(void *workspace, void *const *args,
//                      void *const *results);
//
// args and results point at dense row-major tensors in F's argument and
// result order; the workspace (64-byte aligned) holds every temporary, so a
// call allocates nothing. This class loads such a library with dlopen and
// owns one workspace, allocated once.
//
//===----------------------------------------------------------------------===//

#ifndef DC_TRAINLOOP_STEPLIBRARY_H
#define DC_TRAINLOOP_STEPLIBRARY_H

#include "dc/Base/Status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dc::trainloop {

class StepLibrary {
public:
  /// Loads `path` and looks up <prefix>_<entry> for each entry.
  static StatusOr<std::unique_ptr<StepLibrary>>
  open(const std::string &path, const std::string &prefix,
       const std::vector<std::string> &entries);
  ~StepLibrary();
  StepLibrary(const StepLibrary &) = delete;
  StepLibrary &operator=(const StepLibrary &) = delete;

  /// Calls entry `index` (in the order given to open). Returns its code.
  int32_t call(unsigned index, void *const *args, void *const *results);
  /// The threads the host BLAS may use (>= 1).
  void setThreads(int threads);
  size_t workspaceBytes() const { return bytes; }
  /// The workspace's address (the same for every call).
  const void *workspace() const { return space; }

private:
  StepLibrary() = default;
  using Entry = int32_t (*)(void *, void *const *, void *const *);
  void *handle = nullptr;
  std::vector<Entry> entries;
  void (*setThreadsFn)(int64_t) = nullptr;
  void *space = nullptr;
  size_t bytes = 0;
};

} // namespace dc::trainloop

#endif // DC_TRAINLOOP_STEPLIBRARY_H
