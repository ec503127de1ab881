//===- StepLibrary.cpp - A compiled training step, loaded -----------------===//

#include "dc/TrainLoop/StepLibrary.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

using namespace dc;
using namespace dc::trainloop;

StatusOr<std::unique_ptr<StepLibrary>>
StepLibrary::open(const std::string &path, const std::string &prefix,
                  const std::vector<std::string> &entries) {
  std::unique_ptr<StepLibrary> lib(new StepLibrary());
  lib->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle) {
    const char *why = dlerror();
    return Status::error("cannot load the step library '" + path +
                         "': " + (why ? why : "unknown error"));
  }
  auto symbol = [&](const std::string &name) {
    return dlsym(lib->handle, (prefix + "_" + name).c_str());
  };
  auto size = reinterpret_cast<int64_t (*)()>(symbol("workspace_size"));
  if (!size)
    return Status::error("'" + path + "' has no " + prefix +
                         "_workspace_size: not a dc step library");
  for (const std::string &entry : entries) {
    auto fn = reinterpret_cast<Entry>(symbol(entry));
    if (!fn)
      return Status::error("'" + path + "' does not export " + prefix + "_" +
                           entry);
    lib->entries.push_back(fn);
  }
  lib->setThreadsFn = reinterpret_cast<void (*)(int64_t)>(
      dlsym(lib->handle, "dcrt_host_set_threads"));
  int64_t n = size();
  if (n < 0)
    return Status::error("'" + path + "' reports a negative workspace size");
  lib->bytes = size_t(n);
  // One allocation for the library's lifetime, 64-byte aligned.
  size_t rounded = (lib->bytes + 63) / 64 * 64;
  lib->space = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!lib->space)
    return Status::error("cannot allocate the step's workspace of " +
                         std::to_string(lib->bytes) + " bytes");
  std::memset(lib->space, 0, rounded ? rounded : 64);
  return lib;
}

StepLibrary::~StepLibrary() {
  std::free(space);
  if (handle)
    dlclose(handle);
}

int32_t StepLibrary::call(unsigned index, void *const *args,
                          void *const *results) {
  return entries[index](space, args, results);
}

void StepLibrary::setThreads(int threads) {
  if (setThreadsFn)
    setThreadsFn(threads < 1 ? 1 : threads);
}
