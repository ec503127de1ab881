#!/usr/bin/env python3
"""odd_shapes.py KIND [--main]: writes a small dense model whose sizes are
not multiples of any vector width (and 1x1 kernels, a 1-column output),
torch-mlir's FX shape, weights inline and deterministic, to stdout. With
--main, adds @main running @forward on the input harness.c uses (element i
= sin(i + 1)) and printing it with printMemrefF32 (the reference).

  fc:   x[3x37] -> fc 37->13 (x * transpose(W) + b, ReLU) -> fc 13->1
  conv: x[2x3x11x9] -> conv 3->5 3x3 + b, ReLU -> conv 5->7 1x1 ->
        max pool 2x2 stride 2 -> depthwise 7 2x2 stride 1 ->
        flatten -> fc 42->5
"""
import math
import sys

kind = sys.argv[1]
main = "--main" in sys.argv
counter = [0]


def values(n):
    out = []
    for _ in range(n):
        counter[0] += 1
        out.append(math.sin(counter[0] * 0.7) * 0.5)
    return out


def dense(shape):
    n = 1
    for s in shape:
        n *= s
    v = values(n)

    def nest(dims, at):
        if not dims:
            return f"{v[at]:.8e}", at + 1
        parts = []
        for _ in range(dims[0]):
            p, at = nest(dims[1:], at)
            parts.append(p)
        return "[" + ", ".join(parts) + "]", at
    text, _ = nest(list(shape), 0)
    return f"dense<{text}> : tensor<{'x'.join(map(str, shape))}xf32>"


def t(shape):
    return f"tensor<{'x'.join(map(str, shape))}xf32>"


lines = []
emit = lines.append
ssa = [0]


def new():
    ssa[0] += 1
    return f"%v{ssa[0]}"


def linear(x, batch, k, n, relu):
    w, b = new(), new()
    emit(f"    {w} = arith.constant {dense([n, k])}")
    emit(f"    {b} = arith.constant {dense([n])}")
    e1, tr = new(), new()
    emit(f"    {e1} = tensor.empty() : {t([k, n])}")
    emit(f"    {tr} = linalg.transpose ins({w} : {t([n, k])}) outs({e1} : {t([k, n])}) permutation = [1, 0]")
    e2, z, mm = new(), new(), new()
    emit(f"    {e2} = tensor.empty() : {t([batch, n])}")
    emit(f"    {z} = linalg.fill ins(%zero : f32) outs({e2} : {t([batch, n])}) -> {t([batch, n])}")
    emit(f"    {mm} = linalg.matmul ins({x}, {tr} : {t([batch, k])}, {t([k, n])}) outs({z} : {t([batch, n])}) -> {t([batch, n])}")
    y = new()
    emit(f"    {y} = linalg.generic {{indexing_maps = [#id2, #row, #id2], iterator_types = [\"parallel\", \"parallel\"]}} ins({mm}, {b} : {t([batch, n])}, {t([n])}) outs({e2} : {t([batch, n])}) {{")
    emit("    ^bb0(%a: f32, %c: f32, %o: f32):")
    emit("      %s = arith.addf %a, %c : f32")
    if relu:
        emit("      %r = arith.maximumf %s, %zero : f32")
        emit("      linalg.yield %r : f32")
    else:
        emit("      linalg.yield %s : f32")
    emit(f"    }} -> {t([batch, n])}")
    return y


