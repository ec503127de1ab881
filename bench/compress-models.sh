#!/usr/bin/env bash
# Benchmark (not a test): dc-compress on AlexNet- and VGG-16-sized weight
# sets stored as MLIR bytecode. Prints, per model, the median wall time and
# peak RSS of 3 runs of
#   dc-opt MODEL.mlirbc --dc-compress -emit-bytecode -o MODEL.dc.mlirbc
# next to the model's size. Usage: bench/compress-models.sh [models...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh dc-opt dc-model-gen >/dev/null
source "$root/bench/common.sh"
ensure_package time
models=("$@")
((${#models[@]})) || models=(alexnet vgg16)
out=build/bench
mkdir -p "$out"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB"
: > "$out/compress-models.txt"
printf '%-8s %12s %10s %9s %10s %9s %11s %8s\n' model weights model_MB seconds peak_MB RSS/model dc_MB ratio
for m in "${models[@]}"; do
  build/bin/dc-model-gen "$m" -o "$out/$m.mlirbc"
  bytes=$(stat -c %s "$out/$m.mlirbc")
  for i in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$out/$m.time.$i" \
      build/bin/dc-opt "$out/$m.mlirbc" --dc-compress="report=$out/$m.report" \
      -emit-bytecode -o "$out/$m.dc.mlirbc"
  done
  secs=$(cat "$out/$m".time.* | awk '{print $1}' | sort -n | sed -n 2p)
  rss_kb=$(cat "$out/$m".time.* | awk '{print $2}' | sort -n | sed -n 2p)
  dc_bytes=$(stat -c %s "$out/$m.dc.mlirbc")
  weights=$(awk '/^Total/{print $2}' "$out/$m.report")
  awk -v m="$m" -v w="$weights" -v b="$bytes" -v s="$secs" -v r="$rss_kb" \
      -v d="$dc_bytes" 'BEGIN {
    printf "%-8s %12d %10.1f %9.2f %10.1f %8.2fx %11.2f %7.1fx\n", m, w,
           b / 1e6, s, r * 1024 / 1e6, r * 1024 / b, d / 1e6, b / d }' | tee -a "$out/compress-models.txt"
  rm -f "$out/$m.mlirbc" "$out/$m.dc.mlirbc" "$out"/$m.time.*
done
# The plot (docs/Compression.md): time and peak memory per model.
ensure_gnuplot
gnuplot <<GP
set terminal pngcairo size 800,420 noenhanced
set output "$out/compress-models.png"
set title "dc-compress on bytecode models (median of 3): time and peak memory"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "seconds"
set y2label "peak RSS / model size"
set key outside bottom center horizontal
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid ytics
plot "$out/compress-models.txt" using 4:xtic(1) title "seconds", "" using (\$6) axes x1y2 title "peak RSS / model size"
GP
echo "plot: $out/compress-models.png"
