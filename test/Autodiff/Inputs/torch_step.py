#!/usr/bin/env python3
"""torch_step.py prepare DIR | compare DIR [T ALPHA]

The one-step comparison of dc's @train_step with PyTorch for dc-model-gen's
LeNet-300-100 (784-300-100-10, relu, nn.Linear layers) and LeNet-5 (a 4-D
weight is a 5x5 convolution followed by relu and 2x2 max pooling, the input
then 8 x 1 x 28 x 28; the first 2-D weight flattens):

prepare: writes DIR/x.bin (8 x 784 f32, fixed seed), DIR/labels.bin (8 i64)
and DIR/weights.bin (8 ones, f32) for dc-run.
compare: reads DIR/out/manifest.txt, the parameters dc-run used and its
results (loss, then the gradient of each parameter in order), computes the
same step with torch (the same weights, batch and labels; cross_entropy with
reduction='mean') and requires the loss within 1e-5 relative and each
gradient tensor within 1e-5 of its largest magnitude, element by element.
With T and ALPHA, the loss is the distillation against DIR/teacher.bin
(8 x 10 f32, written by prepare): (1 - ALPHA) cross_entropy + ALPHA T^2
kl_div(log_softmax(s / T), softmax(t / T), reduction='batchmean').
"""
import sys

import numpy as np
import torch

B, IN = 8, 784
d = sys.argv[2]

if sys.argv[1] == "prepare":
    rng = np.random.default_rng(7)
    rng.standard_normal((B, IN)).astype("<f4").tofile(f"{d}/x.bin")
    rng.integers(0, 10, B).astype("<i8").tofile(f"{d}/labels.bin")
    np.ones(B, dtype="<f4").tofile(f"{d}/weights.bin")
    (3 * rng.standard_normal((B, 10))).astype("<f4").tofile(f"{d}/teacher.bin")
    sys.exit(0)

torch.set_num_threads(1)


def shape_of(t):  # "tensor<300x784xf32>" -> (300, 784), dtype
    inner = t[len("tensor<"):-1].split("x")
    dims = tuple(int(v) for v in inner[:-1])
    return dims, {"f32": "<f4", "f64": "<f8", "i64": "<i8"}[inner[-1]]


params, results = [], []
for line in open(f"{d}/out/manifest.txt"):
    name_file, name, ty = line.split()
    dims, dt = shape_of(ty)
    a = np.fromfile(f"{d}/out/{name_file}", dtype=dt).reshape(dims)
    (params if name_file.startswith("param") else results).append((name, a))

F = torch.nn.functional
labels = torch.from_numpy(np.fromfile(f"{d}/labels.bin", dtype="<i8"))
tensors = [torch.tensor(a, requires_grad=True) for _, a in params]
x = np.fromfile(f"{d}/x.bin", dtype="<f4")
conv = tensors[0].dim() == 4
h = torch.from_numpy(x.reshape((B, 1, 28, 28) if conv else (B, IN)))
# <layer>.weight and <layer>_bias, in order.
layers = len(tensors) // 2
for i in range(layers):
    w, b = tensors[2 * i], tensors[2 * i + 1]
    if w.dim() == 4:
        h = F.max_pool2d(torch.relu(F.conv2d(h, w, b)), 2, 2)
        continue
    h = h.flatten(1) @ w.t() + b
    if i + 1 < layers:
        h = torch.relu(h)
loss = F.cross_entropy(h, labels)
if len(sys.argv) > 3:
    T, alpha = float(sys.argv[3]), float(sys.argv[4])
    teacher = torch.from_numpy(
        np.fromfile(f"{d}/teacher.bin", dtype="<f4").reshape(B, 10))
    kd = F.kl_div(F.log_softmax(h / T, dim=1), F.softmax(teacher / T, dim=1),
                  reduction="batchmean") * T * T
    loss = (1 - alpha) * loss + alpha * kd
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
    print(f"d {name} {list(ref.shape)}: max |dc - torch| / max |torch| "
          f"= {err:.2e}")
    ok &= err <= 1e-5
print("agree within 1e-5" if ok else "DIFFER")
sys.exit(0 if ok else 1)
