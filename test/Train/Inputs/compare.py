#!/usr/bin/env python3
"""compare.py A B TOL: dc-run output folders A and B (manifest.txt and the
f32 files it lists) hold the same tensors, element by element within TOL of
each tensor's largest magnitude. Prints one line per tensor and 'same'."""
import struct
import sys

a, b, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])


def manifest(d):
    return [line.split() for line in open(d + "/manifest.txt")]


ma, mb = manifest(a), manifest(b)
assert [m[2] for m in ma] == [m[2] for m in mb], "different tensors"
for (f, name, ty) in ma:
    if not ty.endswith("f32>"):
        continue
    x = open(a + "/" + f, "rb").read()
    y = open(b + "/" + f, "rb").read()
    n = len(x) // 4
    xs, ys = struct.unpack("<%df" % n, x), struct.unpack("<%df" % n, y)
    scale = max(max(abs(v) for v in xs), 1e-30)
    err = max(abs(p - q) for p, q in zip(xs, ys)) / scale
    print("%s %s %s max error %.2e of %.3e" % (f, name, ty, err, scale))
    if not err <= tol:
        sys.exit("compare.py: %s differs by %.2e (tolerance %.0e)" % (f, err, tol))
print("same")
