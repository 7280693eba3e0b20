#!/usr/bin/env bash
# Builds an image profile's weight prior from the 512-pixel photographs of
# the media corpus's training split (scripts/build-media-corpus.sh: 13
# photographs, colour and grey), in name order: profile 11's
# (src/mix/data/profile11.prior, the default) or, with --profile 13,
# profile 13's (src/mix/data/profile13.prior). The same corpus and build
# give the same file, byte for byte; its SHA-256 is pinned in
# tests/frozen-units.sha256 and docs/FORMAT.md.
#   bash scripts/build-image-prior.sh [--profile 11|13] CORPUS [OUT]
set -euo pipefail
profile=11
if [ "${1:-}" = --profile ]; then profile=${2:?--profile 11 or 13}; shift 2; fi
case $profile in
  11) mode=image ;;
  13) mode=image13 ;;
  *) echo "build-image-prior.sh: --profile 11 or 13, not $profile" >&2; exit 2 ;;
esac
corpus=${1:?usage: build-image-prior.sh [--profile 11|13] CORPUS [OUT]}
out=${2:-src/mix/data/profile$profile.prior}
here=$(cd "$(dirname "$0")/.." && pwd)
tool=${BUILD_PRIOR:-$here/build/build_prior}
mapfile -t images < <(LC_ALL=C ls "$corpus"/image/train/*_512.ppm "$corpus"/image/train/*_512.pgm | LC_ALL=C sort)
[ "${#images[@]}" -eq 26 ] || { echo "build-image-prior.sh: expected 26 training photographs at 512 px, found ${#images[@]}" >&2; exit 1; }
"$tool" "$mode" "$out" "${images[@]}"
sha256sum "$out"
