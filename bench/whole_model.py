#!/usr/bin/env python3
"""whole_model.py DIR [--rounds R] [--quick]: the timing driver of
bench/whole-model.sh (which builds everything in DIR first).

Cases: dense LeNet-300-100 and LeNet-5 at batch 1 and 64, the same models
compressed at the paper's kept fractions (dc's library of the compressed
model; the OpenBLAS peer and PyTorch run its decoded weights densely, as a
user without dc would), and dense matmuls
C[MxN] = A[MxK] B[KxN] (the batch-64 shapes of LeNet-300's fc1, AlexNet's
fc6 and VGG-16's fc6, and the same layers at batch 1). Contenders, all in
this one process, one thread each:
  dc        - the library dc-compile built for this host (dc-vectorize)
  dc-scalar - the same model built with --vectorize=false (scalar loops;
              compressed: also the sparsifier's fc and conv loops; skipped
              where one call would take over a second)
  openblas  - the C peer of bench/peers.c (sgemv / im2col + sgemm), or
              cblas_sgemm / cblas_sgemv alone for the matmuls (sgemv: the
              faster of B^T x on B[K][N] and W x on W[N][K])
  torch     - PyTorch inference (torch.inference_mode, one thread) of the
              same model on the same weights
Before timing, every contender's output is checked against the OpenBLAS
peer's (max |difference| <= 1e-4 of the output's scale).

Timing: each measurement is one C call running `iters` calls (iters chosen
so that a block takes about 20 ms); R rounds, the contenders in a rotated
order in each round (interleaved); the figure is the median per-call time.
A load gate waits (up to 2 minutes) for the 1-minute load average to fall
below 0.5 before the first case; the load average at each case is printed.
Writes DIR/results.md (a table) and DIR/results.dat (for gnuplot)."""
import ctypes
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

out = sys.argv[1]
rounds = 15
quick = "--quick" in sys.argv
if "--rounds" in sys.argv:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1])

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
try:
    import torch
    torch.set_num_threads(1)
except ImportError:
    torch = None
    print("whole_model.py: python3-torch is not installed: no torch column")

peers = ctypes.CDLL(os.path.join(out, "libpeers.so"))
peers.set_threads(1)
f32p = ctypes.POINTER(ctypes.c_float)
for name in ["time_dc1", "time_dc2", "time_sgemm", "time_sgemv_t",
             "time_sgemv_n", "time_peer_mlp", "time_peer_lenet5"]:
    getattr(peers, name).restype = ctypes.c_double
peers.time_dc1.argtypes = [ctypes.c_void_p, ctypes.c_void_p, f32p, f32p,
                           ctypes.c_long]
peers.time_dc2.argtypes = [ctypes.c_void_p, ctypes.c_void_p, f32p, f32p,
                           f32p, ctypes.c_long]
peers.time_sgemm.argtypes = [ctypes.c_int] * 3 + [f32p] * 3 + [ctypes.c_long]
peers.time_sgemv_t.argtypes = [ctypes.c_int] * 2 + [f32p] * 3 + [ctypes.c_long]
peers.time_sgemv_n.argtypes = [ctypes.c_int] * 2 + [f32p] * 3 + [ctypes.c_long]
peers.time_peer_mlp.argtypes = [ctypes.c_int, f32p, f32p, ctypes.c_long]
peers.time_peer_lenet5.argtypes = [ctypes.c_int, f32p, f32p, ctypes.c_long]


def ptr(a):
    return a.ctypes.data_as(f32p)


def cpu_name():
    info = {}
    for line in open("/proc/cpuinfo"):
        if ":" in line:
            k, v = line.split(":", 1)
            info.setdefault(k.strip(), v.strip())
    flags = info.get("flags", "").split()
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    return (f"{info.get('model name', platform.processor())} (family "
            f"{info.get('cpu family', '?')} model {info.get('model', '?')}, "
            f"{isa})")


def load_gate():
    start = time.time()
    while os.getloadavg()[0] > 0.5 and time.time() - start < 120:
        time.sleep(5)
    return os.getloadavg()[0]


