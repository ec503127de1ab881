#!/usr/bin/env python3
"""sparse_layer_table.py RESULTS.txt OUTDIR: the table (OUTDIR/results.md, as
in docs/Performance.md) and the plot data (OUTDIR/results.dat) of
bench/sparse-layer.sh's output."""
import re
import sys

rows, convs, cur = [], [], None
for line in open(sys.argv[1]):
    # A case's first line: "NAME: layer NxK batch B: ..." (sparse_layer.cpp)
    # or "NAME: conv FxCxKxK on HxW batch B: ..." (sparse_conv.cpp).
    m = re.match(r'(\S+): (layer|conv) (\S+?)(?: on (\S+))? batch (\d+): (\d+) kept \(([\d.]+)%\)', line)
    if m:
        shape = m.group(3) + (f" on {m.group(4)}" if m.group(4) else "")
        cur = {"name": m.group(1), "shape": shape, "batch": int(m.group(5)),
               "kept": m.group(7), "t": {}}
        (rows if m.group(2) == "layer" else convs).append(cur)
        continue
    m = re.match(r'\s+(\S+)\s+hot\s+([\d.]+) us\s+cold\s+([\d.]+) us', line)
    if m and cur:
        cur["t"][m.group(1)] = (float(m.group(2)), float(m.group(3)))
    m = re.match(r'\s+bandwidth ([\d.]+) GB/s: payload (\d+) bytes -> ([\d.]+) us', line)
    if m and cur:
        cur["bound"] = float(m.group(3))
peers = ["eigen-csr", "csr-f32", "cb5-gap8", "gather16", "gather16-panels"]
out = ["| layer (kept) | batch | dense (OpenBLAS) | Eigen CSR | CSR f32/u16 | "
       "cb5+gap8 | gather16 | dc-sparsifier | dc-rows | **dc** | dc vs dense | "
       "dc vs best peer | dc cold vs dense cold | payload bound |",
       "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
dat = ["# case  dense/dc  dense/best-peer  dense/dc-sparsifier (hot)"]
for r in rows:
    t = r["t"]
    dense = t.get("sgemv", t.get("sgemm"))
    cell = lambda k: f"{t[k][0]:,.0f}" if k in t else "-"
    best = min(t[k][0] for k in peers if k in t)
    out.append(f"| {r['name']} {r['shape']} ({r['kept']}%) | {r['batch']} | "
               f"{dense[0]:,.0f} | {cell('eigen-csr')} | {cell('csr-f32')} | "
               f"{cell('cb5-gap8')} | {cell('gather16')} | {cell('dc-sparsifier')} | "
               f"{cell('dc-rows')} | **{t['dc'][0]:,.0f}** | {dense[0] / t['dc'][0]:.1f}x | "
               f"{best / t['dc'][0]:.2f}x | {dense[1] / t['dc'][1]:.2f}x | "
               f"{r.get('bound', 0):,.0f} |")
    dat.append(f'"{r["name"]} b{r["batch"]}" {dense[0] / t["dc"][0]:.3f} '
               f'{dense[0] / best:.3f} {dense[0] / t["dc-sparsifier"][0]:.3f}')
if convs:
    out += ["", "| conv layer (kept) | im2col + sgemm (OpenBLAS) | sparse direct | "
            "dc-sparsifier | dc-indices | dc-dense | **dc** | dc vs dense | "
            "dc vs dc-dense | dc cold vs dense cold | payload bound |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
for r in convs:
    t = r["t"]
    dense = t["im2col-sgemm"]
    cell = lambda k: f"{t[k][0]:,.0f}" if k in t else "-"
    out.append(f"| {r['name']} {r['shape']} ({r['kept']}%) | {dense[0]:,.0f} | "
               f"{cell('csr-direct')} | {cell('dc-sparsifier')} | {cell('dc-indices')} | "
               f"{cell('dc-dense')} | **{t['dc'][0]:,.0f}** | {dense[0] / t['dc'][0]:.2f}x | "
               f"{t['dc-dense'][0] / t['dc'][0]:.2f}x | {dense[1] / t['dc'][1]:.2f}x | "
               f"{r.get('bound', 0):,.0f} |")
    dat.append(f'"{r["name"]}" {dense[0] / t["dc"][0]:.3f} '
               f'{dense[0] / t["csr-direct"][0]:.3f} {dense[0] / t["dc-sparsifier"][0]:.3f}')
open(sys.argv[2] + "/results.md", "w").write("\n".join(out) + "\n")
open(sys.argv[2] + "/results.dat", "w").write("\n".join(dat) + "\n")
print("\n".join(out))
