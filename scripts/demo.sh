#!/usr/bin/env bash
# The main job end to end on real data (docs/Results.md): dc trains
# LeNet-300-100 (dc-model-gen mlp) on Fashion-MNIST from scratch, then runs
# Deep Compression as one command (dc-train --recipe=deep-compression:
# iterative pruning with retraining, trained quantization, Huffman coding;
# the paper's Table 2 fractions with 4-bit codebooks and distillation from
# the dense model), prints the per-stage table, compiles the compressed
# model into a self-contained shared library, runs that library over the
# 10,000 test images and checks its logits against the decoded-dense
# reference (scripts/evaluate.py), and ends with the table again.
#
#   scripts/demo.sh                    LeNet-300-100 (a few minutes after the build)
#   scripts/demo.sh --lenet5           LeNet-5 (longer: see docs/Results.md)
#   scripts/demo.sh MODEL.mlir --data=DIR [--mean=M --std=S] [--dense-epochs=N]
#                   [dc-train's recipe options, e.g. --distill=1]
#                                      your model (trained: N = 0 by default;
#                                      28x28 images, 10 classes)
# DIR holds MNIST-named files (train-/t10k-images-idx3-ubyte[.gz], ...).
# scripts/demo-synthetic.sh is the older demo on synthetic weights.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dc-opt dc-model-gen dc-compile dc-train dc-run
out=build/demo
mkdir -p "$out"

# The built-in models' settings past the paper's (docs/Results.md, chosen
# on the validation split): 4-bit codebooks (LeNet-5: conv1 6, conv2 5), pruning
# in 6 steps of 5 cosine-annealed epochs, 5 of centroid fine-tuning, each
# by half distillation from the dense model, half cross-entropy.
regime="--prune-steps=6 --prune-epochs=5 --retrain-schedule=cosine --quantize-epochs=5 --distill=0.5 --distill-temperature=2"
lenet300_flags="--recipe-layer=all:bits=4 $regime"
lenet5_flags="--recipe-layer=all:bits=4 --recipe-layer=conv1:bits=6 --recipe-layer=conv2:bits=5 $regime"

model="" data=/usr/share/datasets/fashion-mnist mean=0.2860 std=0.3530
dense=30 name=lenet-300-100 builtin=mlp flags=$lenet300_flags
case "${1:-}" in
  --lenet5) builtin=lenet5 name=lenet5 dense=10 flags=$lenet5_flags; shift ;;
  "" | --*) ;;
  *) model=$1 name=$(basename "${1%.*}") builtin="" dense=0 flags=""; shift ;;
esac
for arg in "$@"; do
  case $arg in
    --data=*) data=${arg#--data=} ;;
    --mean=*) mean=${arg#--mean=} ;;
    --std=*) std=${arg#--std=} ;;
    --dense-epochs=*) dense=${arg#--dense-epochs=} ;;
    --*) flags="$flags $arg" ;; # the recipe's own options (dc-train --help)
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

echo "== dc-train $model --recipe=deep-compression --dense-epochs=$dense $flags (data: $data)"
export DC_CACHE_DIR=${DC_CACHE_DIR:-$PWD/build/step-cache}
# shellcheck disable=SC2086
build/bin/dc-train "$model" --data="$data" --mean=$mean --std=$std \
  --recipe=deep-compression --dense-epochs=$dense --schedule=cosine $flags \
  -o "$out/$name.dc.mlir" --log="$out/$name.json" \
  --predictions="$out/$name.dc-train.pred"

echo
echo "== dc-compile: a self-contained shared library and its C header"
build/bin/dc-compile "$out/$name.dc.mlir" -o "$out/lib$name.so" --prefix=model
echo "  $(stat -c %s "$out/lib$name.so") bytes  $out/lib$name.so (undefined symbols: $(/usr/lib/llvm-22/bin/llvm-nm -u "$out/lib$name.so" | wc -l))"

echo
echo "== the library over the test images, against the decoded-dense reference"
/usr/lib/llvm-22/bin/clang -O2 test/Train/Inputs/predict.c -o "$out/predict" -ldl
images=$data/t10k-images-idx3-ubyte
python3 - "$images" "$out/t10k.u8" <<'PY'
import gzip, os, sys
src = sys.argv[1] + ".gz" if os.path.exists(sys.argv[1] + ".gz") else sys.argv[1]
raw = (gzip.open if src.endswith(".gz") else open)(src, "rb").read()
open(sys.argv[2], "wb").write(raw[16:])
PY
count=$(( $(stat -c %s "$out/t10k.u8") / 784 ))
# The library's logits, and the normalised images it was given.
"$out/predict" "$out/lib$name.so" model "$out/t10k.u8" 784 10 $mean $std \
  "$out/$name.so.logits" "$out/t10k.f32" > "$out/$name.so.pred"
# The reference: the compressed model decoded to dense weights, run at batch
# $count by dc-run's JIT (upstream's plain lowering, none of dc's kernels);
# then the same on |w| and |x|, the sum |w||x| that bounds rounding.
build/bin/dc-opt "$out/$name.dc.mlir" --dc-materialize --dc-rebatch=batch=$count \
  --dc-parametrize="weights=1 biases=1 statistics=1" -o "$out/$name.reference.mlir"
for kind in reference magnitudes; do
  flag=""; [ $kind = magnitudes ] && flag=--magnitudes
  build/bin/dc-run "$out/$name.reference.mlir" --function=forward \
    --params-from=forward.params --input="$out/t10k.f32" --output-dir="$out/$kind" $flag > /dev/null
done
labels=$data/t10k-labels-idx1-ubyte
[ -e "$labels" ] || labels=$labels.gz
python3 scripts/evaluate.py --classes 10 --library "$out/$name.so.logits" \
  --reference "$out/reference/result0.bin" --magnitudes "$out/magnitudes/result0.bin" \
  --labels "$labels" --dc-train "$out/$name.dc-train.pred"
echo
echo "== summary ($out/$name.json)"
python3 - "$out/$name.json" "$out/lib$name.so" <<'PY'
import json, os, sys
stages = json.load(open(sys.argv[1]))["stages"]
print("  stage      test top-1  val top-1  kept     bits        bytes      ratio")
for s in stages:
    print("  %-10s %9.2f%%  %8.2f%%  %6.2f%%  %-10s %s%9d  %6.1fx"
          % (s["stage"], 100 * s["test_top1"], 100 * s["val_top1"], s["kept_percent"],
             s["weight_bits"], "~" if s["bytes_estimated"] else " ", s["bytes"], s["ratio"]))
d, c = stages[0], stages[-1]
print("  test top-1: dense %.2f%%, compressed %.2f%% (%+.2f points), %.1fx smaller than"
      " float32 (biases included)" % (100 * d["test_top1"], 100 * c["test_top1"],
                                      100 * (c["test_top1"] - d["test_top1"]), c["ratio"]))
print("  the library: %s, %d bytes" % (sys.argv[2], os.path.getsize(sys.argv[2])))
PY
