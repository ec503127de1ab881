#!/usr/bin/python3
"""PyTorch reference for dc-train, and an MLIR writer for trained models.

--model lenet300 (the default; nn.Linear 784-300-100-10, relu) or lenet5
(the Caffe LeNet-5 of Deep Compression, as dc-model-gen lenet5 builds it:
conv1 nn.Conv2d(1, 20, 5) -> relu -> max_pool2d(2, 2), conv2
nn.Conv2d(20, 50, 5) -> relu -> max_pool2d(2, 2), flatten to 800, fc1
nn.Linear(800, 500) -> relu -> fc2 nn.Linear(500, 10); the images as
[B, 1, 28, 28]) on an MNIST-format directory
(train-/t10k-{images-idx3,labels-idx1}-ubyte, optionally gzipped), with
Debian's python3-torch (/usr/bin/python3):

  torch_reference.py train --data DIR --out STATE.npz [--model lenet300]
      [--epochs 1] [--batch-size 64] [--lr 1e-3] [--optimizer adam|sgd]
      [--momentum 0] [--weight-decay 0] [--schedule constant|cosine|step:N:G]
      [--seed 0] [--mean 0] [--std 1] [--init STATE.npz] [--prune SPARSITY]
      [--log FILE.json]
  torch_reference.py eval --data DIR --state STATE.npz [--model lenet300]
      [--mean 0] [--std 1] [--predictions FILE]
  torch_reference.py export --state STATE.npz -o MODEL.mlir
      [--model lenet300] [--batch 1]
  torch_reference.py recipe --data DIR --init DENSE.npz [--model lenet300]
      [--mean 0] [--std 1] [--val-split 5000] [--prune-steps 3]
      [--prune-epochs 3] [--quantize-epochs 2] [--lr 1e-3] [--batch-size 64]
      [--retrain-schedule constant|cosine] [--layer NAME:keep=F:bits=B ...]
      [--distill A] [--distill-temperature 4] [--seed 0] [--log FILE.json]

All take --threads N (default 1): torch.set_num_threads and OpenBLAS's pool.
Results are bit-for-bit repeatable for a given N; another N may change the
order of float sums (OpenBLAS splits the matmuls) and so the last bits.

train: torch.manual_seed(seed), then the model is built with nn.Linear's
and nn.Conv2d's default init (always, so the shuffles do not depend on
--init) and --init replaces its values. Pixels are x/255, then
(x - mean)/std. --prune S keeps, per weight tensor (a conv's flattened
row-major), ceil((1-S)*n) weights of largest |w| (ties: lower row-major
index first), fixed for the run: the forward uses torch.where(mask, w, 0).
Each epoch shuffles with torch.randperm(N) and takes batches perm[i:i+B]
(the last one partial); the loss is F.cross_entropy (mean); cosine/step
schedules step after each epoch. Per epoch one JSON line: epoch, loss (mean
over the epoch's samples), test_top1 (the 10k t10k images), seconds
(training only), lr (used in that epoch); at the end {"final_test_top1",
"nonzero": fraction of non-zeros per weight tensor, in layer order}.
STATE.npz holds the layers' {weight,bias} as float32: fc{1,2,3}.* for
lenet300; conv1.weight [20,1,5,5], conv1.bias, conv2.weight [50,20,5,5],
conv2.bias, fc1.weight [500,800], fc1.bias, fc2.weight [10,500], fc2.bias
for lenet5.

recipe: the PyTorch twin of dc-train --recipe=deep-compression (Deep
Compression, Han et al. 2016) from a trained --init model. The last
--val-split training images are held out for validation (never trained on);
the test set is t10k. Per layer (weights only; the biases are trained as they
are and stay float32) the kept fraction and codebook bits of the paper's
Tables 2 and 3: lenet300 fc1/fc2/fc3 keep 0.08/0.09/0.26, 6 bits each;
lenet5 conv1/conv2/fc1/fc2 keep 0.66/0.12/0.08/0.19, conv 8 bits, fc 5 bits.
torch.manual_seed(seed) once, the model built as train builds it, then:
  dense: the --init model evaluated.
  pruned: for step i = 1..S (--prune-steps), per layer sparsity
    (1-keep)*i/S as --prune does, over all the layer's weights with the
    pruned ones as 0 (they stay pruned: each mask is a subset of the last;
    w is zeroed where pruned), then --prune-epochs epochs of weights and
    biases (a fresh Adam(lr) per step, masks fixed; --retrain-schedule
    cosine anneals it over the step's epochs as dc-train's, else constant).
  --layer NAME:keep=F:bits=B (NAME or all, repeatable, later wins) overrides
    a layer's plan as dc-train's --recipe-layer. --distill A: before
    pruning, the dense model's logits of every training image are kept, and
    every retraining loss is (1 - A) F.cross_entropy + A T^2
    F.kl_div(log_softmax(s / T), softmax(t / T), 'batchmean'), T =
    --distill-temperature, as dc-differentiate{loss=distillation}.
  quantized: per layer 1-D k-means of the kept weights as dc's kmeans1D:
    2^bits float32 centroids, linear init min + (max-min)*j/(k-1), nearest
    centroid (ties: the lower), Lloyd means in float64 until the clusters
    stop changing or 100 iterations (empty clusters keep their centroid;
    unused and duplicate centroids dropped); the weight is then
    torch.where(mask, codebook[index], 0), codebook an nn.Parameter (its
    gradient the sum over the weights sharing it), and --quantize-epochs
    epochs train only the codebooks and the biases (a fresh Adam(lr), the
    same schedule).
Per stage one JSON line on stdout {"stage", "test_top1", "val_top1",
"kept_percent" (kept weights over all weights: 100 for dense, as dc counts
it), "seconds" (the stage's wall time, evaluation included)}, then a table;
per epoch {"stage", "step", "epoch", "loss", "seconds"} on stderr; --log
writes the stage rows as a JSON list. Nothing else is written.

export: the model as MLIR text in the shape torch-mlir's FX importer prints
(linalg-on-tensors, weights as dense_resource blobs, constants first), the
function named @forward taking [B, 784] (lenet300) or [B, 1, 28, 28]
(lenet5); a conv is a bias-broadcast linalg.generic into
linalg.conv_2d_nchw_fchw, relu as cmpf ugt + select, the pool a -inf
linalg.fill into linalg.pooling_nchw_max, the flatten a
tensor.collapse_shape; mlir-opt prints the file back byte for byte.
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

# Per model, its layers in order and their weight shapes: (out, in) for an
# nn.Linear, (out, in, k, k) for an nn.Conv2d (stride 1, no padding; then
# relu and a 2x2 max pool, stride 2). The bias is [out].
MODELS = {
    "lenet300": {"fc1": (300, 784), "fc2": (100, 300), "fc3": (10, 100)},
    "lenet5": {"conv1": (20, 1, 5, 5), "conv2": (50, 20, 5, 5),
               "fc1": (500, 800), "fc2": (10, 500)},
}


# recipe: per layer, the fraction of weights kept and the codebook bits (the
# paper's Tables 2 and 3, as dc-train --recipe=deep-compression plans them).
RECIPE = {
    "lenet300": {"fc1": (0.08, 6), "fc2": (0.09, 6), "fc3": (0.26, 6)},
    "lenet5": {"conv1": (0.66, 8), "conv2": (0.12, 8), "fc1": (0.08, 5),
               "fc2": (0.19, 5)},
}


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


def fits(arrays, layers):
    return all(f"{n}.{part}" in arrays and arrays[f"{n}.{part}"].shape == want
               for n, shape in layers.items()
               for part, want in (("weight", shape), ("bias", shape[:1])))


class Net(torch.nn.Module):
    def __init__(self, model="lenet300"):
        super().__init__()
        self.model, self.layers = model, MODELS[model]
        for name, shape in self.layers.items():
            out, inp = shape[:2]
            setattr(self, name, torch.nn.Conv2d(inp, out, shape[2])
                    if len(shape) == 4 else torch.nn.Linear(inp, out))
        self.masks = {}  # layer -> bool tensor, fixed for the run
        # layer -> (codebook nn.Parameter [k], int64 index tensor of the
        # weight's shape): the weight is then codebook[index] where kept
        self.codebooks = {}

    def weight(self, name):
        w, m = getattr(self, name).weight, self.masks.get(name)
        if name in self.codebooks:
            codebook, index = self.codebooks[name]
            w = codebook[index]
        return w if m is None else torch.where(m, w, torch.zeros((), dtype=w.dtype))

    def forward(self, x):
        for i, (name, shape) in enumerate(self.layers.items()):
            w, b = self.weight(name), getattr(self, name).bias
            if len(shape) == 4:  # conv -> relu -> 2x2 max pool
                x = x.reshape(len(x), shape[1], 28, 28) if i == 0 else x
                x = F.max_pool2d(F.relu(F.conv2d(x, w, b)), 2, 2)
                continue
            x = F.linear(x.flatten(1) if x.dim() > 2 else x, w, b)
            x = F.relu(x) if i + 1 < len(self.layers) else x
        return x

    def state(self):
        with torch.no_grad():
            return {f"{n}.{part}": t.numpy().astype(np.float32) for n in self.layers
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
        for other, layers in MODELS.items():
            if other != self.model and fits(arrays, layers) \
                    and not fits(arrays, self.layers):
                raise UserError(f"state '{path}' is a {other} model, not "
                                f"{self.model}: pass --model {other}")
        for name, shape in self.layers.items():
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


def prune_mask(w, sparsity, old=None):
    """Keeps ceil((1-sparsity)*n) weights of largest |w| (ties: lower flat
    index). With `old` (a previous mask) the pruned weights count as 0 and
    stay pruned: the new mask is a subset of `old`."""
    flat = w.detach().numpy().ravel()
    if np.isnan(flat).any():
        raise UserError("cannot prune: a weight is NaN")
    x = (1.0 - sparsity) * flat.size  # ceil, tolerant like dc's pruneBySparsity
    keep = round(x) if abs(x - round(x)) <= 1e-9 * max(1.0, x) else math.ceil(x)
    magnitude = np.abs(flat)
    if old is not None:
        kept = old.numpy().ravel()
        magnitude = np.where(kept, magnitude, np.float32(0))
    mask = np.zeros(flat.size, dtype=bool)
    mask[np.argsort(-magnitude, kind="stable")[:min(keep, flat.size)]] = True
    if old is not None:  # only kept weights that are exactly 0 could differ
        mask &= kept
    return torch.from_numpy(mask.reshape(w.shape))


def kmeans_linear(values, k, max_iterations=100):
    """1-D k-means of `values` (float32) as dc's kmeans1D with linear init:
    centroids (float32, sorted) lo + (hi - lo) * j / (k - 1); each value to
    the nearest centroid (ties: the lower; of equal centroids the first);
    Lloyd steps (means in float64 of the sorted values, empty clusters keep
    their centroid) until the clusters stop changing or max_iterations.
    Returns (codebook: the used distinct centroids, ascending, float32;
    the values' indices into it, int64; iterations)."""
    x = np.sort(values.astype(np.float32))
    xd = x.astype(np.float64)
    prefix = np.concatenate(([0.0], np.cumsum(xd)))  # sequential, as dc's
    lo, hi = float(x[0]), float(x[-1])
    c = (np.array([lo + (hi - lo) * j / (k - 1) for j in range(k)], np.float32)
         if k > 1 else np.array([prefix[-1] / len(x)], np.float32))

    def midpoints(c):  # mids[j]: halfway to the next larger centroid
        mids, nxt = np.empty(len(c) - 1), math.inf
        for j in range(len(c) - 2, -1, -1):
            if c[j + 1] != c[j]:
                nxt = float(c[j + 1])
            mids[j] = math.inf if nxt == math.inf else (float(c[j]) + nxt) / 2
        return mids

    prev, iterations = None, 0
    while True:
        mids = midpoints(c)
        # cluster j is x[cuts[j]:cuts[j+1]]: x goes to the lowest j, x <= mids[j]
        cuts = np.concatenate(([0], np.searchsorted(xd, mids, "right"), [len(x)]))
        if (prev is not None and np.array_equal(cuts, prev)) \
                or iterations >= max_iterations:
            break
        for j in range(len(c)):
            a, b = cuts[j], cuts[j + 1]
            if b > a:
                c[j] = np.float32((prefix[b] - prefix[a]) / (b - a))
        c.sort()
        iterations += 1
        prev = cuts
    codebook, remap = [], np.full(len(c), -1, np.int64)
    for j in range(len(c)):  # drop unused and duplicate centroids
        if cuts[j + 1] == cuts[j]:
            continue
        if not codebook or codebook[-1] != c[j]:
            codebook.append(c[j])
        remap[j] = len(codebook) - 1
    index = remap[np.searchsorted(midpoints(c), values.astype(np.float64), "left")]
    return np.array(codebook, np.float32), index, iterations


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


def train_epoch(model, opt, x, y, batch_size, teacher=None, T=4.0, alpha=0.0):
    """One epoch: batches perm[i:i+B] of torch.randperm(N) (the last one
    partial), F.cross_entropy (mean), or with teacher logits the distillation
    loss; returns the mean loss per sample."""
    total = 0.0
    perm = torch.randperm(len(x))
    for i in range(0, len(x), batch_size):
        idx = perm[i:i + batch_size]
        logits = model(x[idx])
        loss = F.cross_entropy(logits, y[idx])
        if teacher is not None:
            kd = F.kl_div(F.log_softmax(logits / T, dim=1),
                          F.softmax(teacher[idx] / T, dim=1),
                          reduction="batchmean") * (T * T)
            loss = (1 - alpha) * loss + alpha * kd
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return total / len(x)


def cmd_train(a):
    if a.epochs < 1 or a.batch_size < 1:
        raise UserError("--epochs and --batch-size must be at least 1")
    if a.prune is not None and not 0.0 <= a.prune <= 1.0:
        raise UserError(f"--prune {a.prune} is not in [0, 1]")
    torch.manual_seed(a.seed)
    model = Net(a.model)
    if a.init:
        model.load(a.init)
    if a.prune is not None:
        for name in model.layers:
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
        start = time.perf_counter()
        loss = train_epoch(model, opt, x, y, a.batch_size)
        seconds = time.perf_counter() - start
        if sched is not None:
            sched.step()
        log.append({"epoch": epoch, "loss": loss,
                    "test_top1": evaluate(model, tx, ty)[0],
                    "seconds": round(seconds, 3), "lr": lr})
        emit(log[-1])
    state = model.state()
    write(a.out, lambda f: np.savez(f, **state), "wb")
    if a.log:
        write(a.log, lambda f: json.dump(log, f, indent=1))
    emit({"final_test_top1": log[-1]["test_top1"],
          "nonzero": [np.count_nonzero(state[f"{n}.weight"]) /
                      state[f"{n}.weight"].size for n in model.layers]})


def cmd_recipe(a):
    if a.batch_size < 1 or not a.lr > 0:
        raise UserError("--batch-size and --lr must be positive")
    if a.prune_steps < 1:
        raise UserError("--prune-steps must be at least 1")
    if a.prune_epochs < 0 or a.quantize_epochs < 0:
        raise UserError("--prune-epochs and --quantize-epochs must be >= 0")
    torch.manual_seed(a.seed)
    model = Net(a.model)  # default init first, as train: the same shuffles
    model.load(a.init)
    x, y = load_split(a.data, "train", a.mean, a.std)
    if not 1 <= a.val_split < len(x):
        raise UserError(f"--val-split {a.val_split} must be in [1, {len(x)})")
    n = len(x) - a.val_split  # the last val_split images: validation only
    x, y, vx, vy = x[:n], y[:n], x[n:], y[n:]
    tx, ty = load_split(a.data, "t10k", a.mean, a.std)
    plan = dict(RECIPE[a.model])
    for spec in a.layer or []:
        name, *keys = spec.split(":")
        targets = list(plan) if name == "all" else [name]
        if name != "all" and name not in plan:
            raise UserError(f"--layer: no layer '{name}' (layers: "
                            f"{', '.join(plan)}; or 'all')")
        for kv in keys:
            key, _, value = kv.partition("=")
            for t in targets:
                keep, bits = plan[t]
                if key == "keep" and 0 < float(value) <= 1:
                    plan[t] = (float(value), bits)
                elif key == "bits" and value.isdigit() and 1 <= int(value) <= 8:
                    plan[t] = (keep, int(value))
                else:
                    raise UserError(f"--layer: '{kv}' (keys: keep in (0, 1], "
                                    "bits 1..8)")
    if a.retrain_schedule not in ("constant", "cosine"):
        raise UserError("--retrain-schedule must be constant or cosine")
    if not 0 <= a.distill <= 1 or not a.distill_temperature > 0:
        raise UserError("--distill must be in [0, 1], --distill-temperature > 0")
    teacher = None
    if a.distill > 0:
        with torch.no_grad():
            teacher = torch.cat([model(x[i:i + 1000])
                                 for i in range(0, len(x), 1000)])
    total = sum(math.prod(shape) for shape in model.layers.values())
    rows = []

    def record(stage, start):
        kept = (sum(int(m.sum()) for m in model.masks.values())
                if model.masks else total)  # dense: every weight stored
        rows.append({"stage": stage, "test_top1": evaluate(model, tx, ty)[0],
                     "val_top1": evaluate(model, vx, vy)[0],
                     "kept_percent": 100.0 * kept / total,
                     "seconds": round(time.perf_counter() - start, 3)})
        emit(rows[-1])

    def retrain(params, epochs, stage, step=None):
        opt = torch.optim.Adam(params, lr=a.lr)  # fresh per phase
        sched = make_schedule(a.retrain_schedule, opt, epochs)
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            loss = train_epoch(model, opt, x, y, a.batch_size, teacher,
                               a.distill_temperature, a.distill)
            if sched is not None:
                sched.step()
            print(json.dumps({"stage": stage, "step": step, "epoch": epoch,
                              "loss": loss, "seconds":
                              round(time.perf_counter() - start, 3)}),
                  file=sys.stderr, flush=True)

    # 1. dense: the --init model as it is
    record("dense", time.perf_counter())
    # 2. iterative pruning, retraining weights and biases after each step
    start = time.perf_counter()
    for step in range(1, a.prune_steps + 1):
        for name in model.layers:
            sparsity = (1.0 - plan[name][0]) * step / a.prune_steps
            layer = getattr(model, name)
            model.masks[name] = prune_mask(layer.weight, sparsity,
                                           model.masks.get(name))
            with torch.no_grad():
                layer.weight.copy_(model.weight(name))
        retrain(list(model.parameters()), a.prune_epochs, "pruned", step)
    record("pruned", start)
    # 3. trained quantization: k-means over the kept weights, then only the
    #    codebooks and the biases trained (masks and assignments fixed)
    start = time.perf_counter()
    params = []
    for name in model.layers:
        layer, mask = getattr(model, name), model.masks[name]
        with torch.no_grad():
            kept = layer.weight[mask].numpy()
        codebook, index, _ = kmeans_linear(kept, 1 << plan[name][1])
        full = torch.zeros(mask.shape, dtype=torch.int64)
        full[mask] = torch.from_numpy(index)
        model.codebooks[name] = (torch.nn.Parameter(torch.from_numpy(codebook)),
                                 full)
        with torch.no_grad():
            layer.weight.copy_(model.weight(name))
        layer.weight.requires_grad_(False)
        params.append(model.codebooks[name][0])
    params += [getattr(model, name).bias for name in model.layers]
    retrain(params, a.quantize_epochs, "quantized")
    record("quantized", start)
    if a.log:
        write(a.log, lambda f: json.dump(rows, f, indent=1))
    print("stage      test top-1   val top-1     kept   seconds")
    for r in rows:
        print(f"{r['stage']:<10} {100 * r['test_top1']:9.2f}%  "
              f"{100 * r['val_top1']:9.2f}%  {r['kept_percent']:6.2f}%  "
              f"{r['seconds']:8.1f}")


def cmd_eval(a):
    model = Net(a.model)
    model.load(a.state)
    top1, preds = evaluate(model, *load_split(a.data, "t10k", a.mean, a.std))
    if a.predictions:
        write(a.predictions, lambda f: f.writelines(f"{int(p)}\n" for p in preds))
    emit({"test_top1": top1})


def export_text(state, batch, layers):
    """The FX importer's text, names as the MLIR printer gives them (outer
    values first; one conflict counter: %cst, %cst_0, ..., %transposed_6;
    the affine maps #map, #map1, ... in the order of their first use)."""
    used, counter = {"in"}, [0]  # the blocks' first argument is %in

    def name(base):
        if base not in used:
            used.add(base)
            return "%" + base
        counter[0] += 1
        return f"%{base}_{counter[0] - 1}"

    def ty(*dims):
        return f"tensor<{'x'.join(map(str, dims))}xf32>"

    maps = {}  # affine map -> alias, in the order of first use

    def alias(rank, results):
        d = ", ".join(f"d{i}" for i in range(rank))
        text = f"affine_map<({d}) -> ({results or d})>"
        maps.setdefault(text, "#map" + (str(len(maps)) if maps else ""))
        return maps[text]

    lines, blobs, keys, consts = [], [], set(), {}
    for layer in reversed(layers):  # as FX: fc3.bias, fc3.weight, fc2.bias, ...
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
    first = next(iter(layers.values()))
    if len(first) == 4:  # the pools' initial value, -inf
        ninf = name("cst")
        lines.append(f"{ninf} = arith.constant 0xFF800000 : f32")
    shape = (batch, first[1], 28, 28) if len(first) == 4 else (batch, first[1])
    ssa, regions, h, arg = iter(range(1 << 30)), [], "%arg0", ty(*shape)
    window = ("{dilations = dense<1> : vector<2xi64>, "
              "strides = dense<%d> : vector<2xi64>}")

    def par(rank):
        return "iterator_types = [" + ", ".join(['"parallel"'] * rank) + "]}"

    for i, (layer, wshape) in enumerate(layers.items()):
        out, inp = wshape[:2]
        if len(wshape) == 4:  # bias broadcast, conv, relu, 2x2 max pool
            size = [n - k + 1 for n, k in zip(shape[2:], wshape[2:])]
            t, pooled = ty(batch, out, *size), (batch, out, *(n // 2 for n in size))
            tp = ty(*pooled)
            e0, bias, conv, relu, e1, fill, win, pool = (
                f"%{next(ssa)}" for _ in range(8))
            lines += [
                f"{e0} = tensor.empty() : {t}",
                f"{bias} = linalg.generic {{indexing_maps = [{alias(4, 'd1')}, "
                f"{alias(4, '')}], {par(4)} ins({consts[layer, 'bias']} : {ty(out)}) "
                f"outs({e0} : {t}) {{"]
            regions.append(("copy", len(lines), t))
            lines += [
                f"{conv} = linalg.conv_2d_nchw_fchw {window % 1} ins({h}, "
                f"{consts[layer, 'weight']} : {ty(*shape)}, {ty(*wshape)}) "
                f"outs({bias} : {t}) -> {t}",
                f"{relu} = linalg.generic {{indexing_maps = [{alias(4, '')}, "
                f"{alias(4, '')}], {par(4)} ins({conv} : {t}) outs({e0} : {t}) {{"]
            regions.append(("relu", len(lines), t))
            lines += [
                f"{e1} = tensor.empty() : {tp}",
                f"{fill} = linalg.fill ins({ninf} : f32) outs({e1} : {tp}) -> {tp}",
                f"{win} = tensor.empty() : tensor<2x2xf32>",
                f"{pool} = linalg.pooling_nchw_max {window % 2} ins({relu}, {win} : "
                f"{t}, tensor<2x2xf32>) outs({fill} : {tp}) -> {tp}"]
            h, shape = pool, pooled
            continue
        if len(shape) > 2:  # flatten
            flat = name("collapsed")
            lines.append(f"{flat} = tensor.collapse_shape {h} [[0], [1, 2, 3]] : "
                         f"{ty(*shape)} into {ty(batch, math.prod(shape[1:]))}")
            h, shape = flat, (batch, math.prod(shape[1:]))
        same, row = alias(2, ""), alias(2, "d1")
        tt, t = ty(inp, out), ty(batch, out)
        e0, tr = f"%{next(ssa)}", name("transposed")
        e1, fill, mm, add = (f"%{next(ssa)}" for _ in range(4))
        lines += [
            f"{e0} = tensor.empty() : {tt}",
            f"{tr} = linalg.transpose ins({consts[layer, 'weight']} : {ty(out, inp)})"
            f" outs({e0} : {tt}) permutation = [1, 0] ",
            f"{e1} = tensor.empty() : {t}",
            f"{fill} = linalg.fill ins({zero} : f32) outs({e1} : {t}) -> {t}",
            f"{mm} = linalg.matmul ins({h}, {tr} : {ty(*shape)}, {tt}) "
            f"outs({fill} : {t}) -> {t}",
            f"{add} = linalg.generic {{indexing_maps = [{same}, {row}, {same}], "
            f"{par(2)} ins({mm}, {consts[layer, 'bias']} : {t}, {ty(out)}) "
            f"outs({e1} : {t}) {{"]
        regions.append(("add", len(lines), t))
        h, shape = add, (batch, out)
        if i + 1 < len(layers):
            h = f"%{next(ssa)}"
            lines.append(f"{h} = linalg.generic {{indexing_maps = [{same}, {same}], "
                         f"{par(2)} ins({add} : {t}) outs({e1} : {t}) {{")
            regions.append(("relu", len(lines), t))
    v, second = next(ssa), name("in")  # region values come after the outer
    v0, v1 = f"%{v}", f"%{v + 1}"
    bodies = {
        "add": [f"^bb0(%in: f32, {second}: f32, %out: f32):",
                f"  {v0} = arith.addf %in, {second} : f32", f"  linalg.yield {v0} : f32"],
        "relu": ["^bb0(%in: f32, %out: f32):",
                 f"  {v0} = arith.cmpf ugt, %in, {zero} : f32",
                 f"  {v1} = arith.select {v0}, %in, {zero} : f32",
                 f"  linalg.yield {v1} : f32"],
        "copy": ["^bb0(%in: f32, %out: f32):", "  linalg.yield %in : f32"]}
    for kind, at, t in reversed(regions):
        lines[at:at] = bodies[kind] + [f"}} -> {t}"]
    lines.append(f"return {h} : {ty(*shape)}")
    return "\n".join(
        [f"{a} = {m}" for m, a in maps.items()] + ["module {",
         f"  func.func @forward(%arg0: {arg}) -> {ty(*shape)} {{"]
        + ["    " + line for line in lines]
        + ["  }", "}", "", "{-#", "  dialect_resources: {", "    builtin: {",
           ",\n".join(blobs), "    }", "  }", "#-}", "", ""])


def cmd_export(a):
    if a.batch < 1:
        raise UserError("--batch must be at least 1")
    model = Net(a.model)
    model.load(a.state)
    text = export_text(model.state(), a.batch, model.layers)
    write(a.output, lambda f: f.write(text))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train the model, save STATE.npz")
    e = sub.add_parser("eval", help="top-1 on the t10k images")
    x = sub.add_parser("export", help="write STATE.npz as MLIR (@forward)")
    r = sub.add_parser("recipe", help="Deep Compression: prune, quantize "
                       "(dc-train --recipe=deep-compression)")
    for s in (t, e, x, r):  # --threads also after the subcommand
        s.add_argument("--threads", type=int, default=argparse.SUPPRESS)
        s.add_argument("--model", choices=tuple(MODELS), default="lenet300",
                       help="lenet300 (784-300-100-10, the default) or lenet5 "
                       "(Caffe's: conv 20, conv 50, 500, 10)")
    for s in (t, e, r):
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
    r.add_argument("--init", required=True)
    for flag, kind, default in (
            ("--val-split", int, 5000), ("--prune-steps", int, 3),
            ("--prune-epochs", int, 3), ("--quantize-epochs", int, 2),
            ("--lr", float, 1e-3), ("--batch-size", int, 64), ("--seed", int, 0),
            ("--log", str, None), ("--retrain-schedule", str, "constant"),
            ("--distill", float, 0.0), ("--distill-temperature", float, 4.0)):
        r.add_argument(flag, type=kind, default=default)
    r.add_argument("--layer", action="append")
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
        {"train": cmd_train, "eval": cmd_eval, "export": cmd_export,
         "recipe": cmd_recipe}[a.cmd](a)
    except UserError as err:
        print(f"torch_reference.py: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
