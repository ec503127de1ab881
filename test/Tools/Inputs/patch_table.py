#!/usr/bin/env python3
"""patch_table.py MODEL.mlir LIB.so OUT.so KIND: copies LIB.so to OUT.so with
the first Huffman weight code-length table of MODEL.mlir (a compressed model
in text form) changed in place, so that the library's @dc_init meets a table
the format forbids. KIND: incomplete (one length + 1: Kraft sum < 1),
oversubscribed (one length - 1: Kraft sum > 1), lone (all lengths but one
zeroed, that one 2). The table must occur exactly once in the library."""
import re
import sys

model, lib, out, kind = sys.argv[1:5]
m = re.search(r"weight_code_lengths = array<i8: ([0-9, ]+)>", open(model).read())
if not m:
    sys.exit("no weight_code_lengths table in " + model)
table = bytes(int(v) for v in m.group(1).split(","))
data = bytearray(open(lib, "rb").read())
at = data.find(table)
if at < 0 or data.find(table, at + 1) >= 0:
    sys.exit(f"the {len(table)}-byte table occurs {data.count(table)} times")
patched = bytearray(table)
i = max(range(len(patched)), key=lambda k: patched[k])  # a longest code
if kind == "incomplete":
    patched[i] += 1
elif kind == "oversubscribed":
    patched[i] -= 1
elif kind == "lone":
    patched = bytearray(len(patched))
    patched[0] = 2
else:
    sys.exit("unknown kind " + kind)
data[at:at + len(table)] = patched
open(out, "wb").write(data)
print(f"patched {len(table)} bytes at {at:#x}")
