#!/usr/bin/env bash
# Byte-identity check for refactorings (docs/Testing.md): runs the tools of
# a build over a fixed set of inputs (the built-in models, the suite's ONNX
# graphs, a short dc-train recipe run, the main job's compressed model when
# build/demo has it) and prints one sha256 line per output. Run it before
# and after a change and diff the two lists:
#
#   scripts/identical.sh [BUILD] > /tmp/before.txt   (on the old commit)
#   scripts/identical.sh [BUILD] > /tmp/after.txt    (on the new one)
#   diff /tmp/before.txt /tmp/after.txt
#
# Outputs go to a temporary folder, never into the tree. The CPU is fixed
# (--mcpu) so the list does not depend on the host; the output of dc-train
# depends on the host's floating point only through the JIT and the BLAS it
# links, which the same machine keeps.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(cd "${1:-build}" && pwd)
bin=$build/bin
out=$(mktemp -d /tmp/dc-identical.XXXXXX)
trap 'rm -rf "$out"' EXIT
cd "$out"
mcpu="--mcpu=skylake-avx512"

for m in tiny mlp lenet5 cnn_pad resnet; do
  "$bin/dc-model-gen" ${m/_/-} -o $m.mlir
  "$bin/dc-model-gen" ${m/_/-} --front-end=torchscript -o $m.ts.mlir
  "$bin/dc-opt" $m.mlir --dc-compress="sparsity=0.9 fc-bits=5 conv-bits=6" -o $m.dc.mlir
  "$bin/dc-opt" $m.dc.mlir --dc-report="report=-" -o /dev/null > $m.report.txt
  "$bin/dc-opt" $m.dc.mlir --dc-report="report=$m.report.json report-format=json" -o /dev/null
  "$bin/dc-compile" $m.dc.mlir $mcpu --emit=llvm -o $m.ll
  "$bin/dc-compile" $m.dc.mlir $mcpu -o lib$m.so
  "$bin/dc-compile" $m.dc.mlir $mcpu --vectorize=false -o lib${m}_scalar.so
  "$bin/dc-compile" $m.dc.mlir $mcpu --decode-at=compile -o lib${m}_decoded.so
  "$bin/dc-compile" $m.ts.mlir $mcpu -o lib${m}_dense.so
  "$bin/dc-compile" $m.dc.mlir --target=aarch64 --emit=obj -o ${m}_a64.o
  "$bin/dc-opt" $m.mlir --dc-parametrize -o $m.param.mlir
done
for k in sparsifier indices decode rows; do
  "$bin/dc-compile" lenet5.dc.mlir $mcpu --conv-kernel=$k -o liblenet5_$k.so
done
"$bin/dc-model-gen" mlp --front-end=tosa -o mlp.tosa.mlir
"$bin/dc-opt" mlp.tosa.mlir --dc-tosa-to-linalg -o mlp.tosa-linalg.mlir
"$bin/dc-compile" mlp.tosa-linalg.mlir $mcpu --dc-compress="sparsity=0.9 fc-bits=5" -o libmlp_tosa.so

for gf in mlp cnn multi-io repeated-output; do
  g=${gf/-/_}
  protoc -I/usr/include/onnx /usr/include/onnx/onnx.proto --encode=onnx.ModelProto \
    < "$root/test/Import/Inputs/$gf.txtpb" > $g.onnx
  "$bin/dc-import-onnx" $g.onnx -o $g.onnx.mlir
  "$bin/dc-compile" $g.onnx.mlir $mcpu -o lib${g}_onnx.so
done

python3 "$root/test/Train/Inputs/make_data.py" data --features 784 --classes 10 --train 700 --test 200 > /dev/null
DC_CACHE_DIR=$out/cache "$bin/dc-train" mlp.mlir --data=data --recipe=deep-compression \
  --dense-epochs=1 --val-split=100 --batch-size=32 -o train.dc.mlir --quiet > /dev/null 2>&1
"$bin/dc-compile" train.dc.mlir $mcpu -o libtrain.so

if [ -e "$root/build/demo/lenet-300-100.dc.mlir" ]; then
  "$bin/dc-compile" "$root/build/demo/lenet-300-100.dc.mlir" $mcpu --prefix=model -o libdemo.so
fi

sha256sum -- * 2>/dev/null | grep -v ' data$\| cache$' | sort -k2
