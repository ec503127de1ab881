#!/usr/bin/env python3
"""make_data.py DIR [--features F] [--classes C] [--train N] [--test N] [--idx]

A small learnable image set for dc-train's tests (Python's standard library
only): each image has F u8 pixels, noise in 0..150, and the K pixels
K c .. K c + K - 1 of its class c raised to 200..255 (K = max(2, F / 2C)). Writes raw arrays
DIR/train-images.u8, DIR/train-labels.u8, DIR/t10k-images.u8,
DIR/t10k-labels.u8, or with --idx the MNIST IDX files (images as
ROWS x F / ROWS, --rows, default 1).
--label-max L draws labels from 0..L (to test labels outside the model).
"""
import argparse
import os
import random
import struct

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--features", type=int, default=8)
p.add_argument("--classes", type=int, default=4)
p.add_argument("--label-max", type=int, default=None)
p.add_argument("--train", type=int, default=2000)
p.add_argument("--test", type=int, default=500)
p.add_argument("--idx", action="store_true")
p.add_argument("--rows", type=int, default=1,
               help="IDX images as rows x (features / rows)")
a = p.parse_args()
os.makedirs(a.dir, exist_ok=True)
rng = random.Random(1)
top = a.classes - 1 if a.label_max is None else a.label_max
k = max(2, a.features // (2 * a.classes))  # signal pixels per class


def split(name, n):
    images, labels = bytearray(), bytearray()
    for _ in range(n):
        c = rng.randint(0, top)
        px = [rng.randint(0, 150) for _ in range(a.features)]
        for j in range(k * c, k * c + k):
            if j < a.features:
                px[j] = rng.randint(200, 255)
        images += bytes(px)
        labels.append(c)
    base = os.path.join(a.dir, name)
    if a.idx:
        with open(base + "-images-idx3-ubyte", "wb") as f:
            f.write(struct.pack(">IIII", 0x803, n, a.rows,
                                a.features // a.rows) + images)
        with open(base + "-labels-idx1-ubyte", "wb") as f:
            f.write(struct.pack(">II", 0x801, n) + labels)
    else:
        with open(base + "-images.u8", "wb") as f:
            f.write(images)
        with open(base + "-labels.u8", "wb") as f:
            f.write(labels)


split("train", a.train)
split("t10k", a.test)
