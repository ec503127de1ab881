#!/usr/bin/env bash
# Top-1 against compression ratio for LeNet-300-100 on Fashion-MNIST
# (docs/Results.md): from one dense model (the main job's dense stage file,
# or DENSE), dc-train --recipe=deep-compression --recipe-from=dense with the
# kept fractions of the paper's Table 2 scaled by K and B-bit codebooks, for
# a grid of (K, B), with the main job's retraining regime (FLAGS, default
# scripts/demo.sh's). Each point's size counts everything stored (biases as
# float32). The choice — the largest ratio whose validation top-1 is at most
# 0.5 points below the dense model's — is made on the validation split only;
# the test top-1 is reported beside it. Writes OUT/sweep.csv and
# OUT/sweep.png (gnuplot, installed when missing). Seed 0; JOBS runs at once
# (default 2, one BLAS thread each).
#   [DENSE=model.dense.mlir] [FLAGS="..."] [JOBS=2] bench/recipe-sweep.sh [OUT]
#   (default OUT: /tmp/dc-recipe-sweep)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DC_BIN:-$root/build/bin}
data=${DC_DATA:-/usr/share/datasets/fashion-mnist}
out=${1:-/tmp/dc-recipe-sweep}
dense=${DENSE:-$root/build/demo/lenet-300-100.dc.mlir.dense.mlir}
# The main job's regime (scripts/demo.sh: lenet300_flags).
flags=${FLAGS:-$(eval "$(grep -E '^(regime|lenet300_flags)=' "$root/scripts/demo.sh")"; echo "$lenet300_flags")}
jobs=${JOBS:-2}
[ -e "$dense" ] || { echo "no dense model $dense: run scripts/demo.sh first (or set DENSE)" >&2; exit 1; }
source "$root/bench/common.sh"
ensure_gnuplot
export DC_CACHE_DIR="$out/cache" bin dense data flags
mkdir -p "$out"
cd "$out"
point() { # SCALE BITS
  local scale=$1 bits=$2 k1 k2 k3
  k1=$(python3 -c "print(min(1, 0.08 * $scale))")
  k2=$(python3 -c "print(min(1, 0.09 * $scale))")
  k3=$(python3 -c "print(min(1, 0.26 * $scale))")
  # $flags first: the grid's --recipe-layer come later and win.
  # shellcheck disable=SC2086
  "$bin/dc-train" "$dense" --data="$data" --mean=0.2860 --std=0.3530 \
    --recipe=deep-compression --recipe-from=dense --quiet $flags \
    --recipe-layer=fc1:keep=$k1:bits=$bits --recipe-layer=fc2:keep=$k2:bits=$bits \
    --recipe-layer=fc3:keep=$k3:bits=$bits \
    -o run-$scale-$bits.mlir --log=run-$scale-$bits.json > /dev/null
  echo "  K=$scale B=$bits done"
}
export -f point
for bits in 5 4 3; do for scale in 1.0 0.85 0.7 0.6; do echo "$scale $bits"; done; done |
  xargs -P "$jobs" -L 1 bash -c 'point "$0" "$1"'
python3 - <<'PY'
import glob, json
rows = []
for log in sorted(glob.glob("run-*.json")):
    _, scale, bits = log[:-5].split("-")
    s = json.load(open(log))["stages"]
    rows.append((float(scale), int(bits), s[-1]["ratio"], s[-1]["test_top1"],
                 s[-1]["val_top1"], s[0]["test_top1"], s[0]["val_top1"]))
if not rows:
    raise SystemExit("recipe-sweep.sh: no run finished (see the errors above)")
rows.sort(key=lambda r: (-r[1], -r[0]))
with open("sweep.csv", "w") as f:
    f.write("scale,bits,ratio,test_top1,val_top1,dense_test_top1,dense_val_top1\n")
    for r in rows:
        f.write("%g,%d,%.2f,%.4f,%.4f,%.4f,%.4f\n" % r)
dense_val, dense_test = rows[0][6], rows[0][5]
ok = [r for r in rows if r[4] >= dense_val - 0.005]
print("dense: val %.2f%%, test %.2f%%" % (100 * dense_val, 100 * dense_test))
for r in rows:
    print("K=%-5g B=%d  %5.1fx  val %.2f%%  test %.2f%%%s" % (
        r[0], r[1], r[2], 100 * r[4], 100 * r[3],
        "  (within 0.5 on val)" if r in ok else ""))
if ok:
    best = max(ok, key=lambda r: r[2])
    print("chosen on validation: K=%g B=%d, %.1fx, val %.2f%% (%+.2f), test %.2f%% (%+.2f)"
          % (best[0], best[1], best[2], 100 * best[4], 100 * (best[4] - dense_val),
             100 * best[3], 100 * (best[3] - dense_test)))
else:
    print("no point within 0.5 points of the dense model on validation")
PY
gnuplot <<'GP'
set terminal pngcairo size 960,520 noenhanced
set output "sweep.png"
set datafile separator ","
set title "LeNet-300-100 on Fashion-MNIST: dc-train --recipe=deep-compression"
set xlabel "compression ratio (everything stored, biases as float32)"
set ylabel "top-1 (%)"
set key outside right top
set grid
stats "sweep.csv" using 6 name "D" nooutput
stats "sweep.csv" using 7 name "V" nooutput
plot for [b in "5 4 3"] "sweep.csv" using ($2 == b+0 ? $3 : 1/0):($4*100) \
       with linespoints title b." bits, test", \
     for [b in "5 4 3"] "sweep.csv" using ($2 == b+0 ? $3 : 1/0):($5*100) \
       with points pointtype 6 title b." bits, validation", \
     D_max * 100 with lines dashtype 2 title "dense, test", \
     V_max * 100 - 0.5 with lines dashtype 3 title "dense, validation - 0.5"
GP
echo "wrote $out/sweep.csv and $out/sweep.png"
