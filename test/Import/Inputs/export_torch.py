#!/usr/bin/env python3
"""export_torch.py MODEL OUT.onnx OUT.txt: builds MODEL (lenet5 or resnet, a
small ResNet with batch norm and residual adds) in PyTorch with seeded random
weights, in eval mode, exports it with torch.onnx.export (opset 13, weights
as initializers) and writes its output for the input element i = sin(i + 1)
(the input dc-compile's test harness feeds) to OUT.txt, one value a line.
Needs Debian's python3-torch."""
import math
import sys

import torch
import torch.nn as nn


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.fc1 = nn.Linear(800, 500)
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.proj is None else self.proj(x)))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(8), nn.ReLU())
        self.block1 = Block(8, 8, 1)
        self.block2 = Block(8, 16, 2)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.block2(self.block1(self.stem(x)))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


def main():
    name, onnx_path, out_path = sys.argv[1:4]
    torch.manual_seed(0)
    model, shape = {"lenet5": (LeNet5, (1, 1, 28, 28)),
                    "resnet": (ResNet, (1, 3, 16, 16))}[name]
    model = model()
    # Batch norm with statistics that are not the identity.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    model.eval()
    n = math.prod(shape)
    x = torch.tensor([math.sin(i + 1) for i in range(n)],
                     dtype=torch.float32).reshape(shape)
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(model, (x,), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["output"])
    with open(out_path, "w") as f:
        for v in y.flatten().tolist():
            f.write("%.9g\n" % v)


if __name__ == "__main__":
    main()
