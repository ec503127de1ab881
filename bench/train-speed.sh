#!/usr/bin/env bash
# Training speed against PyTorch (issue 12, docs/Training.md "Speed"): one
# epoch of the 60,000 Fashion-MNIST training images, batch 64, Adam 1e-3,
# for LeNet-300-100 and LeNet-5 (dense), dc-train against
# bench/torch_reference.py, alternating (dc, torch, dc, torch, ...), RUNS
# runs each, medians of the training loop's time per epoch (evaluation and
# dc's one-off compile excluded; the compile time is reported apart). Before
# each table the 1-minute load must fall below 1.0 (waits up to 5 minutes,
# then says so). 1 thread is the target (torch.set_num_threads(1),
# OMP/OpenBLAS threads 1); 2 threads are reported too.
# Needs python3-torch and python3-numpy. Writes only to OUT.
#   [RUNS=3] bench/train-speed.sh [OUT]      (default /tmp/dc-train-speed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DC_BIN:-$root/build/bin}
data=${DC_DATA:-/usr/share/datasets/fashion-mnist}
out=${1:-/tmp/dc-train-speed}
runs=${RUNS:-3}
export PYTHONDONTWRITEBYTECODE=1 DC_CACHE_DIR="$out/cache"
mkdir -p "$out"
cd "$out"
field() { grep -m1 "^$1" /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'; }
echo "CPU: $(field 'model name') (family $(field 'cpu family'), model $(field 'model\s'), $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo no AVX-512)), $(nproc --all) cores"

gate() {
  local waited=0
  while awk '{exit !($1 >= 1.0)}' /proc/loadavg; do
    if ((waited >= 300)); then
      echo "(load gate: 1-minute load still $(cut -d' ' -f1 /proc/loadavg) after 5 minutes; measuring anyway)"
      return
    fi
    sleep 10
    waited=$((waited + 10))
  done
  echo "(load gate passed: 1-minute load $(cut -d' ' -f1 /proc/loadavg))"
}

"$bin/dc-model-gen" mlp -o lenet300.mlir
"$bin/dc-model-gen" lenet5 -o lenet5.mlir
# Compile once per model and thread count (not timed in the epochs).
for model in lenet300 lenet5; do
  "$bin/dc-train" $model.mlir --data="$data" --epochs=0 -o /dev/null --quiet \
    --log=compile-$model.json
done

for threads in 1 2; do
  export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
  for model in lenet300 lenet5; do
    gate
    for r in $(seq "$runs"); do
      "$bin/dc-train" $model.mlir --data="$data" --epochs=1 --optimizer=adam \
        --lr=1e-3 --batch-size=64 --blas-threads=$threads --quiet \
        -o /dev/null --log=dc-$model-t$threads-$r.json
      /usr/bin/python3 "$root/bench/torch_reference.py" train --model $model \
        --threads $threads --data "$data" --epochs 1 --optimizer adam \
        --lr 1e-3 --batch-size 64 --out torch-$model.npz \
        --log torch-$model-t$threads-$r.json > /dev/null
    done
  done
done

RUNS=$runs python3 - <<'PY'
import json, os, statistics
runs = int(os.environ["RUNS"])
rows = []
print("threads  model      dc epoch s (runs)        torch epoch s (runs)     dc / torch   dc compile s")
for threads in (1, 2):
    for model in ("lenet300", "lenet5"):
        dc = [json.load(open("dc-%s-t%d-%d.json" % (model, threads, r)))["epochs"][0]["seconds"] for r in range(1, runs + 1)]
        pt = [json.load(open("torch-%s-t%d-%d.json" % (model, threads, r)))[0]["seconds"] for r in range(1, runs + 1)]
        compile_s = json.load(open("compile-%s.json" % model))["step_library"]["compile_seconds"]
        md, mp = statistics.median(dc), statistics.median(pt)
        print("%7d  %-9s  %6.2f (%s)  %6.2f (%s)  %6.2fx   %5.1f" % (
            threads, model, md, " ".join("%.2f" % v for v in dc), mp,
            " ".join("%.2f" % v for v in pt), md / mp, compile_s))
        rows.append('"%s %d thread%s" %.3f %.3f' % (model, threads, "s" if threads > 1 else "", md, mp))
open("results.dat", "w").write("# case  dc_epoch_s  torch_epoch_s (medians)\n" + "\n".join(rows) + "\n")
PY
# The plot (docs/Training.md): seconds per epoch, dc-train against PyTorch.
source "$root/bench/common.sh"
ensure_gnuplot
gnuplot <<GP
set terminal pngcairo size 800,420 noenhanced
set output "$out/train-speed.png"
set title "One training epoch of Fashion-MNIST (60,000 images, batch 64, Adam): median seconds"
set key top left
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "seconds per epoch (lower is faster)"
set yrange [0:*]
set grid ytics
plot "$out/results.dat" using 2:xtic(1) title "dc-train", "" using 3 title "PyTorch 1.13"
GP
echo "plot: $out/train-speed.png"
