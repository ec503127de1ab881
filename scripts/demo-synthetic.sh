#!/usr/bin/env bash
# The older demo (the main job is scripts/demo.sh): build dc, write
# LeNet-300-100 (synthetic weights, torch-mlir linalg-on-tensors shape),
# compress it with Deep Compression's settings for that network (8% of the
# weights kept, 6-bit shared weights, 5-bit relative indices, Huffman),
# print the paper-style per-layer report, check the compressed model decodes
# to its quantized weights, show a compressed layer, then compile it into a
# self-contained shared library and run that from a C program.
#
#   scripts/demo-synthetic.sh [MODEL.mlir|MODEL.mlirbc [DC-COMPRESS-OPTIONS]]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dc-opt dc-model-gen dc-compile
out=build/demo
mkdir -p "$out"
model=${1:-}
options=${2:-sparsity=0.92 fc-bits=6 conv-bits=8 index-bits=5}
if [ -z "$model" ]; then
  model=$out/lenet-300-100.mlirbc
  build/bin/dc-model-gen mlp -o "$model"
fi
name=$(basename "${model%.*}")
echo "== dc-opt --dc-compress=\"$options\" $model"
build/bin/dc-opt "$model" --dc-compress="$options report=-" \
  -emit-bytecode -o "$out/$name.dc.mlirbc"
echo
echo "== sizes on disk (MLIR bytecode, biases and IR included)"
ls -l "$model" "$out/$name.dc.mlirbc" | awk '{print "  " $5 " bytes  " $NF}'
echo
echo "== check: the compressed model decodes to exactly the quantized weights"
build/bin/dc-opt "$model" --dc-prune="${options%% *}" \
  --dc-quantize="$(echo "$options" | tr ' ' '\n' | grep -E '^(fc|conv)-bits=' | tr '\n' ' ')" \
  -o "$out/$name.quantized.mlir"
build/bin/dc-opt "$out/$name.dc.mlirbc" --dc-materialize="blobs=1" -o "$out/$name.decoded.mlir"
grep -o '[A-Za-z0-9_.]*_shared: "0x[0-9A-F]*"' "$out/$name.quantized.mlir" | sed 's/_shared//' | sort > "$out/a"
grep -o '[A-Za-z0-9_.]*_dense: "0x[0-9A-F]*"' "$out/$name.decoded.mlir" | sed 's/_dense//' | sort > "$out/b"
if cmp -s "$out/a" "$out/b" && [ -s "$out/a" ]; then
  echo "  ok: $(wc -l < "$out/a") layers identical"
else
  echo "  MISMATCH"; exit 1
fi
echo
echo "== the first compressed layer (payload blobs elided)"
build/bin/dc-opt "$out/$name.dc.mlirbc" --mlir-elide-resource-strings-if-larger=32 \
  -o "$out/$name.dc.mlir"
grep -m2 -E 'dc\.(constant|decompress)' "$out/$name.dc.mlir"

echo
echo "== dc-compile: a shared library + C header, run from C"
rm -rf "$out/lib" && mkdir -p "$out/lib"
build/bin/dc-compile "$out/$name.dc.mlirbc" -o "$out/lib/libmodel.so"
echo "  $(stat -c %s "$out/lib/libmodel.so") bytes  $out/lib/libmodel.so (no libc: nm -u lists $(/usr/lib/llvm-22/bin/llvm-nm -u "$out/lib/libmodel.so" | wc -l) symbols)"
/usr/lib/llvm-22/bin/clang -O1 -DMODEL_H='"model.h"' -DPREFIX=model \
  -I"$out/lib" test/Tools/Inputs/harness.c -L"$out/lib" -lmodel -lm \
  -Wl,-rpath,"$PWD/$out/lib" -o "$out/lib/run-model"
"$out/lib/run-model" | head -4 | sed 's/^/  /'
