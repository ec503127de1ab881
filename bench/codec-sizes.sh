#!/usr/bin/env bash
# Benchmark (not a test): the codec's compression ratios on the synthetic
# LeNet-300-100 (dc-codec-bench, bench/codec_sizes.cpp; docs/Codec.md) as a
# table and a plot: per layer and in total, the ratio of CSR (6-bit weights,
# 5-bit gaps) without and with Huffman coding, at 8% kept everywhere and at
# the paper's kept fractions. Deterministic.
#   bench/codec-sizes.sh [OUT]     (default build/bench/codec-sizes)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/bench/codec-sizes}
cd "$root"
scripts/setup.sh dc-codec-bench >/dev/null
mkdir -p "$out"
build/bin/dc-codec-bench | tee "$out/codec-sizes.txt"
# "kept ..." headers start a block; layer rows: name shape weights kept kept%
# K escapes dense csr ratio huff ratio.
awk '/^kept 8% in every layer/ {b = "8%"} /^kept as in the paper/ {b = "paper"}
     /^(fc[0-9]|total)/ && b != "" {
       n = split($0, f, " ");
       printf "\"%s %s\" %s %s\n", $1, b, substr(f[n - 2], 1, length(f[n - 2]) - 1),
              substr(f[n], 1, length(f[n]) - 1) }' "$out/codec-sizes.txt" > "$out/codec-sizes.dat"
source "$root/bench/common.sh"
ensure_gnuplot
gnuplot <<GP
set terminal pngcairo size 900,420 noenhanced
set output "$out/codec-sizes.png"
set title "Synthetic LeNet-300-100: compression ratio (dense f32 bytes / stored bytes)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "ratio"
set yrange [0:55]
set key top left
set xtics rotate by -30
set grid ytics
plot "$out/codec-sizes.dat" using 2:xtic(1) title "CSR, 6-bit weights, 5-bit gaps", "" using 3 title "+ Huffman"
GP
echo "plot: $out/codec-sizes.png"
