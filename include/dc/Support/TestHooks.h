//===- TestHooks.h - Deterministic pauses for signal and race tests -*- C++ -*-===//
//
// MLIR-free. Tests of what happens when a signal arrives or another process
// acts at a given stage of a tool must not depend on timing (CI is a loaded
// 2-core machine). The tools call testPause("stage") at the named stages;
// it does nothing unless the environment variable DC_TEST_HOOK, a list of
// STAGE:ACTION separated by ';', names that stage (each stage fires once
// per process):
//
//   DC_TEST_HOOK=STAGE:signal:N   the process says so on stderr ("dc: test
//                                 hook: signal N at STAGE") and raises
//                                 signal N there
//   DC_TEST_HOOK=STAGE:wait:PATH  the process writes "STAGE\n" into the FIFO
//                                 PATH.reached (blocking until the test reads
//                                 it), then reads the FIFO PATH until EOF
//                                 (blocking until the test writes and closes
//                                 it): the test acts while the tool waits
//
// The stages are listed in docs/Testing.md. Never set in normal use.
//
//===----------------------------------------------------------------------===//

#ifndef DC_SUPPORT_TESTHOOKS_H
#define DC_SUPPORT_TESTHOOKS_H

#include "llvm/ADT/StringRef.h"

namespace dc {

/// The hook of DC_TEST_HOOK at `stage` (see above); nothing otherwise.
void testPause(llvm::StringRef stage);

} // namespace dc

#endif // DC_SUPPORT_TESTHOOKS_H