class DCLibrary:
    """A dc-compile'd library: workspace, init, forward."""

    def __init__(self, path, prefix):
        self.lib = ctypes.CDLL(path)
        size = getattr(self.lib, prefix + "_workspace_size")
        size.restype = ctypes.c_size_t
        self.ws = np.zeros(size() // 4 + 64, dtype=np.float32)
        # 64-byte aligned workspace.
        offset = (-self.ws.ctypes.data % 64) // 4
        self.ws = self.ws[offset:]
        init = getattr(self.lib, prefix + "_init")
        init.argtypes = [ctypes.c_void_p]
        if init(self.ws.ctypes.data) != 0:
            sys.exit(f"{path}: {prefix}_init failed")
        self.forward = ctypes.cast(getattr(self.lib, prefix + "_forward"),
                                   ctypes.c_void_p).value

    def timer1(self, x, y):
        return lambda n: peers.time_dc1(self.forward, self.ws.ctypes.data,
                                        ptr(x), ptr(y), n)

    def timer2(self, a, b, y):
        return lambda n: peers.time_dc2(self.forward, self.ws.ctypes.data,
                                        ptr(a), ptr(b), ptr(y), n)


def torch_timer(model, x):
    xt = torch.from_numpy(x)

    def run(n):
        with torch.inference_mode():
            s = time.perf_counter()
            for _ in range(n):
                model(xt)
            return time.perf_counter() - s
    return run


def measure(contenders):
    """contenders: {name: timer(n) -> seconds}; median per-call seconds."""
    iters = {}
    for name, timer in contenders.items():
        timer(1)  # warm up
        t = max(timer(1), 1e-7)
        iters[name] = max(1, int(0.02 / t))
    samples = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            samples[name].append(contenders[name](iters[name]) / iters[name])
    return {name: statistics.median(s) for name, s in samples.items()}


def check(name, got, ref):
    scale = max(1.0, float(np.max(np.abs(ref))))
    err = float(np.max(np.abs(got - ref)))
    if not err <= 1e-4 * scale:
        sys.exit(f"{name}: output differs from the OpenBLAS peer by {err} "
                 f"(scale {scale})")


def weights(model, variant=""):
    d = os.path.join(out, "weights", model + variant)
    return lambda n: np.fromfile(os.path.join(d, n + ".f32"), dtype=np.float32)


def torch_model(model, variant=""):
    w = weights(model, variant)
    nn = torch.nn
    if model == "mlp":
        m = nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100),
                          nn.ReLU(), nn.Linear(100, 10))
        layers = {"fc1": m[0], "fc2": m[2], "fc3": m[4]}
    else:
        m = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(800, 500), nn.ReLU(),
                          nn.Linear(500, 10))
        layers = {"conv1": m[0], "conv2": m[3], "fc1": m[7], "fc2": m[9]}
    with torch.no_grad():
        for name, layer in layers.items():
            layer.weight.copy_(torch.from_numpy(
                w(name + "_weight")).reshape(layer.weight.shape))
            layer.bias.copy_(torch.from_numpy(w(name + "_bias")))
    return m.eval()


rows = []
print(f"CPU: {cpu_name()}; one thread; {rounds} interleaved rounds, medians")
print(f"load average before the first case: {load_gate():.2f}")
rng = np.random.default_rng(0)

for model, form in [("mlp", ""), ("lenet5", ""), ("mlp", "_dc"),
                    ("lenet5", "_dc")]:
    title = {"mlp": "LeNet-300-100", "lenet5": "LeNet-5"}[model]
    if form:
        title += " compressed"
    init = getattr(peers, f"peer_{model}_init")
    init.argtypes = [ctypes.c_char_p]
    if init(os.path.join(out, "weights", model + form).encode()) != 0:
        sys.exit(f"the peer's weights for {model}{form} are missing")
    for batch in [1, 64]:
        shape = (batch, 784) if model == "mlp" else (batch, 1, 28, 28)
        x = rng.standard_normal(shape, dtype=np.float32)
        ref = np.zeros((batch, 10), np.float32)
        peer_time = getattr(peers, f"time_peer_{model}")
        peer_time(batch, ptr(x), ptr(ref), 1)
        contenders = {}
        for variant in ["dc", "dc-scalar"]:
            suffix = "" if variant == "dc" else "_scalar"
            lib = DCLibrary(os.path.join(out, f"lib{model}{form}_b{batch}{suffix}.so"),
                            f"{model}{form}_b{batch}{suffix}")
            y = np.zeros((batch, 10), np.float32)
            timer = lib.timer1(x, y)
            timer(1)
            check(f"{title} batch {batch} {variant}", y, ref)
            contenders[variant] = timer
        py = np.zeros((batch, 10), np.float32)
        contenders["openblas"] = (lambda f, b, xx, yy: lambda n: f(b, ptr(xx), ptr(yy), n))(peer_time, batch, x, py)
        if torch is not None:
            tm = torch_model(model, form)
            with torch.inference_mode():
                check(f"{title} batch {batch} torch", tm(torch.from_numpy(x)).numpy(), ref)
            contenders["torch"] = torch_timer(tm, x)
        load = os.getloadavg()[0]
        t = measure(contenders)
        rows.append((f"{title}, batch {batch}", t, load))
        print(f"{title} batch {batch}: " +
              ", ".join(f"{k} {v * 1e6:.1f} us" for k, v in t.items()) +
              f" (load {load:.2f})", flush=True)

