#!/usr/bin/env bash
# Benchmark (not a test): compressed fully connected layers at the paper's
# kept fractions (5-bit weights, 5-bit relative indices, Huffman), dc's
# compiled layer against OpenBLAS, Eigen CSR, a tuned CSR f32/u16 kernel and
# a tuned 5-bit codebook + 8-bit gap kernel, all on dc's own materialised
# matrix, at batch 1, 8 and 64, hot and cold, one thread, in one run per
# layer (bench/sparse_layer.cpp says how). dc's layer is built three ways:
# dc (--fc-kernel=auto: gather on AVX-512, rows elsewhere), dc-rows and
# dc-sparsifier (the upstream sparsifier's loop). Then two pruned
# convolutions at the paper's kept fractions (8-bit weights), batch 1,
# against OpenBLAS im2col + sgemm and a sparse direct convolution
# (bench/sparse_conv.cpp); dc is built as dc (--conv-kernel=auto: dc's
# kernel over each filter's kept weights), dc-indices (the grid through the
# dense loops), dc-sparsifier, and dc-dense (dc-compile of the decoded,
# uncompressed layer).
#   bench/sparse-layer.sh [OUT] [LAYER...]
# LAYER is one of the names below (default: all). OUT (default
# build/bench/sparse-layer) gets the libraries, results.txt, the table
# results.md (bench/sparse_layer_table.py) and the plot sparse-layer.png.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=build/bench/sparse-layer
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ] && ! grep -q "^$1 " <<< "$(sed -n 's/^  \([a-z0-9-]*\) .*/\1 /p' "$0")"; then
  out=$1; shift
fi
cd "$root"
scripts/setup.sh dc-model-gen dc-opt dc-compile >/dev/null
source "$root/bench/common.sh"
ensure_package libeigen3-dev
bin=$root/build/bin
mkdir -p "$out"
out=$(cd "$out" && pwd)
# name rows cols sparsity (the paper's Table 4 and 5 kept fractions)
layers=$(cat <<'EOF'
  lenet-ip1 300 784 0.92
  alexnet-fc6 4096 9216 0.91
  alexnet-fc7 4096 4096 0.91
  alexnet-fc8 1000 4096 0.75
  vgg-fc6 4096 25088 0.96
  vgg-fc7 4096 4096 0.96
  vgg-fc8 1000 4096 0.77
EOF
)
want=("$@")
/usr/lib/llvm-22/bin/clang++ -O3 -march=native -std=c++17 -I/usr/include/eigen3 \
  bench/sparse_layer.cpp -lopenblas -ldl -o "$out/sparse-layer"
/usr/lib/llvm-22/bin/clang++ -O3 -march=native -std=c++17 \
  bench/sparse_conv.cpp -lopenblas -ldl -o "$out/sparse-conv"
