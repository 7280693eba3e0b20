#!/usr/bin/env bash
# Builds profile 11's weight prior (src/mix/data/profile11.prior) from the
# 512-pixel photographs of the media corpus's training split
# (scripts/build-media-corpus.sh: 13 photographs, colour and grey), in name
# order. The same corpus and build give the same file, byte for byte; its
# SHA-256 is pinned in tests/frozen-units.sha256 and docs/FORMAT.md.
#   bash scripts/build-image-prior.sh CORPUS [OUT]
set -euo pipefail
corpus=${1:?usage: build-image-prior.sh CORPUS [OUT]}
out=${2:-src/mix/data/profile11.prior}
here=$(cd "$(dirname "$0")/.." && pwd)
tool=${BUILD_PRIOR:-$here/build/build_prior}
mapfile -t images < <(LC_ALL=C ls "$corpus"/image/train/*_512.ppm "$corpus"/image/train/*_512.pgm | LC_ALL=C sort)
[ "${#images[@]}" -eq 26 ] || { echo "build-image-prior.sh: expected 26 training photographs at 512 px, found ${#images[@]}" >&2; exit 1; }
"$tool" image "$out" "${images[@]}"
sha256sum "$out"
