#!/usr/bin/env bash
# Builds mbz, then compresses and decompresses a shipped sample with the
# default model and prints the ratio (the README's first command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
SAMPLE=samples/gpl-3.0.txt
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
./build/mbz -f -o "$OUT/sample.mbz" "$SAMPLE"
./build/mbz -d -f -o "$OUT/sample.out" "$OUT/sample.mbz"
cmp "$SAMPLE" "$OUT/sample.out"
./build/mbz -l "$OUT/sample.mbz"
in=$(wc -c < "$SAMPLE"); out=$(wc -c < "$OUT/sample.mbz")
zs=$(zstd -19 -c "$SAMPLE" | wc -c)
awk -v i="$in" -v o="$out" -v z="$zs" -v f="$SAMPLE" 'BEGIN {
  printf "%s: %d -> %d bytes, ratio %.3f (%.3f bits/byte); zstd -19: %d bytes. Round trip OK.\n", f, i, o, i / o, 8 * o / i, z }'
