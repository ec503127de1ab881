//===- TestHooks.cpp - Deterministic pauses for signal and race tests -----===//

#include "dc/Support/TestHooks.h"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>

void dc::testPause(llvm::StringRef stage) {
  const char *hook = std::getenv("DC_TEST_HOOK");
  if (!hook)
    return;
  llvm::StringRef spec(hook);
  if (!spec.consume_front(stage) || !spec.consume_front(":"))
    return;
  if (spec.consume_front("signal:")) {
    int signal = 0;
    if (!spec.getAsInteger(10, signal))
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
}
