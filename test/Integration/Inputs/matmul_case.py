#!/usr/bin/env python3
"""A single-layer test case for the lowering, with an independent reference.

  matmul_case.py gen SEED B N K DENSITY OUT.mlir
      writes @forward(x: BxK) = x * W^T (W: NxK, torch-mlir's nn.Linear form:
      transpose + fill + matmul) where W = codebook[index] is given as an
      externally trained codebook and index tensor (dc encodes it as is), and
      @main printing @forward on a fixed x. Some rows of W are empty, some
      rows are dense, gaps are long; DENSITY is the fraction of the rest kept.
  matmul_case.py check SEED B N K DENSITY RUNNER-OUTPUT
      recomputes y in double precision from the same W and x and checks
      |y - y_ref| <= 1e-5 * sum_j |W_ij| |x_j| for every output.
"""
import math
import random
import re
import struct
import sys


def case(seed, b, n, k, density):
    rnd = random.Random(seed)
    codebook = [0.0] + [rnd.uniform(-1, 1) for _ in range(rnd.randint(1, 31))]
    index = []
    for i in range(n):
        kind = rnd.random()
        if kind < 0.15:
            row = [0] * k  # empty row
        elif kind < 0.25:
            row = [rnd.randrange(1, len(codebook)) for _ in range(k)]  # dense
        else:
            row = [rnd.randrange(1, len(codebook)) if rnd.random() < density
                   else 0 for _ in range(k)]
        index.append(row)
    x = [[math.sin(1.0 + r * k + c) for c in range(k)] for r in range(b)]
    return codebook, index, x


def to_f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def f32(v):
    return "%.9e" % v


def gen(seed, b, n, k, density, out):
    codebook, index, x = case(seed, b, n, k, density)
    cb = ", ".join(f32(v) for v in codebook)
    idx = ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in index)
    xs = ", ".join("[" + ", ".join(f32(v) for v in row) + "]" for row in x)
    itype = "i8" if len(codebook) <= 128 else "i16"
    with open(out, "w") as f:
        f.write(f"""#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @forward(%x: tensor<{b}x{k}xf32>) -> tensor<{b}x{n}xf32> {{
  %codebook = arith.constant dense<[{cb}]> : tensor<{len(codebook)}xf32>
  %index = arith.constant dense<[{idx}]> : tensor<{n}x{k}x{itype}>
  %e = tensor.empty() : tensor<{n}x{k}xf32>
  %w = linalg.generic {{indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}} ins(%index : tensor<{n}x{k}x{itype}>) outs(%e : tensor<{n}x{k}xf32>) {{
  ^bb0(%i: {itype}, %o: f32):
    %j = arith.index_cast %i : {itype} to index
    %v = tensor.extract %codebook[%j] : tensor<{len(codebook)}xf32>
    linalg.yield %v : f32
  }} -> tensor<{n}x{k}xf32>
  %t0 = tensor.empty() : tensor<{k}x{n}xf32>
  %t = linalg.transpose ins(%w : tensor<{n}x{k}xf32>) outs(%t0 : tensor<{k}x{n}xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %a0 = tensor.empty() : tensor<{b}x{n}xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%a0 : tensor<{b}x{n}xf32>) -> tensor<{b}x{n}xf32>
  %y = linalg.matmul ins(%x, %t : tensor<{b}x{k}xf32>, tensor<{k}x{n}xf32>) outs(%acc : tensor<{b}x{n}xf32>) -> tensor<{b}x{n}xf32>
  return %y : tensor<{b}x{n}xf32>
}}
func.func private @printMemrefF32(tensor<*xf32>) attributes {{llvm.emit_c_interface}}
func.func @main() {{
  %x = arith.constant dense<[{xs}]> : tensor<{b}x{k}xf32>
  %y = call @forward(%x) : (tensor<{b}x{k}xf32>) -> tensor<{b}x{n}xf32>
  %u = tensor.cast %y : tensor<{b}x{n}xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}}
""")


def check(seed, b, n, k, density, path):
    codebook, index, x = case(seed, b, n, k, density)
    # f32 inputs, as the compiled code sees them.
    cb = [to_f32(v) for v in codebook]
    xs = [[to_f32(v) for v in row] for row in x]
    text = open(path).read()
    data = text[text.index("data ="):]
    got = [float(v) for v in re.findall(r"-?(?:nan|inf|[0-9.]+(?:e[-+]?[0-9]+)?)", data.split("=", 1)[1])]
    if len(got) != b * n:
        sys.exit(f"expected {b * n} outputs, got {len(got)}")
    bad = 0
    for r in range(b):
        for i in range(n):
            y = sum(cb[index[i][j]] * xs[r][j] for j in range(k))
            bound = 1e-5 * sum(abs(cb[index[i][j]]) * abs(xs[r][j]) for j in range(k))
            # printMemrefF32 prints 6 significant digits.
            bound += 5e-6 * abs(y)
            if not abs(got[r * n + i] - y) <= bound:
                print(f"y[{r}][{i}] = {got[r * n + i]}, reference {y}, bound {bound}")
                bad += 1
    if bad:
        sys.exit(f"{bad} of {b * n} outputs outside the bound")
    print(f"ok: {b * n} outputs within 1e-5 * sum(|w| * |x|)")


if __name__ == "__main__":
    mode, seed, b, n, k, density, path = sys.argv[1:8]
    args = (int(seed), int(b), int(n), int(k), float(density), path)
    gen(*args) if mode == "gen" else check(*args)
