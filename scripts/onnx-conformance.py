#!/usr/bin/env python3
"""Runs ONNX's backend conformance tests through dc.

Each test is a directory with model.onnx and test_data_set_N/{input,output}_K.pb
(Debian's libonnx-testdata: /usr/share/libonnx-testdata/data/{node,
pytorch-converted,pytorch-operator,simple}). For each test:

  1. dc-import-onnx model.onnx -o model.mlir; an importer error is the verdict
     UNSUPPORTED with the importer's own message (an "internal error" is FAIL);
     int64 inputs (a Reshape's shape, a Squeeze's axes) are bound to their
     test data as constants (--bind-input) when every data set gives them
     the same value;
  2. dc-compile model.mlir -o libmodel.so (uncompressed: node tests pass their
     weights as graph inputs, through the multi-input C interface);
  3. every test_data_set_N: the inputs (converted with dc-import-onnx --tensor)
     go through the library (ctypes), the outputs are compared with the
     expected ones at ONNX's tolerances, |got - want| <= atol + rtol * |want|
     (rtol 1e-3, atol 1e-7);
  4. with --compress, a model with initializers is also compressed
     (dc-opt --dc-compress) and compiled, and its outputs are compared with
     those of its own decoded-dense build (dc-opt --dc-materialize), at the
     same tolerances.

Prints one line per test (PASS, UNSUPPORTED: reason, FAIL: reason) and the
counts; exits non-zero if any test FAILs (UNSUPPORTED does not fail the run).

  scripts/onnx-conformance.py --bin build/bin \\
      /usr/share/libonnx-testdata/data/node/*        # all node tests
  scripts/onnx-conformance.py --bin build/bin --compress \\
      /usr/share/libonnx-testdata/data/pytorch-converted/*
"""

import argparse
import array
import ctypes
import glob
import math
import os
import shutil
import subprocess
import sys
import tempfile

RTOL = 1e-3
ATOL = 1e-7


class Failure(Exception):
    pass


def run(cmd, what):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        lines = [l for l in p.stderr.strip().splitlines() if l.strip()]
        raise Failure("%s failed (exit %d): %s" % (
            what, p.returncode, lines[-1] if lines else "(no message)"))
    return p.stdout


def read_tensor(tools, pb, out_bin):
    """(name, element type, f32 values) of a TensorProto file."""
    shape, name, type = run([tools["import"], "--tensor", pb, "-o", out_bin],
                            "dc-import-onnx --tensor").split()
    data = array.array("f")
    with open(out_bin, "rb") as f:
        data.frombytes(f.read())
    if sys.byteorder != "little":
        data.byteswap()
    return name, type, data


