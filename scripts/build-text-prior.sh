#!/usr/bin/env bash
# Builds profile 12's weight prior (src/mix/data/profile12.prior) from the
# text corpus's training split (scripts/build-text-corpus.sh): the first
# 3 MiB (3,145,728 bytes) of each file (prose, code, structured) cut into pieces of
# 10,240 bytes, every 4th piece (the first, fifth, ...), 231 pieces in all,
# each coded alone through profile 10's arithmetic with MODEL's paths
# (default models/text-small-v4.mbzm, the default text model of mbz
# 0.19-0.20); or, with --profile 14, profile 14's
# (src/mix/data/profile14.prior) from the same pieces coded without a model.
# The same corpus, model and build give the same file, byte for byte; its
# SHA-256 is pinned in tests/frozen-units.sha256 and docs/FORMAT.md.
#   bash scripts/build-text-prior.sh [--profile 12|14] CORPUS [OUT [MODEL]]
set -euo pipefail
profile=12
if [ "${1:-}" = --profile ]; then profile=${2:?--profile 12 or 14}; shift 2; fi
[ "$profile" = 12 ] || [ "$profile" = 14 ] || { echo "build-text-prior.sh: --profile 12 or 14, not $profile" >&2; exit 2; }
corpus=${1:?usage: build-text-prior.sh [--profile 12|14] CORPUS [OUT [MODEL]]}
here=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$here/src/mix/data/profile$profile.prior}
model=${3:-$here/models/text-small-v4.mbzm}
tool=${BUILD_PRIOR:-$here/build/build_prior}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pieces=()
for f in prose code structured; do
  [ -f "$corpus/text/train/$f.txt" ] || { echo "build-text-prior.sh: $corpus/text/train/$f.txt missing" >&2; exit 1; }
  head -c 3145728 "$corpus/text/train/$f.txt" | split -b 10240 -d -a 3 - "$W/$f."
  for p in "$W/$f".*; do
    n=${p##*.}
    [ $((10#$n % 4)) -eq 0 ] && [ "$(stat -c %s "$p")" -eq 10240 ] && pieces+=("$p")
  done
done
[ "${#pieces[@]}" -eq 231 ] || { echo "build-text-prior.sh: expected 231 pieces, cut ${#pieces[@]}" >&2; exit 1; }
if [ "$profile" = 12 ]; then "$tool" text "$out" "$model" "${pieces[@]}"; else "$tool" text-none "$out" "${pieces[@]}"; fi
sha256sum "$out"
