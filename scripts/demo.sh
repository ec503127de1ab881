#!/usr/bin/env bash
# The main job end to end on real data (docs/Results.md): dc trains
# LeNet-300-100 (dc-model-gen mlp) on Fashion-MNIST from scratch, then runs
# Deep Compression as one command (dc-train --recipe=deep-compression:
# iterative pruning with retraining, trained quantization, Huffman coding,
# the paper's Table 2 settings), prints the per-stage table, compiles the
# compressed model into a self-contained shared library, and runs that
# library over the 10,000 test images.
#
#   scripts/demo.sh                    LeNet-300-100 (about 85 s after the build)
#   scripts/demo.sh --lenet5           LeNet-5 (about 11 minutes)
#   scripts/demo.sh MODEL.mlir --data=DIR [--mean=M --std=S] [--dense-epochs=N]
#                                      your model (trained: N = 0 by default)
# DIR holds MNIST-named files (train-/t10k-images-idx3-ubyte[.gz], ...).
# scripts/demo-synthetic.sh is the older demo on synthetic weights.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dc-opt dc-model-gen dc-compile dc-train
out=build/demo
mkdir -p "$out"

model="" data=/usr/share/datasets/fashion-mnist mean=0.2860 std=0.3530
dense=30 name=lenet-300-100 builtin=mlp
case "${1:-}" in
  --lenet5) builtin=lenet5 name=lenet5 dense=10; shift ;;
  "" | --*) ;;
  *) model=$1 name=$(basename "${1%.*}") builtin="" dense=0; shift ;;
esac
for arg in "$@"; do
  case $arg in
    --data=*) data=${arg#--data=} ;;
    --mean=*) mean=${arg#--mean=} ;;
    --std=*) std=${arg#--std=} ;;
    --dense-epochs=*) dense=${arg#--dense-epochs=} ;;
    *) echo "demo.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
if [ ! -e "$data/t10k-images-idx3-ubyte.gz" ] && [ ! -e "$data/t10k-images-idx3-ubyte" ]; then
  echo "demo.sh: no Fashion-MNIST/MNIST test images in $data" >&2
  echo "  (Debian: apt-get install dataset-fashion-mnist; scripts/setup.sh does)" >&2
  exit 1
fi
if [ -n "$builtin" ]; then
  model=$out/$name.mlir
  build/bin/dc-model-gen $builtin -o "$model"
fi

echo "== dc-train $model --recipe=deep-compression --dense-epochs=$dense (data: $data)"
export DC_CACHE_DIR=${DC_CACHE_DIR:-$PWD/build/step-cache}
build/bin/dc-train "$model" --data="$data" --mean=$mean --std=$std \
  --recipe=deep-compression --dense-epochs=$dense --schedule=cosine \
  -o "$out/$name.dc.mlir" --log="$out/$name.json" \
  --predictions="$out/$name.dc-train.pred"

echo
echo "== dc-compile: a self-contained shared library and its C header"
build/bin/dc-compile "$out/$name.dc.mlir" -o "$out/lib$name.so" --prefix=model
echo "  $(stat -c %s "$out/lib$name.so") bytes  $out/lib$name.so (undefined symbols: $(/usr/lib/llvm-22/bin/llvm-nm -u "$out/lib$name.so" | wc -l))"

echo
echo "== the library over the 10,000 test images"
/usr/lib/llvm-22/bin/clang -O2 test/Train/Inputs/predict.c -o "$out/predict" -ldl
images=$data/t10k-images-idx3-ubyte
python3 - "$images" "$out/t10k.u8" <<'PY'
import gzip, os, sys
src = sys.argv[1] + ".gz" if os.path.exists(sys.argv[1] + ".gz") else sys.argv[1]
raw = (gzip.open if src.endswith(".gz") else open)(src, "rb").read()
open(sys.argv[2], "wb").write(raw[16:])
PY
labels=$data/t10k-labels-idx1-ubyte
"$out/predict" "$out/lib$name.so" model "$out/t10k.u8" 784 10 $mean $std \
  > "$out/$name.so.pred"
python3 - "$labels" "$out/$name.so.pred" "$out/$name.dc-train.pred" "$out/$name.json" <<'PY'
import gzip, json, os, sys
src = sys.argv[1] + ".gz" if os.path.exists(sys.argv[1] + ".gz") else sys.argv[1]
labels = (gzip.open if src.endswith(".gz") else open)(src, "rb").read()[8:]
so = [int(l) for l in open(sys.argv[2])]
dc = [int(l) for l in open(sys.argv[3])]
right = sum(1 for p, y in zip(so, labels) if p == y)
same = sum(1 for a, b in zip(so, dc) if a == b)
stages = json.load(open(sys.argv[4]))["stages"]
print("  test top-1: dense %.2f%%, compressed %.2f%% (the library: %d / %d right)"
      % (100 * stages[0]["test_top1"], 100 * right / len(so), right, len(so)))
print("  the library predicts as dc-train's evaluation on %d / %d images" % (same, len(so)))
print("  %.1fx smaller than float32 (%d -> %d bytes, biases included)"
      % (stages[-1]["ratio"], stages[0]["bytes"], stages[-1]["bytes"]))
sys.exit(0 if same == len(so) else 1)
PY
