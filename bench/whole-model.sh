#!/usr/bin/env bash
# Benchmark (not a test): dense models and matmuls through dc-compile's
# vectorised lowering (dc-relayout-constants + dc-vectorize) against a C
# peer on OpenBLAS and PyTorch, one thread, in one run (docs/Performance.md).
#   bench/whole-model.sh [OUT] [--rounds R] [--quick]
# OUT (default build/bench/whole-model) gets the libraries, results.md,
# results.dat and whole-model.png. --quick: only the LeNet-300 fc1 matmul
# shapes (the big ones take a few minutes to build and time).
# The libraries are compiled for this host (dc-compile's default --mcpu);
# the CPU is named in the output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=build/bench/whole-model
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then out=$1; shift; fi
cd "$root"
DC_WITH_TORCH=1 scripts/setup.sh dc-model-gen dc-compile dc-opt >/dev/null
source "$root/bench/common.sh"
ensure_gnuplot
bin=$root/build/bin
mkdir -p "$out"
out=$(cd "$out" && pwd)
quick=0
for a in "$@"; do [ "$a" = --quick ] && quick=1; done

compile() { # MLIR NAME: dc's library and the scalar-loop one
  "$bin/dc-compile" "$1" --prefix="$2" -o "$out/lib$2.so" --header=none
  "$bin/dc-compile" "$1" --prefix="$2_scalar" -o "$out/lib$2_scalar.so" \
    --header=none --vectorize=false
}
# The paper's kept fractions (Tables 2 and 3), 5-bit fc / 8-bit conv
# codebooks, 5-bit relative indices, Huffman coding.
compress_mlp="sparsity=0.92 fc-bits=5 index-bits=5 layer=fc2:sparsity=0.91 layer=fc3:sparsity=0.74"
compress_lenet5="sparsity=0.92 fc-bits=5 conv-bits=8 index-bits=5 layer=conv1:sparsity=0.34 layer=conv2:sparsity=0.88 layer=fc2:sparsity=0.81"
for model in mlp lenet5; do
  "$bin/dc-model-gen" $model -o "$out/$model.mlir"
  /usr/bin/python3 bench/export_weights.py "$out/$model.mlir" "$out/weights/$model" >/dev/null
  compile "$out/$model.mlir" "${model}_b1"
  "$bin/dc-opt" "$out/$model.mlir" --dc-rebatch=batch=64 -o "$out/${model}_b64.mlir"
  compile "$out/${model}_b64.mlir" "${model}_b64"
  # Compressed: dc's library of the compressed model; the peers run its
  # decoded weights (dc-materialize), named as the dense model's.
  var=compress_$model
  "$bin/dc-opt" "$out/$model.mlir" --dc-compress="${!var}" -o "$out/${model}_dc.mlir"
  "$bin/dc-opt" "$out/${model}_dc.mlir" --dc-materialize -o "$out/${model}_dc_dense.mlir"
  /usr/bin/python3 bench/export_weights.py "$out/${model}_dc_dense.mlir" "$out/weights/${model}_dc" > /dev/null
  # The decoded weights are inline constants, in layer order.
  layers=(fc1 fc2 fc3); [ $model = lenet5 ] && layers=(conv1 conv2 fc1 fc2)
  for i in "${!layers[@]}"; do
    mv "$out/weights/${model}_dc/inline$i.f32" "$out/weights/${model}_dc/${layers[$i]}_weight.f32"
  done
  for b in 1 64; do
    if [ $b = 1 ]; then m=$out/${model}_dc.mlir; else
      "$bin/dc-opt" "$out/${model}_dc.mlir" --dc-rebatch=batch=64 -o "$out/${model}_dc_b64.mlir"; m=$out/${model}_dc_b64.mlir; fi
    "$bin/dc-compile" "$m" --prefix="${model}_dc_b$b" -o "$out/lib${model}_dc_b$b.so" --header=none
    "$bin/dc-compile" "$m" --prefix="${model}_dc_b${b}_scalar" -o "$out/lib${model}_dc_b${b}_scalar.so" \
      --header=none --vectorize=false --fc-kernel=sparsifier --conv-kernel=sparsifier
  done
done

shapes="64x784x300 1x784x300"
[ $quick = 1 ] || shapes="64x784x300 64x9216x4096 64x25088x4096 1x784x300 1x9216x4096 1x25088x4096"
for s in $shapes; do
  IFS=x read -r m k n <<< "$s"
  cat > "$out/mm_$s.mlir" <<EOF
func.func @forward(%a: tensor<${m}x${k}xf32>, %b: tensor<${k}x${n}xf32>) -> tensor<${m}x${n}xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<${m}x${n}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<${m}x${n}xf32>) -> tensor<${m}x${n}xf32>
  %c = linalg.matmul ins(%a, %b : tensor<${m}x${k}xf32>, tensor<${k}x${n}xf32>) outs(%init : tensor<${m}x${n}xf32>) -> tensor<${m}x${n}xf32>
  return %c : tensor<${m}x${n}xf32>
}
EOF
  if [ $((m * k * n)) -le $((64 * 784 * 300)) ]; then
    compile "$out/mm_$s.mlir" "mm_$s"
  else
    "$bin/dc-compile" "$out/mm_$s.mlir" --prefix="mm_$s" -o "$out/libmm_$s.so" --header=none
  fi
done

/usr/lib/llvm-22/bin/clang -O2 -march=native -fPIC -shared bench/peers.c \
  -lopenblas -o "$out/libpeers.so"
/usr/bin/python3 bench/whole_model.py "$out" "$@"

gnuplot <<GP
set terminal pngcairo size 1000,520 noenhanced
set output "$out/whole-model.png"
set title "Dense inference, one thread: speed of dc relative to each peer (above 1: dc is faster)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "peer time / dc time"
set xtics rotate by -30
set yrange [0:*]
set grid ytics
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
plot "$out/results.dat" using 2:xtic(1) title "OpenBLAS peer", "" using 3 title "PyTorch"
GP
echo "plot: $out/whole-model.png"
