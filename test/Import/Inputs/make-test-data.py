"""Writes an ONNX backend-test directory (model.onnx is encoded by the
caller) for mlp.txtpb or multi-io.txtpb: test_data_set_0/{input,output}_K.pb
in protobuf's text format, the expected outputs computed here in plain
Python from the initializers in the .txtpb (compile.test).
  make-test-data.py MODEL.txtpb OUTDIR"""
import math
import os
import re
import sys

src, out = sys.argv[1], sys.argv[2]
text = open(src).read()
inits = {}
for m in re.finditer(r'initializer \{ name: "([^"]+)" data_type: 1 ((?:dims: \d+ )+)(.*?) \}\n', text):
    dims = [int(d) for d in re.findall(r"dims: (\d+)", m.group(2))]
    inits[m.group(1)] = (dims, [float(v) for v in re.findall(r"float_data: ([-0-9.e]+)", m.group(3))])


def tensor(name, dims, values):
    return "name: \"%s\"\ndata_type: 1\n%s\n%s\n" % (
        name, "\n".join("dims: %d" % d for d in dims),
        "\n".join("float_data: %r" % v for v in values))


def gemm(x, w, b, n_in, n_out):  # x [n_in], w [n_out, n_in]
    return [sum(x[i] * w[o * n_in + i] for i in range(n_in)) + b[o]
            for o in range(n_out)]


os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
files = {}
if "mlp" in os.path.basename(src):
    x = [math.sin(i + 1.0) for i in range(8)]
    h = gemm(x, inits["fc1.weight"][1], inits["fc1.bias"][1], 8, 16)
    h = [max(v, 0.0) for v in h]
    z = gemm(h, inits["fc2.weight"][1], inits["fc2.bias"][1], 16, 4)
    m = max(z)
    e = [math.exp(v - m) for v in z]
    p = [v / sum(e) for v in e]
    files["input_0"] = tensor("x", [1, 8], x)
    files["output_0"] = tensor("probs", [1, 4], p)
else:
    a = [math.sin(i + 1.0) for i in range(6)]     # [2, 3]
    b = [math.cos(i + 1.0) for i in range(3)]     # [1, 3]
    a32 = a                                       # reshape [3, 2], row-major
    cat = []
    for r in range(3):                            # [3, 2] ++ b^T [3, 1]
        cat += [a32[2 * r], a32[2 * r + 1], b[r]]
    files["input_0"] = tensor("a", [2, 3], a)
    files["input_1"] = tensor("b", [1, 3], b)
    files["output_0"] = tensor("t", [3, 3], [math.tanh(v) for v in cat])
    files["output_1"] = tensor("scaled", [2, 3], [2.0 * v for v in a])
for name, body in files.items():
    with open(os.path.join(out, "test_data_set_0", name + ".txtpb"), "w") as f:
        f.write(body)
