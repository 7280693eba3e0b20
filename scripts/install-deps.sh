#!/usr/bin/env bash
# Installs the Debian 12 packages mbz builds and tests with. Idempotent: it only
# calls apt-get when something is missing, so it is cheap to run before every build.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache
  libtorch-dev            # mbz-train, the CUDA plugin and the tests' reference engine (not the codec)
  libopenblas0-openmp     # fast BLAS for libtorch; -openmp honours torch's thread count
  libcli11-dev libzstd-dev libxxhash-dev
  libsndfile1-dev libstb-dev   # the pcm and image adapters (codecs/; libsndfile is loaded when audio needs it)
  liblzma-dev                  # mbz eval --baseline xz
  libgtest-dev
  python3                 # CTest spec_decoder: tests/spec/decode_mixed.py, the decoder written from docs/FORMAT.md
  zstd xz-utils           # reference codecs for comparisons in the demo and bench
  gnuplot-nox             # scripts/plot-training.sh (learning curves of mbz train)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
