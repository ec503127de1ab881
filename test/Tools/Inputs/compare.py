#!/usr/bin/env python3
"""compare.py RUNNER_OUTPUT HARNESS_OUTPUT: the values a C harness printed
equal those mlir-runner printed with printMemrefF32 within 5e-6 relative (6
significant digits) plus 1e-6 of the output's scale (the largest magnitude,
at least 1): the library's vector loops sum in another order than the
reference's scalar loops, so a logit that nearly cancels differs by a few
ulps of the scale, not of itself."""
import re
import sys

num = r"-?(?:nan|inf|[0-9]+(?:\.[0-9]*)?(?:e[-+]?[0-9]+)?)"
runner = open(sys.argv[1]).read()
runner = [float(v) for v in re.findall(num, runner.split("data =", 1)[1])]
harness = [float(l) for l in open(sys.argv[2]).read().split("\n")[1:] if l]
if len(runner) != len(harness):
    sys.exit(f"{len(runner)} runner values, {len(harness)} harness values")
scale = max([1.0] + [abs(a) for a in runner if a == a and abs(a) != float("inf")])
bad = [(i, a, b) for i, (a, b) in enumerate(zip(runner, harness))
       if not abs(a - b) <= 5e-6 * abs(b) + 1e-6 * scale]
for i, a, b in bad:
    print(f"output {i}: runner {a}, library {b}")
if bad:
    sys.exit(f"{len(bad)} of {len(runner)} outputs differ")
print(f"ok: {len(runner)} outputs agree")
