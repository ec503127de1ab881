#!/usr/bin/env python3
"""The include-layer rule of docs/Overview.md, checked over a source tree.

Every dc folder has a layer; a file may include dc headers of its own layer
or lower ones only, two folders never include each other, and the MLIR-free
folders include no MLIR or LLVM header. Prints one line per violation and
exits 1 if there is any; with --list, prints each folder's layer and what it
includes.

  layers.py SOURCE_DIR [--list]
"""
import os
import re
import sys

# (folder under lib/ and include/dc/, layer); the first match wins.
LAYERS = [
    ("Base", 0), ("Codec", 0), ("Support", 0), ("Runtime", 0), ("Data", 0),
    ("Optim", 0), ("TrainLoop", 0),
    ("Dialect/DC/IR", 1),
    ("Dialect/DC/Analysis", 2), ("Execution", 2),
    ("Dialect/DC/Transforms", 3), ("Codegen", 3), ("Conversion", 3),
    ("Autodiff", 3), ("Import", 3), ("Models", 3),
    ("Pipelines", 4), ("InitAllDC.h", 4),
    ("Compile", 5), ("Train", 5), ("Tools", 5),
    ("tools", 6),
]
NAMES = ["base", "dialect", "analysis", "compression/codegen/training/import",
         "pipelines", "compile/train/tool support", "tools"]
MLIR_FREE = {"Base", "Codec", "Data", "Optim", "TrainLoop", "Runtime"}
INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^">]+)[">]', re.M)


def folder_of(rel):
    """The folder of a path relative to lib/ or include/dc/ (or None)."""
    for name, _ in LAYERS:
        if rel == name or rel.startswith(name + "/"):
            return name
    return None


def layer(folder):
    return dict(LAYERS)[folder]


def sources(root):
    for top, base in (("lib", "lib"), ("include/dc", "include/dc"),
                      ("tools", "tools")):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".h", ".cpp", ".c", ".td")):
                    path = os.path.join(d, f)
                    rel = os.path.relpath(path, os.path.join(root, base))
                    folder = "tools" if top == "tools" else folder_of(rel)
                    yield path, folder


def main():
    root = sys.argv[1]
    listing = "--list" in sys.argv
    errors, edges = [], {}
    for path, folder in sources(root):
        rel = os.path.relpath(path, root)
        if folder is None:
            errors.append(f"{rel}: in no layer (add its folder to layers.py "
                          "and docs/Overview.md)")
            continue
        text = open(path, encoding="utf-8", errors="replace").read()
        for n, m in enumerate(INCLUDE.finditer(text)):
            header = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            if folder in MLIR_FREE and header.startswith(("mlir/", "llvm/")):
                errors.append(f"{rel}:{line}: the MLIR-free {folder} "
                              f"includes {header}")
            if not header.startswith("dc/"):
                continue
            target = folder_of(header[len("dc/"):])
            if target is None:
                errors.append(f"{rel}:{line}: {header} is in no layer")
                continue
            if target != folder:
                edges.setdefault(folder, set()).add(target)
            if layer(target) > layer(folder):
                errors.append(
                    f"{rel}:{line}: {folder} ({NAMES[layer(folder)]}) "
                    f"includes {header} of {target} "
                    f"({NAMES[layer(target)]}), a higher layer")
    for a in sorted(edges):
        for b in sorted(edges[a]):
            if a < b and a in edges.get(b, ()):
                errors.append(f"{a} and {b} include each other")
    if listing:
        for name, lvl in LAYERS:
            print(f"{lvl} {name}: {' '.join(sorted(edges.get(name, ())))}")
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
