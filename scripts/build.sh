#!/usr/bin/env bash
# Configures and builds mbz in ./build (Release). Incremental: reruns are cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# The compiler cache serves every clone of the repository, wherever it lies
# (a fresh clone per CI run): paths below the root are hashed as relative,
# and the working directory is not hashed (debug info may name the clone the
# object was first compiled in).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
cmake --build build -j "$(nproc)"
