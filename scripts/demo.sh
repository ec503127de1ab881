#!/usr/bin/env bash
# The main job end to end on the built-in default model (examples/): builds
# dc-opt, verifies the compressed model, prints it and decodes its weights.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dc-opt
model=${1:-examples/mlp-compressed.mlir}
echo "== dc-opt: parse and verify $model"
build/bin/dc-opt "$model" --mlir-elide-resource-strings-if-larger=16
echo "== dc-opt --dc-materialize: the dense weights it stands for"
build/bin/dc-opt "$model" --dc-materialize --mlir-elide-elementsattrs-if-larger=16
