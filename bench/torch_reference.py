#!/usr/bin/python3
"""PyTorch reference for dc-train, and an MLIR writer for trained models.

LeNet-300-100 (nn.Linear 784-300-100-10, relu) on an MNIST-format directory
(train-/t10k-{images-idx3,labels-idx1}-ubyte, optionally gzipped), with
Debian's python3-torch (/usr/bin/python3):

  torch_reference.py train --data DIR --out STATE.npz [--epochs 1]
      [--batch-size 64] [--lr 1e-3] [--optimizer adam|sgd] [--momentum 0]
      [--weight-decay 0] [--schedule constant|cosine|step:N:G] [--seed 0]
      [--mean 0] [--std 1] [--init STATE.npz] [--prune SPARSITY]
      [--log FILE.json]
  torch_reference.py eval --data DIR --state STATE.npz [--mean 0] [--std 1]
      [--predictions FILE]
  torch_reference.py export --state STATE.npz -o MODEL.mlir [--batch 1]

All take --threads N (default 1): torch.set_num_threads and OpenBLAS's pool.
Results are bit-for-bit repeatable for a given N; another N may change the
order of float sums (OpenBLAS splits the matmuls) and so the last bits.

train: torch.manual_seed(seed), then the model is built with nn.Linear's
default init (always, so the shuffles do not depend on --init) and --init
replaces its values. Pixels are x/255, then (x - mean)/std. --prune S keeps,
per weight matrix, ceil((1-S)*n) weights of largest |w| (ties: lower
row-major index first), fixed for the run: the forward uses
torch.where(mask, w, 0). Each epoch shuffles with torch.randperm(N) and takes
batches perm[i:i+B] (the last one partial); the loss is F.cross_entropy
(mean); cosine/step schedules step after each epoch. Per epoch one JSON line:
epoch, loss (mean over the epoch's samples), test_top1 (the 10k t10k
images), seconds (training only), lr (used in that epoch); at the end
{"final_test_top1", "nonzero": fraction of non-zeros per weight matrix}.
STATE.npz holds fc{1,2,3}.{weight,bias} as float32.

export: the model as MLIR text in the shape torch-mlir's FX importer prints
(linalg-on-tensors, weights as dense_resource blobs), the function named
@forward; mlir-opt prints the file back byte for byte.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time


def pin_blas_threads(argv):
    """Debian's torch calls OpenBLAS (pthreads), whose pool ignores
    torch.set_num_threads: size it from --threads before torch loads."""
    n = "1"
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            n = argv[i + 1]
        elif arg.startswith("--threads="):
            n = arg.split("=", 1)[1]
    if n.isdigit() and int(n) > 0:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = n


pin_blas_threads(sys.argv[1:])
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

LAYERS = {"fc1": (300, 784), "fc2": (100, 300), "fc3": (10, 100)}


class UserError(Exception):
    pass


def read_idx(path, magic):
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as e:
        raise UserError(f"cannot read '{path}': {getattr(e, 'strerror', 0) or e}")
    if len(raw) < 4 or int.from_bytes(raw[:4], "big") != magic:
        raise UserError(f"'{path}': bad IDX magic {raw[:4].hex() or 'none'}, "
                        f"expected {magic:08x}")
    header = 4 + 4 * (magic & 0xFF)
    if len(raw) < header:
        raise UserError(f"'{path}': truncated IDX header")
    dims = [int.from_bytes(raw[i:i + 4], "big") for i in range(4, header, 4)]
    size = math.prod(dims)
    if len(raw) - header != size:
        raise UserError(f"'{path}': {len(raw) - header} data bytes, its header "
                        f"({'x'.join(map(str, dims))}) needs {size}")
    return np.frombuffer(raw, np.uint8, size, header).reshape(dims)


def load_split(data_dir, prefix, mean, std):
    def find(name):
        for p in (os.path.join(data_dir, name), os.path.join(data_dir, name + ".gz")):
            if os.path.isfile(p):
                return p
        raise UserError(f"'{data_dir}' has no {name} (or {name}.gz)")
    images = read_idx(find(f"{prefix}-images-idx3-ubyte"), 0x803)
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte"), 0x801)
    if images.shape[1:] != (28, 28):
        raise UserError(f"{prefix} images are {images.shape[1]}x"
                        f"{images.shape[2]}, not 28x28")
    if len(images) != len(labels):
        raise UserError(f"{prefix}: {len(images)} images but {len(labels)} labels")
    if labels.size and labels.max() > 9:
        raise UserError(f"{prefix}: label {labels.max()} is not in 0..9")
    x = images.reshape(-1, 784).astype(np.float32) / np.float32(255)
    x = (x - np.float32(mean)) / np.float32(std)
    return torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        for name, (out, inp) in LAYERS.items():
            setattr(self, name, torch.nn.Linear(inp, out))
        self.masks = {}  # layer -> bool tensor, fixed for the run

    def weight(self, name):
        w, m = getattr(self, name).weight, self.masks.get(name)
        return w if m is None else torch.where(m, w, torch.zeros((), dtype=w.dtype))

    def forward(self, x):
        for i, name in enumerate(LAYERS):
            x = F.linear(x, self.weight(name), getattr(self, name).bias)
            x = F.relu(x) if i + 1 < len(LAYERS) else x
        return x

    def state(self):
        with torch.no_grad():
            return {f"{n}.{part}": t.numpy().astype(np.float32) for n in LAYERS
                    for part, t in (("weight", self.weight(n)),
                                    ("bias", getattr(self, n).bias))}

    def load(self, path):
        try:
            z = np.load(path)
            if not isinstance(z, np.lib.npyio.NpzFile):
                raise ValueError
            with z:
                arrays = {k: z[k] for k in z.files}
        except OSError as e:
            raise UserError(f"cannot read state '{path}': {e.strerror or e}")
        except ValueError:
            raise UserError(f"state '{path}' is not an .npz archive")
        for name, shape in LAYERS.items():
            for part, want in (("weight", shape), ("bias", shape[:1])):
                key = f"{name}.{part}"
                if key not in arrays:
                    raise UserError(f"state '{path}' has no {key}")
                if arrays[key].shape != want:
                    raise UserError(f"state '{path}': {key} is "
                                    f"{list(arrays[key].shape)}, not {list(want)}")
                with torch.no_grad():
                    getattr(getattr(self, name), part).copy_(
                        torch.from_numpy(arrays[key].astype(np.float32)))


def prune_mask(w, sparsity):
    flat = w.detach().numpy().ravel()
    if np.isnan(flat).any():
        raise UserError("cannot prune: a weight is NaN")
    x = (1.0 - sparsity) * flat.size  # ceil, tolerant like dc's pruneBySparsity
    keep = round(x) if abs(x - round(x)) <= 1e-9 * max(1.0, x) else math.ceil(x)
    mask = np.zeros(flat.size, dtype=bool)
    mask[np.argsort(-np.abs(flat), kind="stable")[:min(keep, flat.size)]] = True
    return torch.from_numpy(mask.reshape(w.shape))


def evaluate(model, x, y):
    with torch.no_grad():
        preds = torch.cat([model(x[i:i + 1000]).argmax(dim=1)
                           for i in range(0, len(x), 1000)])
    return (preds == y).double().mean().item(), preds


def make_schedule(spec, optimizer, epochs):
    if spec == "constant":
        return None
    if spec == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    parts = spec.split(":")
    try:
        assert parts[0] == "step" and len(parts) == 3 and int(parts[1]) > 0
        n, g = int(parts[1]), float(parts[2])
    except (AssertionError, ValueError):
        raise UserError(f"bad --schedule '{spec}': constant, cosine or step:N:G "
                        "(every N > 0 epochs, lr *= G)")
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=n, gamma=g)


def write(path, fn, mode="w"):
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, mode) as f:
            fn(f)
    except OSError as e:
        raise UserError(f"cannot write '{path}': {e.strerror}")


def emit(record):
    print(json.dumps(record), flush=True)


def cmd_train(a):
    if a.epochs < 1 or a.batch_size < 1:
        raise UserError("--epochs and --batch-size must be at least 1")
    if a.prune is not None and not 0.0 <= a.prune <= 1.0:
        raise UserError(f"--prune {a.prune} is not in [0, 1]")
    torch.manual_seed(a.seed)
    model = Net()
    if a.init:
        model.load(a.init)
    if a.prune is not None:
        for name in LAYERS:
            model.masks[name] = prune_mask(getattr(model, name).weight, a.prune)
            with torch.no_grad():
                getattr(model, name).weight.copy_(model.weight(name))
    if a.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=a.lr,
                               weight_decay=a.weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum,
                              weight_decay=a.weight_decay)
    sched = make_schedule(a.schedule, opt, a.epochs)
    x, y = load_split(a.data, "train", a.mean, a.std)
    tx, ty = load_split(a.data, "t10k", a.mean, a.std)
    log = []
    for epoch in range(1, a.epochs + 1):
        lr = opt.param_groups[0]["lr"]
        start, total = time.perf_counter(), 0.0
        perm = torch.randperm(len(x))
        for i in range(0, len(x), a.batch_size):
            idx = perm[i:i + a.batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds = time.perf_counter() - start
        if sched is not None:
            sched.step()
        log.append({"epoch": epoch, "loss": total / len(x),
                    "test_top1": evaluate(model, tx, ty)[0],
                    "seconds": round(seconds, 3), "lr": lr})
        emit(log[-1])
    state = model.state()
    write(a.out, lambda f: np.savez(f, **state), "wb")
    if a.log:
        write(a.log, lambda f: json.dump(log, f, indent=1))
    emit({"final_test_top1": log[-1]["test_top1"],
          "nonzero": [np.count_nonzero(state[f"{n}.weight"]) /
                      state[f"{n}.weight"].size for n in LAYERS]})


def cmd_eval(a):
    model = Net()
    model.load(a.state)
    top1, preds = evaluate(model, *load_split(a.data, "t10k", a.mean, a.std))
    if a.predictions:
        write(a.predictions, lambda f: f.writelines(f"{int(p)}\n" for p in preds))
    emit({"test_top1": top1})


def export_text(state, batch):
    """The FX importer's text, names as the MLIR printer gives them (outer
    values first; one conflict counter: %cst, %cst_0, ..., %transposed_6)."""
    used, counter = {"in"}, [0]  # the blocks' first argument is %in

    def name(base):
        if base not in used:
            used.add(base)
            return "%" + base
        counter[0] += 1
        return f"%{base}_{counter[0] - 1}"

    def ty(*dims):
        return f"tensor<{'x'.join(map(str, dims))}xf32>"

    lines, blobs, keys, consts = [], [], set(), {}
    for layer in reversed(LAYERS):  # as FX: fc3.bias, fc3.weight, fc2.bias, ...
        for part in ("bias", "weight"):
            a = state[f"{layer}.{part}"]
            key = base = f"torch_tensor_{'_'.join(map(str, a.shape))}_torch.float32"
            k = 0
            while key in keys:  # FX's suffix for a repeated shape: _1, _2, ...
                k += 1
                key = f"{base}_{k}"
            keys.add(key)
            consts[layer, part] = name("cst")
            lines.append(f"{consts[layer, part]} = arith.constant "
                         f"dense_resource<{key}> : {ty(*a.shape)}")
            blobs.append(f'      {key}: "0x04000000'
                         f'{a.astype("<f4").tobytes().hex().upper()}"')
    zero = name("cst")
    lines.append(f"{zero} = arith.constant 0.000000e+00 : f32")
    ssa, regions, h, width = iter(range(1 << 30)), [], "%arg0", 784
    par = 'iterator_types = ["parallel", "parallel"]}'
    for i, layer in enumerate(LAYERS):
        out, inp = LAYERS[layer]
        tt, t = ty(inp, out), ty(batch, out)
        e0, tr = f"%{next(ssa)}", name("transposed")
        e1, fill, mm, add = (f"%{next(ssa)}" for _ in range(4))
        lines += [
            f"{e0} = tensor.empty() : {tt}",
            f"{tr} = linalg.transpose ins({consts[layer, 'weight']} : {ty(out, inp)})"
            f" outs({e0} : {tt}) permutation = [1, 0] ",
            f"{e1} = tensor.empty() : {t}",
            f"{fill} = linalg.fill ins({zero} : f32) outs({e1} : {t}) -> {t}",
            f"{mm} = linalg.matmul ins({h}, {tr} : {ty(batch, width)}, {tt}) "
            f"outs({fill} : {t}) -> {t}",
            f"{add} = linalg.generic {{indexing_maps = [#map, #map1, #map], {par} "
            f"ins({mm}, {consts[layer, 'bias']} : {t}, {ty(out)}) outs({e1} : {t}) {{"]
        regions.append(("add", len(lines), t))
        h, width = add, out
        if i + 1 < len(LAYERS):
            h = f"%{next(ssa)}"
            lines.append(f"{h} = linalg.generic {{indexing_maps = [#map, #map], "
                         f"{par} ins({add} : {t}) outs({e1} : {t}) {{")
            regions.append(("relu", len(lines), t))
    first, second = next(ssa), name("in")  # region values come after the outer
    v0, v1 = f"%{first}", f"%{first + 1}"
    bodies = {
        "add": [f"^bb0(%in: f32, {second}: f32, %out: f32):",
                f"  {v0} = arith.addf %in, {second} : f32", f"  linalg.yield {v0} : f32"],
        "relu": ["^bb0(%in: f32, %out: f32):",
                 f"  {v0} = arith.cmpf ugt, %in, {zero} : f32",
                 f"  {v1} = arith.select {v0}, %in, {zero} : f32",
                 f"  linalg.yield {v1} : f32"]}
    for kind, at, t in reversed(regions):
        lines[at:at] = bodies[kind] + [f"}} -> {t}"]
    lines.append(f"return {h} : {ty(batch, 10)}")
    return "\n".join(
        ["#map = affine_map<(d0, d1) -> (d0, d1)>",
         "#map1 = affine_map<(d0, d1) -> (d1)>", "module {",
         f"  func.func @forward(%arg0: {ty(batch, 784)}) -> {ty(batch, 10)} {{"]
        + ["    " + line for line in lines]
        + ["  }", "}", "", "{-#", "  dialect_resources: {", "    builtin: {",
           ",\n".join(blobs), "    }", "  }", "#-}", "", ""])


def cmd_export(a):
    if a.batch < 1:
        raise UserError("--batch must be at least 1")
    model = Net()
    model.load(a.state)
    text = export_text(model.state(), a.batch)
    write(a.output, lambda f: f.write(text))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train LeNet-300-100, save STATE.npz")
    e = sub.add_parser("eval", help="top-1 on the t10k images")
    x = sub.add_parser("export", help="write STATE.npz as MLIR (@forward)")
    for s in (t, e, x):  # --threads also after the subcommand
        s.add_argument("--threads", type=int, default=argparse.SUPPRESS)
    for s in (t, e):
        s.add_argument("--data", required=True)
        s.add_argument("--mean", type=float, default=0.0)
        s.add_argument("--std", type=float, default=1.0)
    for flag, kind, default in (
            ("--out", str, None), ("--epochs", int, 1), ("--batch-size", int, 64),
            ("--lr", float, 1e-3), ("--momentum", float, 0.0),
            ("--weight-decay", float, 0.0), ("--schedule", str, "constant"),
            ("--seed", int, 0), ("--init", str, None), ("--prune", float, None),
            ("--log", str, None)):
        t.add_argument(flag, type=kind, default=default, required=flag == "--out")
    t.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    e.add_argument("--state", required=True)
    e.add_argument("--predictions")
    x.add_argument("--state", required=True)
    x.add_argument("-o", "--output", required=True)
    x.add_argument("--batch", type=int, default=1)
    a = p.parse_args()
    if a.threads < 1:
        p.error("--threads must be at least 1")
    if getattr(a, "std", 1.0) == 0:
        p.error("--std must not be 0")
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)
    try:
        {"train": cmd_train, "eval": cmd_eval, "export": cmd_export}[a.cmd](a)
    except UserError as err:
        print(f"torch_reference.py: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