def conv(x, shape, f, k, stride, bias, relu, depthwise=False):
    n, c, h, w = shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    out = [n, f, oh, ow]
    wt = new()
    if depthwise:
        emit(f"    {wt} = arith.constant {dense([c, k, k])}")
    else:
        emit(f"    {wt} = arith.constant {dense([f, c, k, k])}")
    e, init = new(), new()
    emit(f"    {e} = tensor.empty() : {t(out)}")
    if bias:
        b = new()
        emit(f"    {b} = arith.constant {dense([f])}")
        emit(f"    {init} = linalg.generic {{indexing_maps = [#chan, #id4], iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}} ins({b} : {t([f])}) outs({e} : {t(out)}) {{")
        emit("    ^bb0(%a: f32, %o: f32):")
        emit("      linalg.yield %a : f32")
        emit(f"    }} -> {t(out)}")
    else:
        emit(f"    {init} = linalg.fill ins(%zero : f32) outs({e} : {t(out)}) -> {t(out)}")
    y = new()
    op = "depthwise_conv_2d_nchw_chw" if depthwise else "conv_2d_nchw_fchw"
    wshape = [c, k, k] if depthwise else [f, c, k, k]
    emit(f"    {y} = linalg.{op} {{dilations = dense<1> : tensor<2xi64>, strides = dense<{stride}> : tensor<2xi64>}} ins({x}, {wt} : {t(shape)}, {t(wshape)}) outs({init} : {t(out)}) -> {t(out)}")
    if relu:
        r = new()
        emit(f"    {r} = linalg.generic {{indexing_maps = [#id4, #id4], iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}} ins({y} : {t(out)}) outs({e} : {t(out)}) {{")
        emit("    ^bb0(%a: f32, %o: f32):")
        emit("      %m = arith.maximumf %a, %zero : f32")
        emit("      linalg.yield %m : f32")
        emit(f"    }} -> {t(out)}")
        y = r
    return y, out


if kind == "fc":
    inp, outp = [3, 37], [3, 1]
    emit(f"  func.func @forward(%x: {t(inp)}) -> {t(outp)} {{")
    emit("    %zero = arith.constant 0.0 : f32")
    h = linear("%x", 3, 37, 13, True)
    y = linear(h, 3, 13, 1, False)
elif kind == "conv":
    inp, outp = [2, 3, 11, 9], [2, 5]
    emit(f"  func.func @forward(%x: {t(inp)}) -> {t(outp)} {{")
    emit("    %zero = arith.constant 0.0 : f32")
    emit("    %ninf = arith.constant -3.40282347E+38 : f32")
    y, s = conv("%x", inp, 5, 3, 1, True, True)
    y, s = conv(y, s, 7, 1, 1, False, False)
    n, c, h, w = s
    ps = [n, c, h // 2, w // 2]
    win, e, init, p = new(), new(), new(), new()
    emit(f"    {win} = tensor.empty() : tensor<2x2xf32>")
    emit(f"    {e} = tensor.empty() : {t(ps)}")
    emit(f"    {init} = linalg.fill ins(%ninf : f32) outs({e} : {t(ps)}) -> {t(ps)}")
    emit(f"    {p} = linalg.pooling_nchw_max {{dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}} ins({y}, {win} : {t(s)}, tensor<2x2xf32>) outs({init} : {t(ps)}) -> {t(ps)}")
    y, s = conv(p, ps, 7, 2, 1, False, False, depthwise=True)
    flat = s[1] * s[2] * s[3]
    fl = new()
    emit(f"    {fl} = tensor.collapse_shape {y} [[0], [1, 2, 3]] : {t(s)} into {t([2, flat])}")
    y = linear(fl, 2, flat, 5, False)
else:
    sys.exit("kind: fc or conv")
emit(f"    return {y} : {t(outp)}")
emit("  }")

print("#id2 = affine_map<(d0, d1) -> (d0, d1)>")
print("#row = affine_map<(d0, d1) -> (d1)>")
print("#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>")
print("#chan = affine_map<(d0, d1, d2, d3) -> (d1)>")
print("module {")
print("\n".join(lines))
if main:
    n = 1
    for s in inp:
        n *= s
    xs = [math.sin(i + 1) for i in range(n)]

    def nest(dims, at):
        if not dims:
            return f"{xs[at]:.9e}", at + 1
        parts = []
        for _ in range(dims[0]):
            p, at = nest(dims[1:], at)
            parts.append(p)
        return "[" + ", ".join(parts) + "]", at
    text, _ = nest(list(inp), 0)
    print("  func.func private @printMemrefF32(tensor<*xf32>)")
    print("  func.func @main() {")
    print(f"    %x = arith.constant dense<{text}> : {t(inp)}")
    print(f"    %y = call @forward(%x) : ({t(inp)}) -> {t(outp)}")
    print(f"    %c = tensor.cast %y : {t(outp)} to tensor<*xf32>")
    print("    call @printMemrefF32(%c) : (tensor<*xf32>) -> ()")
    print("    return")
    print("  }")
print("}")
