#!/usr/bin/env bash
# Installs what dc needs, builds it and runs every test: lit (dialect, passes,
# plugin, tools, fuzz smoke runs) and the GoogleTest unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1 CCACHE_COMPILERCHECK=content
cmake --build build --target check-dc
