#!/usr/bin/env python3
"""export_weights.py MODEL.mlir DIR: writes every dense_resource blob of an
MLIR text file (dc-model-gen's weights, torch-mlir's parameters) to
DIR/<name>.f32 as raw little-endian floats, and every inline hex constant
(`dense<"0x...">`, as dc-materialize prints a decoded weight) to
DIR/inline<i>.f32, for the benchmark peers (the C + OpenBLAS model,
PyTorch, the layer kernels) to run on exactly the weights dc compiles."""
import os
import re
import sys

text = open(sys.argv[1]).read()
section = text.split("dialect_resources", 1) + [""]
os.makedirs(sys.argv[2], exist_ok=True)
count = 0
for i, hexdata in enumerate(re.findall(r'dense<"0x([0-9A-Fa-f]+)">', section[0])):
    with open(os.path.join(sys.argv[2], f"inline{i}.f32"), "wb") as f:
        f.write(bytes.fromhex(hexdata))
    count += 1
for name, hexdata in re.findall(r'([A-Za-z0-9_.]+): "0x([0-9A-Fa-f]+)"', section[1]):
    data = bytes.fromhex(hexdata)[4:]  # the first 4 bytes are the alignment
    with open(os.path.join(sys.argv[2], name + ".f32"), "wb") as f:
        f.write(data)
    count += 1
print(f"{count} weight blobs to {sys.argv[2]}")
