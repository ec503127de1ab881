#!/usr/bin/env python3
"""compare_outputs.py EXPECTED GOT [RTOL]: one value a line in each (a line
that is not a number, such as the harness's "workspace N bytes", is
skipped); equal within RTOL (default 1e-5) of each value plus 1e-6 of the
outputs' scale (the largest magnitude, at least 1e-3)."""
import sys


def values(path):
    out = []
    for line in open(path):
        try:
            out.append(float(line))
        except ValueError:
            pass
    return out


a, b = values(sys.argv[1]), values(sys.argv[2])
rtol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
if len(a) != len(b) or not a:
    sys.exit(f"{len(a)} expected values, {len(b)} values")
scale = max([1e-3] + [abs(v) for v in a])
bad = [(i, x, y) for i, (x, y) in enumerate(zip(a, b))
       if not abs(x - y) <= rtol * abs(x) + 1e-6 * scale]
for i, x, y in bad[:10]:
    print(f"output {i}: expected {x}, got {y}")
if bad:
    sys.exit(f"{len(bad)} of {len(a)} outputs differ")
print(f"ok: {len(a)} outputs agree")
