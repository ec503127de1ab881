#!/usr/bin/env python3
"""Prints the golden values of OptimizerTest.cpp from torch.optim (Debian's
python3-torch 1.13): 3 steps on 4 parameters with the gradients below, for
SGD with momentum and weight decay, Nesterov SGD, and Adam with weight
decay. Run: /usr/bin/python3 unittests/Optim/torch_golden.py"""
import torch

p0 = [0.5, -1.25, 2.0, 0.125]
grads = [[0.1, -0.2, 0.3, -0.4], [0.25, 0.5, -0.75, 1.0], [-0.3, 0.1, 0.2, 0.05]]
cases = {
    "sgd": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01),
    "nesterov": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.8, nesterov=True),
    "adam": lambda p: torch.optim.Adam([p], lr=1e-3, weight_decay=0.01),
}
for name, make in cases.items():
    p = torch.tensor(p0, dtype=torch.float32, requires_grad=True)
    opt = make(p)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
    print(name, ", ".join(f"{v:.9g}f" for v in p.detach().tolist()))
