#!/usr/bin/env python3
"""The main job's evaluator: a compiled model library against the decoded-dense
reference, over every test image (docs/Results.md, "How the library is
checked").

  evaluate.py --classes C --library L.f32 --reference R.f32 --magnitudes M.f32
              [--labels LABELS] [--dc-train PREDICTIONS] [--tolerance 1e-5]

L: the library's logits (test/Train/Inputs/predict.c LOGITS INPUTS); R: the
same INPUTS through the decoded-dense model (dc-opt --dc-materialize, run by dc-run's
JIT: upstream's plain lowering, no dc kernel); M: that model on |w| and |x|
(dc-run --magnitudes), i.e. sum |w||x| over each logit's paths. Every logit
must satisfy |L - R| <= tolerance * M, and the library's argmax must be the
reference's (or the two top logits must be within that bound of each other).
LABELS (IDX, .gz or not, or raw u8): prints the library's top-1. Exits 1 on
any violation. Plain Python,
no numpy.
"""
import argparse
import array
import gzip
import sys


def floats(path):
    a = array.array("f")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    if sys.byteorder != "little":
        a.byteswap()
    return a


def argmax(row):
    best = 0
    for c in range(1, len(row)):
        if row[c] > row[best]:
            best = c
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--classes", type=int, required=True)
    p.add_argument("--library", required=True)
    p.add_argument("--reference", required=True)
    p.add_argument("--magnitudes", required=True)
    p.add_argument("--labels")
    p.add_argument("--dc-train")
    p.add_argument("--tolerance", type=float, default=1e-5)
    a = p.parse_args()
    lib, ref, mag = floats(a.library), floats(a.reference), floats(a.magnitudes)
    c = a.classes
    if not (len(lib) == len(ref) == len(mag)) or len(lib) % c:
        sys.exit("evaluate.py: the logits files differ in size (%d, %d, %d floats)"
                 % (len(lib), len(ref), len(mag)))
    n = len(lib) // c
    worst, bad, flips, ties = 0.0, 0, 0, 0
    lib_pred = []
    for i in range(n):
        lo, hi = i * c, (i + 1) * c
        l, r, m = lib[lo:hi], ref[lo:hi], mag[lo:hi]
        for k in range(c):
            bound = a.tolerance * m[k]
            err = abs(l[k] - r[k])
            if bound > 0:
                worst = max(worst, err / bound)
            if err > bound:
                bad += 1
        pl, pr = argmax(l), argmax(r)
        lib_pred.append(pl)
        if pl != pr:
            # A near tie: both within the bound of each other is allowed.
            if abs(r[pl] - r[pr]) <= a.tolerance * max(m[pl], m[pr]):
                ties += 1
            else:
                flips += 1
    print("  logits: max |library - reference| = %.3g of the bound %g * sum|w||x|"
          " over %d x %d logits; %d outside it" % (worst, a.tolerance, n, c, bad))
    print("  argmax: the library's equals the decoded-dense reference's on %d / %d"
          " images (%d near ties)" % (n - flips - ties, n, ties))
    if a.labels:
        opener = gzip.open if a.labels.endswith(".gz") else open
        with opener(a.labels, "rb") as f:
            labels = f.read()
        if len(labels) == n + 8:  # an IDX file: its header
            labels = labels[8:]
        if len(labels) != n:
            sys.exit("evaluate.py: %d labels for %d images" % (len(labels), n))
        right = sum(1 for pl, y in zip(lib_pred, labels) if pl == y)
        print("  test top-1 of the library: %.2f%% (%d / %d)" % (100 * right / n, right, n))
    if a.dc_train:
        with open(a.dc_train) as f:
            dc = [int(line) for line in f]
        same = sum(1 for x, y in zip(lib_pred, dc) if x == y)
        print("  the library predicts as dc-train's evaluation on %d / %d images" % (same, n))
    sys.exit(1 if bad or flips else 0)


if __name__ == "__main__":
    main()
