#!/usr/bin/env bash
# Every pair of a dc tool's files that may not be the same (an output and an
# input, or two outputs) is refused before any work, by every spelling of
# the second one: relative (from the file's folder, ./NAME and NAME),
# absolute, through a symbolic link, through ../ (output-collisions.test;
# issue 25, item 3). Each refused run must exit non-zero, say "are the same
# file", and leave every named file as it was. Prints one line per run;
# exits 1 on the first failure.
#   collisions.sh TMPDIR ONNX_ENCODE_CMD MLP_TXTPB
set -u
dir=$1
encode=$2
txtpb=$3
rm -rf "$dir" && mkdir -p "$dir/w" "$dir/links" "$dir/expected"
cd "$dir/w" || exit 1
dc-model-gen tiny -o model.mlir || exit 1
dc-compile model.mlir --dc-compress -o libold.so || exit 1
echo report > report.txt
$encode < "$txtpb" > model.onnx || exit 1
printf 'not-a-tensor' > bind.pb
runs=0

# spellings NAME: the ways to write the file NAME of $dir/w.
spellings() {
  local name=$1
  ln -sf "$dir/w/$name" "$dir/links/$name"
  echo "$name ./$name $dir/w/$name $dir/links/$name ../w/$name"
}

# refuse DESCRIPTION COMMAND...: runs COMMAND in $dir/w; it must fail with
# "are the same file" and change no file of $dir/w.
refuse() {
  local what=$1
  shift
  rm -rf "$dir/expected" && cp -a "$dir/w" "$dir/expected"
  local out
  out=$("$@" 2>&1)
  local rc=$?
  runs=$((runs + 1))
  if [ $rc = 0 ]; then
    echo "FAIL ($what): exit 0: $*"
    exit 1
  fi
  if ! grep -q "are the same file" <<<"$out"; then
    echo "FAIL ($what): no collision message: $*"
    echo "$out"
    exit 1
  fi
  if ! diff -r "$dir/w" "$dir/expected" >/dev/null; then
    echo "FAIL ($what): files changed: $*"
    diff -r "$dir/w" "$dir/expected"
    exit 1
  fi
  echo "refused ($what): $(head -1 <<<"$out")"
}

for s in $(spellings model.mlir); do
  refuse "dc-compile -o = input" dc-compile "$dir/w/model.mlir" -o "$s"
  refuse "dc-compile --header = input" dc-compile "$dir/w/model.mlir" -o libx.so --header="$s"
  refuse "dc-compile report= = input" dc-compile "$dir/w/model.mlir" --dc-compress="report=$s" -o liby.so
  refuse "dc-opt -o = input" dc-opt "$dir/w/model.mlir" -o "$s"
  refuse "dc-opt report= = input" dc-opt "$dir/w/model.mlir" --dc-compress="report=$s" -o out.mlir
  refuse "dc-opt dc-report report= = input" dc-opt "$dir/w/model.mlir" --dc-compress --dc-report="report=$s" -o out.mlir
done
for s in $(spellings libold.so); do
  refuse "dc-compile --header = -o" dc-compile model.mlir -o "$dir/w/libold.so" --header="$s"
  refuse "dc-compile report= = -o" dc-compile model.mlir --dc-compress="report=$s" -o "$dir/w/libold.so"
done
for s in $(spellings report.txt); do
  refuse "dc-compile report= = --header" dc-compile model.mlir --dc-compress="report=$dir/w/report.txt" -o libz.so --header="$s"
  refuse "dc-opt report= = -o" dc-opt model.mlir --dc-compress="report=$dir/w/report.txt" -o "$s"
done
# Outputs that do not exist yet: the same path, spelled differently.
for s in new.h ./new.h "$dir/w/new.h" ../w/new.h; do
  refuse "dc-compile new -o = new --header" dc-compile model.mlir -o "$dir/w/new.h" --header="$s"
done
for s in $(spellings model.onnx); do
  refuse "dc-import-onnx -o = input" dc-import-onnx "$dir/w/model.onnx" -o "$s"
done
for s in $(spellings bind.pb); do
  refuse "dc-import-onnx -o = --bind-input" dc-import-onnx model.onnx --bind-input "x=$dir/w/bind.pb" -o "$s"
done
mkdir -p out && printf '\0\0\0\0' > out/result0.bin
for s in out/result0.bin ./out/result0.bin "$dir/w/out/result0.bin"; do
  refuse "dc-run --input = an output" dc-run model.mlir --function=forward --input="$s" --output-dir=out
done
echo "all $runs refused"
