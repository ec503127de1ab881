#!/usr/bin/env bash
# Installs dc's build dependencies (idempotent) and configures + builds the
# given targets in ./build (Release), or with --sanitize in ./build-asan
# (Release with ASan + UBSan on dc's own code; LLVM/MLIR stay as packaged).
# Used by scripts/demo.sh and scripts/test.sh.
#   scripts/setup.sh [--sanitize] [ninja targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sanitize=0
if [ "${1:-}" = --sanitize ]; then
  sanitize=1
  shift
fi

packages=(cmake ninja-build ccache clang-22 lld-22 llvm-22-dev llvm-22-tools
          libmlir-22-dev mlir-22-tools libgtest-dev libclang-rt-22-dev
          qemu-user libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
          zlib1g-dev dataset-fashion-mnist libopenblas-dev pkgconf
          libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata)
# DC_WITH_TORCH=1 adds Debian's PyTorch for the comparisons with PyTorch
# (test/Autodiff/torch-step.test; unsupported without it).
if [ "${DC_WITH_TORCH:-0}" = 1 ]; then
  packages+=(python3-torch python3-numpy)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "dc: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

# ccache keyed on paths relative to the checkout, so a fresh clone elsewhere
# (CI) still hits the cache.
export CCACHE_BASEDIR="$root"
export CCACHE_NOHASHDIR=1
export CCACHE_COMPILERCHECK=content

build="$root/build"
extra=()
if ((sanitize)); then
  build="$root/build-asan"
  # The fuzzers carry their own ASan+UBSan in ./build.
  extra=(-DLLVM_USE_SANITIZER="Address;Undefined" -DDC_ENABLE_FUZZERS=OFF)
fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" "${extra[@]}" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DLLVM_USE_LINKER=lld -DMLIR_LINK_MLIR_DYLIB=ON \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_DIR=/usr/lib/llvm-22/lib/cmake/llvm \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
fi
if (($#)); then
  cmake --build "$build" --target "$@"
fi
