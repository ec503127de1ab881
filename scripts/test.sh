#!/usr/bin/env bash
# Installs what dc needs, builds it and runs every test: lit (dialect, passes,
# plugin, tools, fuzz smoke runs) and the GoogleTest unit tests; then builds
# dc again with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
# and runs the whole suite once more. DC_SANITIZE=0 skips the second pass.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1 CCACHE_COMPILERCHECK=content
start=$SECONDS
cmake --build build --target check-dc
echo "dc: Release suite passed in $((SECONDS - start)) s"
if [ "${DC_SANITIZE:-1}" != 0 ]; then
  start=$SECONDS
  scripts/setup.sh --sanitize
  # allow_user_poisoning=0: LLVM's header-only allocators poison memory from
  # dc's instrumented code that the uninstrumented libMLIR then reads.
  ASAN_OPTIONS=allow_user_poisoning=0:detect_leaks=1:abort_on_error=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    cmake --build build-asan --target check-dc
  echo "dc: ASan+UBSan suite passed in $((SECONDS - start)) s"
fi
