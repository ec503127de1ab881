//===- TestHooks.cpp - Deterministic pauses for signal and race tests -----===//

#include "dc/Support/TestHooks.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>

void dc::testPause(llvm::StringRef stage) {
  const char *hook = std::getenv("DC_TEST_HOOK");
  if (!hook || !*hook)
    return;
  // Each stage fires once: a stage reached again (a checkpoint written
  // again) is left alone, so one signal is one signal.
  static llvm::StringSet<> fired;
  llvm::SmallVector<llvm::StringRef> hooks;
  llvm::StringRef(hook).split(hooks, ';', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef spec : hooks) {
    if (!spec.consume_front(stage) || !spec.consume_front(":"))
      continue;
    if (!fired.insert(stage).second)
      return;
    if (spec.consume_front("signal:")) {
      int signal = 0;
      if (spec.getAsInteger(10, signal))
        return;
      llvm::errs() << "dc: test hook: signal " << signal << " at " << stage
                   << "\n";
      std::raise(signal);
      return;
    }
    if (!spec.consume_front("wait:"))
      return;
    std::string path = spec.str(), reached = path + ".reached";
    int fd = ::open(reached.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      std::string line = stage.str() + "\n";
      (void)!::write(fd, line.data(), line.size());
      ::close(fd);
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char buffer[64];
      while (::read(fd, buffer, sizeof buffer) > 0) {
      }
      ::close(fd);
    }
    return;
  }
}
