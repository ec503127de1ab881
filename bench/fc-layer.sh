#!/usr/bin/env bash
# Benchmark (not a test): AlexNet's fc6 (4096x9216) at batch 1, compressed
# by dc (91% pruned as in the paper, 5-bit weights, 5-bit gaps) and compiled
# with dc-compile, against the same layer dense (dc-compile without
# compression) and OpenBLAS cblas_sgemv, one thread, in one run.
#   bench/fc-layer.sh [dc-compress options]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dc-model-gen dc-compile >/dev/null
if ! dpkg-query -W -f='${Status}' libopenblas-dev 2>/dev/null | grep -q "ok installed"; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libopenblas-dev >/dev/null
fi
options=${1:-sparsity=0.91 fc-bits=5 index-bits=5}
out=build/bench/fc6
rm -rf "$out" && mkdir -p "$out"
build/bin/dc-model-gen fc6 -o "$out/fc6.mlirbc"
build/bin/dc-compile "$out/fc6.mlirbc" --dc-compress="$options report=$out/report.txt" -o "$out/libfc6.so"
build/bin/dc-compile "$out/fc6.mlirbc" -o "$out/libfc6dense.so"
/usr/lib/llvm-22/bin/clang -O2 -march=native -I"$out" bench/fc_layer.c \
  -L"$out" -lfc6 -lfc6dense -lopenblas -lm -Wl,-rpath,"$PWD/$out" -o "$out/fc-layer"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); dc-compress $options"
tail -2 "$out/report.txt" | head -1
ls -l "$out/libfc6.so" "$out/libfc6dense.so" | awk '{print "  " $5 " bytes  " $NF}'
"$out/fc-layer"