echo "CPU: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1) ($(nproc) cores), one thread" | tee "$out/results.txt"
while read -r name rows cols sparsity; do
  [ -n "$name" ] || continue
  if [ ${#want[@]} -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qx "$name"; then continue; fi
  d=$out/$name
  mkdir -p "$d"
  "$bin/dc-model-gen" "linear-${rows}x${cols}" -o "$d/dense.mlirbc"
  opts="sparsity=$sparsity fc-bits=5 index-bits=5"
  "$bin/dc-opt" "$d/dense.mlirbc" --dc-compress="$opts report=$d/report.json report-format=json" -o "$d/compressed.mlirbc"
  payload=$(/usr/bin/python3 -c "import json,sys; print(json.load(open('$d/report.json'))['layers'][0]['bytes_after'])")
  "$bin/dc-opt" "$d/compressed.mlirbc" --dc-materialize -o "$d/materialized.mlir"
  /usr/bin/python3 bench/export_weights.py "$d/materialized.mlir" "$d/weights" >/dev/null
  rm -f "$d/materialized.mlir"
  w=$(ls -S "$d"/weights/*.f32 | sed -n 1p); b=$(ls -S "$d"/weights/*.f32 | sed -n 2p)
  for batch in 1 8 64; do
    if [ "$batch" = 1 ]; then m=$d/compressed.mlirbc; else
      "$bin/dc-opt" "$d/compressed.mlirbc" --dc-rebatch=batch=$batch -o "$d/b$batch.mlirbc"; m=$d/b$batch.mlirbc; fi
    libs=""
    for kernel in auto rows sparsifier; do
      "$bin/dc-compile" "$m" --prefix=layer --fc-kernel=$kernel -o "$d/liblayer_b${batch}_$kernel.so" --header=none
      label=dc-$kernel; [ $kernel = auto ] && label=dc
      libs="$libs${libs:+,}$label=$d/liblayer_b${batch}_$kernel.so"
    done
    reps=21; [ "$batch" = 64 ] && reps=7
    "$out/sparse-layer" "$w" "$b" "$rows" "$cols" "$batch" "$libs" layer "$payload" $reps | sed "1s/^/$name: /" | tee -a "$out/results.txt"
  done
done <<< "$layers"
# name filters channels kernel height width sparsity (Tables 4 and 5)
convs=$(cat <<'EOF'
  alexnet-conv3 384 256 3 13 13 0.65
  vgg-conv5_1 512 512 3 14 14 0.65
EOF
)
while read -r name f c k h w sparsity; do
  [ -n "$name" ] || continue
  if [ ${#want[@]} -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qx "$name"; then continue; fi
  d=$out/$name
  mkdir -p "$d"
  "$bin/dc-model-gen" "conv-${f}x${c}x${k}-${h}x${w}" -o "$d/dense.mlirbc"
  "$bin/dc-opt" "$d/dense.mlirbc" --dc-compress="sparsity=$sparsity conv-bits=8 index-bits=5 report=$d/report.json report-format=json" -o "$d/compressed.mlirbc"
  payload=$(/usr/bin/python3 -c "import json,sys; print(json.load(open('$d/report.json'))['layers'][0]['bytes_after'])")
  "$bin/dc-opt" "$d/compressed.mlirbc" --dc-materialize -o "$d/materialized.mlir"
  /usr/bin/python3 bench/export_weights.py "$d/materialized.mlir" "$d/weights" >/dev/null
  wf=$(ls -S "$d"/weights/*.f32 | sed -n 1p); bf=$(ls -S "$d"/weights/*.f32 | sed -n 2p)
  libs=""
  for kernel in auto indices sparsifier; do
    "$bin/dc-compile" "$d/compressed.mlirbc" --prefix=layer --conv-kernel=$kernel -o "$d/liblayer_$kernel.so" --header=none
    label=dc-$kernel; [ $kernel = auto ] && label=dc
    libs="$libs${libs:+,}$label=$d/liblayer_$kernel.so"
  done
  "$bin/dc-compile" "$d/materialized.mlir" --prefix=layer -o "$d/liblayer_dense.so" --header=none
  libs="$libs,dc-dense=$d/liblayer_dense.so"
  "$out/sparse-conv" "$wf" "$bf" "$f" "$c" "$k" "$h" "$w" "$libs" layer "$payload" 11 | sed "1s/^/$name: /" | tee -a "$out/results.txt"
done <<< "$convs"
/usr/bin/python3 bench/sparse_layer_table.py "$out/results.txt" "$out" > /dev/null
ensure_gnuplot
gnuplot <<GP
set terminal pngcairo size 1100,540 noenhanced
set output "$out/sparse-layer.png"
set title "Compressed layers, one thread, hot: speed-up over dense OpenBLAS (sgemv / sgemm; im2col + sgemm for convs)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.1:*]
set ylabel "dense time / time"
set xtics rotate by -40
set grid ytics
plot "$out/results.dat" using 2:xtic(1) title "dc", "" using 3 title "best peer", "" using 4 title "upstream sparsifier (dc before issue 16)"
GP
echo "results: $out/results.txt, $out/results.md, $out/sparse-layer.png"
