#!/usr/bin/env bash
# Top-1 against compression ratio for LeNet-300-100 on Fashion-MNIST
# (docs/Results.md): from one dense model (the main job's dense stage file,
# or DENSE), dc-train --recipe=deep-compression --recipe-from=dense with the
# kept fractions of the paper's Table 2 scaled by K and B-bit codebooks, for
# a grid of (K, B); each point's compressed size counts everything stored
# (biases as float32). Writes OUT/sweep.csv (with the validation top-1,
# which is what a choice among the points may use) and OUT/sweep.png
# (gnuplot, installed when missing). Seed 0, the recipe's default epochs.
#   [DENSE=model.dense.mlir] bench/recipe-sweep.sh [OUT]   (default /tmp/dc-recipe-sweep)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DC_BIN:-$root/build/bin}
data=${DC_DATA:-/usr/share/datasets/fashion-mnist}
out=${1:-/tmp/dc-recipe-sweep}
dense=${DENSE:-$root/build/demo/lenet-300-100.dc.mlir.dense.mlir}
[ -e "$dense" ] || { echo "no dense model $dense: run scripts/demo.sh first (or set DENSE)" >&2; exit 1; }
if ! command -v gnuplot > /dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gnuplot-nox > /dev/null
fi
export DC_CACHE_DIR="$out/cache"
mkdir -p "$out"
cd "$out"
echo "scale,bits,ratio,test_top1,val_top1" > sweep.csv
for bits in 6 5 4; do
  for scale in 1.25 1.0 0.8 0.65; do
    keep1=$(python3 -c "print(min(1, 0.08 * $scale))")
    keep2=$(python3 -c "print(min(1, 0.09 * $scale))")
    keep3=$(python3 -c "print(min(1, 0.26 * $scale))")
    log=run-$scale-$bits.json
    "$bin/dc-train" "$dense" --data="$data" --mean=0.2860 --std=0.3530 \
      --recipe=deep-compression --recipe-from=dense --quiet \
      --recipe-layer=fc1:keep=$keep1:bits=$bits \
      --recipe-layer=fc2:keep=$keep2:bits=$bits \
      --recipe-layer=fc3:keep=$keep3:bits=$bits \
      -o run-$scale-$bits.mlir --log=$log > /dev/null
    python3 - "$log" "$scale" "$bits" >> sweep.csv <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["stages"]
last = rows[-1]
print("%s,%s,%.2f,%.4f,%.4f" % (sys.argv[2], sys.argv[3], last["ratio"],
                                last["test_top1"], last["val_top1"]))
PY
    tail -1 sweep.csv
  done
done
gnuplot <<'GP'
set terminal pngcairo size 800,500 noenhanced
set output "sweep.png"
set datafile separator ","
set title "LeNet-300-100 on Fashion-MNIST: dc-train --recipe=deep-compression"
set xlabel "compression ratio (everything stored, biases as float32)"
set ylabel "test top-1 (%)"
set key bottom left
set grid
plot for [b in "6 5 4"] "sweep.csv" using ($2 == b+0 ? $3 : 1/0):($4*100) \
     with linespoints title b." bits"
GP
echo "wrote $out/sweep.csv and $out/sweep.png"
