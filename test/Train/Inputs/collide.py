#!/usr/bin/env python3
"""collide.py DC_TRAIN WORKDIR DATA MODEL: runs dc-train with two of its
outputs naming one file, or an output naming one of its inputs, spelled
relatively, absolutely and through a symbolic link, and checks each run
exits non-zero before any work with the collision message and leaves every
named file as it was (compared with a copy) and no temporary behind.
Prints one line per case and 'N cases refused' at the end."""
import filecmp
import itertools
import os
import re
import shutil
import subprocess
import sys

dc_train, work, data, model = sys.argv[1:5]
os.makedirs(work, exist_ok=True)
os.chdir(work)
shutil.copy(model, "model.mlir")
shutil.copy(model, "model.orig")
# A file for --resume (never read: the collision is found first).
with open("resume.ckpt", "wb") as f:
    f.write(b"not read\n")
shutil.copy("resume.ckpt", "resume.orig")
data_file = os.path.join(data, "train-labels.u8")
shutil.copy(data_file, "data.orig")

OUTPUTS = ["-o", "--log", "--predictions", "--checkpoint"]


def arg(option, path):
    return [option, path] if option == "-o" else [option + "=" + path]


def spellings(name):
    """The same file three ways: relative, absolute, a symbolic link."""
    link = "link-to-" + os.path.basename(name)
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.abspath(name), link)
    return [("relative", os.path.relpath(name)),
            ("absolute", os.path.abspath(name)), ("link", link)]


def run(case, args, guarded, recipe=False):
    """Runs dc-train with `args` (the colliding options), each other output
    given a private path; `guarded` maps each named file to its copy."""
    model_arg = "model.mlir"
    if args and args[0].startswith("--model="):
        model_arg, args = args[0][len("--model="):], args[1:]
    base = [dc_train, model_arg, "--data=" + data, "--quiet",
            "--batch-size=8"]
    if recipe:
        base.append("--recipe=deep-compression")
    given = {a.split("=")[0] for a in args if a.startswith("-")}
    if "-o" not in given:
        base += ["-o", "private.mlir"]
    r = subprocess.run(base + args, capture_output=True, text=True)
    err = r.stderr.strip()
    ok = (r.returncode == 1 and
          re.fullmatch(r"dc-train: error: .+ '.+' and .+ '.+' are the same "
                       r"file \((two outputs would overwrite each other|the "
                       r"output would overwrite an input)\); nothing was "
                       r"written", err) is not None)
    for path, copy in guarded.items():
        if not (os.path.exists(path) and filecmp.cmp(path, copy, False)):
            ok = False
            err += " [%s changed]" % path
    leftovers = [f for f in os.listdir(".") + os.listdir(data)
                 if ".tmp-" in f] + [f for f in os.listdir(".")
                                      if f.startswith("private")]
    if leftovers:
        ok = False
        err += " [left: %s]" % leftovers
    print("%s: %s: %s" % ("refused" if ok else "FAILED", case, err))
    return ok


cases = failed = 0
# Two outputs on one existing file.
for a, b in itertools.combinations(OUTPUTS, 2):
    with open("shared.out", "w") as f:
        f.write("precious\n")
    shutil.copy("shared.out", "shared.orig")
    for how, path in spellings("shared.out"):
        cases += 1
        failed += not run("%s and %s, %s" % (a, b, how),
                          arg(a, "shared.out") + arg(b, path),
                          {"shared.out": "shared.orig"})
    os.remove("shared.out")
# ... and on one file that does not exist yet.
for a, b in itertools.combinations(OUTPUTS, 2):
    for how, path in [("relative", "absent.out"),
                      ("absolute", os.path.abspath("absent.out"))]:
        cases += 1
        failed += not run("%s and %s, absent, %s" % (a, b, how),
                          arg(a, "absent.out") + arg(b, path), {})
        if os.path.exists("absent.out"):
            failed += 1
            print("FAILED: absent.out was created")
# An output on an input.
inputs = [("the model", "model.mlir", "model.orig", []),
          ("--data", data_file, "data.orig", []),
          ("--resume", "resume.ckpt", "resume.orig",
           ["--resume=resume.ckpt"])]
for option in OUTPUTS:
    for name, path, copy, extra in inputs:
        if option == "--checkpoint" and name == "--resume":
            continue  # allowed: how a run continues (tested elsewhere)
        for how, spelled in spellings(path):
            cases += 1
            failed += not run("%s on %s, %s" % (option, name, how),
                              extra + arg(option, spelled), {path: copy})
# The recipe's derived outputs: -o.STAGE.mlir and -o.ckpt.
with open("r.mlir.dense.mlir", "w") as f:
    f.write("precious\n")
shutil.copy("r.mlir.dense.mlir", "dense.orig")
spellings("r.mlir.dense.mlir")
shutil.copy(model, "x.dense.mlir")
for args, guarded in [
        (["-o", "r.mlir", "--log=r.mlir.dense.mlir"],
         {"r.mlir.dense.mlir": "dense.orig"}),
        (["-o", "r.mlir", "--predictions=link-to-r.mlir.dense.mlir"],
         {"r.mlir.dense.mlir": "dense.orig"}),
        (["-o", "r.mlir", "--log=" + os.path.abspath("r.mlir.ckpt")], {}),
        (["--model=x.dense.mlir", "-o", "x"], {"x.dense.mlir": "model.orig"})]:
    cases += 1
    failed += not run("recipe " + " ".join(args), args, guarded, recipe=True)
print("%d cases refused" % (cases - failed) if not failed else
      "%d of %d cases FAILED" % (failed, cases))