class Library:
    def __init__(self, path, prefix):
        self.lib = ctypes.CDLL(path)
        self.forward = getattr(self.lib, prefix + "_forward")
        self.forward.restype = ctypes.c_int
        size = getattr(self.lib, prefix + "_workspace_size")
        size.restype = ctypes.c_size_t
        n = size() + 128
        self.raw = ctypes.create_string_buffer(n)
        addr = ctypes.addressof(self.raw)
        self.ws = ctypes.c_void_p((addr + 63) // 64 * 64)
        init = getattr(self.lib, prefix + "_init")
        init.restype = ctypes.c_int
        if init(self.ws) != 0:
            raise Failure("%s_init failed" % prefix)

    def __call__(self, inputs, output_sizes):
        ins = [(ctypes.c_float * len(x)).from_buffer_copy(x.tobytes())
               for x in inputs]
        outs = [(ctypes.c_float * n)() for n in output_sizes]
        rc = self.forward(self.ws, *ins, *outs)
        if rc != 0:
            raise Failure("forward returned %d" % rc)
        return [list(o) for o in outs]


def compare(got, want, what):
    if len(got) != len(want):
        raise Failure("%s: %d values, expected %d" % (what, len(got), len(want)))
    worst, at = 0.0, -1
    for i, (g, w) in enumerate(zip(got, want)):
        if math.isnan(w) and math.isnan(g):
            continue
        if math.isinf(w) and g == w:
            continue
        err = abs(g - w)
        if not err <= ATOL + RTOL * abs(w):
            excess = err / (ATOL + RTOL * abs(w)) if not math.isnan(err) \
                else float("inf")
            if excess > worst or at < 0:
                worst, at = excess, i
    if at >= 0:
        raise Failure("%s: element %d is %r, expected %r" % (
            what, at, got[at], want[at]))


def compile_model(tools, mlir, work, name, extra=()):
    lib = os.path.join(work, "lib%s.so" % name)
    run([tools["compile"], mlir, "-o", lib] + list(extra), "dc-compile")
    return Library(lib, name)


def run_test(tools, test, work, compress):
    model = os.path.join(test, "model.onnx")
    mlir = os.path.join(work, "model.mlir")
    sets = sorted(glob.glob(os.path.join(test, "test_data_set_*")))
    if not sets:
        return "UNSUPPORTED", "no test data sets"
    # int64 inputs (the shape of a Reshape, the axes of a Squeeze) are bound
    # as constants when every data set gives the same value: dc compiles
    # static shapes.
    # A tensor dc-import-onnx cannot read (bool, float16, a sequence) is
    # only an error if the model imports: the importer's verdict comes first.
    data, binds, unreadable = [], {}, []
    for s in sets:
        ins, outs = [], []
        for k in range(len(glob.glob(os.path.join(s, "input_*.pb")))):
            pb = os.path.join(s, "input_%d.pb" % k)
            try:
                name, type, values = read_tensor(tools, pb,
                                                 os.path.join(work, "in.bin"))
            except Failure as e:
                unreadable.append(e)
                continue
            if type != "int64" or name == "-":  # "-": unnamed
                ins.append(values)
                continue
            raw = open(pb, "rb").read()
            if binds.setdefault(name, (pb, raw))[1] != raw:
                return "UNSUPPORTED", ("the data sets give input '%s' "
                                       "different values" % name)
        for k in range(len(glob.glob(os.path.join(s, "output_*.pb")))):
            try:
                outs.append(read_tensor(
                    tools, os.path.join(s, "output_%d.pb" % k),
                    os.path.join(work, "out.bin"))[2])
            except Failure as e:
                unreadable.append(e)
        data.append((ins, outs))
    cmd = [tools["import"], model, "-o", mlir]
    cmd += ["--bind-input=%s=%s" % (n, pb) for n, (pb, _) in binds.items()]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        msg = p.stderr.strip().splitlines()
        msg = msg[-1] if msg else "(no message)"
        msg = msg.replace("dc-import-onnx: error: ", "").replace(model + ": ",
                                                               "")
        if "internal error" in msg:
            return "FAIL", "import: " + msg
        return "UNSUPPORTED", msg
    if unreadable:
        raise unreadable[0]
    lib = compile_model(tools, mlir, work, "model")
    for n, (ins, outs) in enumerate(data):
        got = lib(ins, [len(o) for o in outs])
        for k, (g, w) in enumerate(zip(got, outs)):
            compare(g, w, "%s output %d" % (os.path.basename(sets[n]), k))
    note = ""
    if compress and "dense_resource" in open(mlir).read():
        packed = os.path.join(work, "model.dc.mlir")
        dense = os.path.join(work, "dense.mlir")
        run([tools["opt"], mlir, "--dc-compress", "-o", packed],
            "dc-opt --dc-compress")
        run([tools["opt"], packed, "--dc-materialize", "-o", dense],
            "dc-opt --dc-materialize")
        small = compile_model(tools, packed, work, "packed")
        ref = compile_model(tools, dense, work, "dense")
        for ins, outs in data:
            sizes = [len(o) for o in outs]
            for k, (g, w) in enumerate(zip(small(ins, sizes),
                                           ref(ins, sizes))):
                compare(g, w, "compressed output %d vs decoded dense" % k)
        note = "(and compressed)"
    return "PASS", note


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("tests", nargs="+", help="test directories")
    ap.add_argument("--bin", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "build", "bin"),
        help="dc's tools (default: build/bin)")
    ap.add_argument("--compress", action="store_true",
                    help="also compress models with initializers and compare "
                         "with their decoded-dense build")
    ap.add_argument("--quiet", action="store_true",
                    help="print only FAILs and the counts")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    tools = {"import": os.path.join(args.bin, "dc-import-onnx"),
             "compile": os.path.join(args.bin, "dc-compile"),
             "opt": os.path.join(args.bin, "dc-opt")}
    counts = {"PASS": 0, "UNSUPPORTED": 0, "FAIL": 0}
    for test in args.tests:
        test = test.rstrip("/")
        if not os.path.isfile(os.path.join(test, "model.onnx")):
            continue
        if args.one:
            work = tempfile.mkdtemp(prefix="dc-onnx-")
            try:
                verdict, why = run_test(tools, test, work, args.compress)
            except Failure as e:
                verdict, why = "FAIL", str(e)
            except Exception as e:  # a harness problem is a failure too
                verdict, why = "FAIL", "%s: %s" % (type(e).__name__, e)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            print(verdict + "\t" + why)
            return 0
        # Each test in its own process: a crashing library is one FAIL.
        cmd = [sys.executable, os.path.abspath(__file__), "--one",
               "--bin", args.bin, test] + (["--compress"] if args.compress
                                           else [])
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        last = p.stdout.rstrip("\n").splitlines()[-1:] or [""]
        if p.returncode == 0 and "\t" in last[0]:
            verdict, why = last[0].split("\t", 1)
        else:
            verdict, why = "FAIL", "the runner died (exit %d)" % p.returncode
        counts[verdict] += 1
        if not args.quiet or verdict == "FAIL":
            sep = ":" if verdict != "PASS" and why else ""
            line = "%s %s%s %s" % (verdict, os.path.basename(test), sep, why)
            print(line.rstrip(), flush=True)
    print("%d passed, %d unsupported, %d failed" % (
        counts["PASS"], counts["UNSUPPORTED"], counts["FAIL"]))
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