shapes = [(64, 784, 300), (64, 9216, 4096), (64, 25088, 4096),
          (1, 784, 300), (1, 9216, 4096), (1, 25088, 4096)]
if quick:
    shapes = [(64, 784, 300), (1, 784, 300)]
for m, k, n in shapes:
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    ref = np.zeros((m, n), np.float32)
    peers.time_sgemm(m, k, n, ptr(a), ptr(b), ptr(ref), 1)
    contenders = {}
    name = f"mm_{m}x{k}x{n}"
    lib = DCLibrary(os.path.join(out, f"lib{name}.so"), name)
    y = np.zeros((m, n), np.float32)
    contenders["dc"] = lib.timer2(a, b, y)
    contenders["dc"](1)
    check(name, y, ref)
    if m * k * n <= 64 * 784 * 300:
        lib0 = DCLibrary(os.path.join(out, f"lib{name}_scalar.so"), name + "_scalar")
        y0 = np.zeros((m, n), np.float32)
        contenders["dc-scalar"] = lib0.timer2(a, b, y0)
        contenders["dc-scalar"](1)
        check(name + " scalar", y0, ref)
    c = np.zeros((m, n), np.float32)
    if m == 1:
        wt = np.ascontiguousarray(b.T)
        contenders["sgemv B^T x"] = lambda it, k=k, n=n, b=b, a=a, c=c: peers.time_sgemv_t(k, n, ptr(b), ptr(a), ptr(c), it)
        contenders["sgemv W x"] = lambda it, k=k, n=n, wt=wt, a=a, c=c: peers.time_sgemv_n(n, k, ptr(wt), ptr(a), ptr(c), it)
    else:
        contenders["sgemm"] = lambda it, m=m, k=k, n=n, a=a, b=b, c=c: peers.time_sgemm(m, k, n, ptr(a), ptr(b), ptr(c), it)
    load = os.getloadavg()[0]
    t = measure(contenders)
    if m == 1:
        t["openblas"] = min(t.pop("sgemv B^T x"), t.pop("sgemv W x"))
    else:
        t["openblas"] = t.pop("sgemm")
    rows.append((f"matmul {m}x{k}x{n}", t, load))
    print(f"matmul {m}x{k}x{n}: " +
          ", ".join(f"{kk} {v * 1e6:.1f} us" for kk, v in t.items()) +
          f" (load {load:.2f})", flush=True)

cols = ["dc", "dc-scalar", "openblas", "torch"]
with open(os.path.join(out, "results.md"), "w") as f:
    f.write(f"CPU: {cpu_name()}; one thread; {rounds} interleaved rounds, "
            "median time per call in microseconds\n\n")
    f.write("| case | dc | dc scalar loops | OpenBLAS peer | PyTorch | "
            "dc / OpenBLAS | dc / PyTorch |\n|---|---|---|---|---|---|---|\n")
    for name, t, load in rows:
        cell = lambda c: f"{t[c] * 1e6:,.1f}" if c in t else "-"
        ratio = lambda c: f"{t['dc'] / t[c]:.2f}x" if c in t else "-"
        f.write(f"| {name} | " + " | ".join(cell(c) for c in cols) +
                f" | {ratio('openblas')} | {ratio('torch')} |\n")
with open(os.path.join(out, "results.dat"), "w") as f:
    f.write("# case  openblas/dc  torch/dc  (speed of dc relative to each peer)\n")
    for name, t, load in rows:
        f.write('"%s" %.4f %.4f\n' % (name.replace("LeNet-300-100", "LeNet-300").replace(", batch ", " b"),
                                     t["openblas"] / t["dc"],
                                     t["torch"] / t["dc"] if "torch" in t else float("nan")))
print(open(os.path.join(out, "results.md")).read())
