#!/usr/bin/env python3
"""nonzero.py MODEL.mlir: the fraction of non-zero weights of each pruned
trainable form (dc-prune{form=trainable}: a <layer>_mask blob and its
<layer>_weight blob) in a model's dialect_resources, as `<layer> kept/total
fraction` lines. A weight counts when its mask is non-zero and its value is
not 0.0. Python's standard library only."""
import re
import struct
import sys

text = open(sys.argv[1]).read()
blobs = dict(re.findall(r'^\s*([A-Za-z0-9_.]+): "0x([0-9A-Fa-f]+)"', text, re.M))
found = False
for key in sorted(blobs):
    if not key.endswith("_mask"):
        continue
    layer = key[: -len("_mask")]
    mask = bytes.fromhex(blobs[key])[4:]  # skip the alignment word
    w = bytes.fromhex(blobs.get(layer + "_weight", ""))[4:]
    if len(w) != 4 * len(mask):
        sys.exit("nonzero.py: %s has no weight blob of its size" % layer)
    values = struct.unpack("<%df" % len(mask), w)
    kept = sum(1 for m, v in zip(mask, values) if m and v != 0.0)
    print("%s %d/%d %.4f" % (layer, kept, len(mask), kept / len(mask)))
    found = True
if not found:
    sys.exit("nonzero.py: no pruned trainable form in " + sys.argv[1])
