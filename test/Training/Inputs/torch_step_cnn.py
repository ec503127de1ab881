#!/usr/bin/env python3
"""torch_step_cnn.py prepare DIR | compare DIR OUT

The one-step comparison of dc's @train_step with PyTorch for dc-model-gen's
LeNet-5 (conv 5x5 -> relu -> max_pool 2x2, twice; flatten; fc -> relu; fc):

prepare: writes DIR/x.bin (8 x 1 x 28 x 28 f32, fixed seed), DIR/labels.bin
(8 i64) and DIR/weights.bin (8 ones, f32) for dc-run.
compare: reads DIR/OUT/manifest.txt — the parameters dc-run used (4-D
weights are convolutions, 2-D ones fully connected layers, each followed by
its bias) and its results (loss, then each parameter's gradient) — runs the
same step in torch (cross_entropy, reduction='mean') and requires the loss
within 1e-5 relative and each gradient within 1e-5 of its largest element.
"""
import sys

import numpy as np
import torch

B = 8
d = sys.argv[2]
if sys.argv[1] == "prepare":
    rng = np.random.default_rng(11)
    rng.standard_normal((B, 1, 28, 28)).astype("<f4").tofile(f"{d}/x.bin")
    rng.integers(0, 10, B).astype("<i8").tofile(f"{d}/labels.bin")
    np.ones(B, dtype="<f4").tofile(f"{d}/weights.bin")
    sys.exit(0)

torch.set_num_threads(1)
F = torch.nn.functional
out = f"{d}/{sys.argv[3]}"


def shape_of(t):  # "tensor<20x1x5x5xf32>" -> (20, 1, 5, 5), dtype
    inner = t[len("tensor<"):-1].split("x")
    return tuple(int(v) for v in inner[:-1]), {"f32": "<f4", "i64": "<i8"}[inner[-1]]


params, results = [], []
for line in open(f"{out}/manifest.txt"):
    file, name, ty = line.split()
    dims, dt = shape_of(ty)
    a = np.fromfile(f"{out}/{file}", dtype=dt).reshape(dims)
    (params if file.startswith("param") else results).append((name, a))

x = torch.from_numpy(np.fromfile(f"{d}/x.bin", dtype="<f4").reshape(B, 1, 28, 28))
labels = torch.from_numpy(np.fromfile(f"{d}/labels.bin", dtype="<i8"))
tensors = [torch.tensor(a, requires_grad=True) for _, a in params]
h = x
layers = [(tensors[i], tensors[i + 1]) for i in range(0, len(tensors), 2)]
for i, (w, b) in enumerate(layers):
    if w.dim() == 4:
        h = F.max_pool2d(torch.relu(F.conv2d(h, w, b)), 2, 2)
    else:
        h = h.flatten(1) @ w.t() + b
        if i + 1 < len(layers):
            h = torch.relu(h)
loss = F.cross_entropy(h, labels)
loss.backward()

ok = True
dc_loss = float(results[0][1])
rel = abs(dc_loss - loss.item()) / abs(loss.item())
print(f"loss: dc {dc_loss:.8g}, torch {loss.item():.8g}, relative {rel:.2e}")
ok &= rel <= 1e-5
for (name, _), t, (_, g) in zip(params, tensors, results[1:]):
    ref = t.grad.numpy()
    scale = float(np.abs(ref).max())
    err = float(np.abs(g - ref).max()) / scale
    print(f"d {name} {list(ref.shape)}: max |dc - torch| / max |torch| = {err:.2e}")
    ok &= err <= 1e-5
print("agree within 1e-5" if ok else "DIFFER")
sys.exit(0 if ok else 1)
