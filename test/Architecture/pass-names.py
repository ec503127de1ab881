#!/usr/bin/env python3
"""Libraries reach passes through typed interfaces, not text.

Over lib/ (outside lib/Pipelines, where the pipelines are registered under
their names): no parsePassPipeline or addToPipeline call, and no string
literal that starts with a pass name (a pipeline "dc-compress{...}", a
diagnostic "dc-rebatch: ..."): the pass names come from ODS
(getArgumentName()). Every other "dc-..." literal must name one of dc's
tools or files. Prints one line per violation; exits 1 if there is any.

  pass-names.py SOURCE_DIR
"""
import os
import re
import sys

# "dc-..." words that are not passes: the tools, the run-time folder, and
# the prefixes of temporary files and test-hook stages.
NOT_PASSES = {"dc-compile", "dc-train", "dc-run", "dc-opt", "dc-runtime",
              "dc-import-onnx", "dc-model-gen", "dc-grad-check", "dc-plugin",
              "dc-fuzz-onnx", "dc-fuzz-pipeline",
              # the magic line of a step library cache record
              "dc-step-library"}
LITERAL = re.compile(r'"((?:dc|convert)-[a-z0-9-]+)')
CALL = re.compile(r"\b(parsePassPipeline|addToPipeline)\s*\(")


def pass_names(root):
    names = set()
    for d, _, files in os.walk(os.path.join(root, "include")):
        for f in files:
            if f.endswith(".td"):
                text = open(os.path.join(d, f)).read()
                names.update(re.findall(r'Pass<"([a-z0-9-]+)"', text))
    pipelines = open(os.path.join(root, "lib/Pipelines/Pipelines.cpp")).read()
    names.update(re.findall(r'PassPipelineRegistration<[^>]*>\(\s*"([a-z0-9-]+)"',
                            pipelines))
    return names


def main():
    root = sys.argv[1]
    passes = pass_names(root)
    if len(passes) < 10:
        print(f"found only {len(passes)} pass names: is {root} dc's tree?")
        return 1
    errors = []
    for d, _, files in os.walk(os.path.join(root, "lib")):
        for f in sorted(files):
            if not f.endswith((".cpp", ".h")):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, root)
            if rel.startswith("lib/Pipelines/"):
                continue
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                code = line.split("//")[0]
                for m in CALL.finditer(code):
                    errors.append(f"{rel}:{n}: {m.group(1)} outside "
                                  "lib/Pipelines")
                for m in LITERAL.finditer(code):
                    word = m.group(1)
                    if word in passes:
                        errors.append(f"{rel}:{n}: the pass name {word} in a "
                                      "string literal")
                    elif word.startswith("dc-") and not any(
                            word == t or word.startswith(t + "-")
                            for t in NOT_PASSES):
                        errors.append(f"{rel}:{n}: \"{word}\" is neither a "
                                      "pass nor a known tool name")
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
