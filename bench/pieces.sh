#!/usr/bin/env bash
# Small texts: mbz's coded size on pieces of the text corpus's held-out
# split, each piece coded alone, under several sets of options side by side
# (a profile against another, a level against another). The pieces are
# bench/priming.sh's: 10,240-byte pieces from the end of each file (40 of
# prose, 40 of code, 8 of structured text) and 102,400-byte pieces from the
# start of prose and code (4 each). One thread; every round trip checked.
#
#   [MBZ=BINARY] bash bench/pieces.sh CORPUS "OPTIONS A" "OPTIONS B" ...
#
# e.g. bash bench/pieces.sh CORPUS "--byte-profile 10" "" "-m none -3 --byte-profile 10" "-m none -3"
# Prints one row per set of pieces, the coded bytes under each set of
# options and each one's change against the first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 CORPUS \"OPTIONS A\" [\"OPTIONS B\" ...]" >&2; exit 2; }
CORPUS=$1; shift
MBZ=${MBZ:-$PWD/build/mbz}
[ -x "$MBZ" ] || bash scripts/build.sh >/dev/null
for f in prose code structured; do
  [ -f "$CORPUS/text/heldout/$f.txt" ] || { echo "$0: $CORPUS/text/heldout/$f.txt missing (scripts/build-text-corpus.sh)" >&2; exit 2; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/small/prose" "$W/small/code" "$W/small/structured" "$W/large/prose" "$W/large/code"
tail -c 409600 "$CORPUS/text/heldout/prose.txt" | split -b 10240 -d -a 3 - "$W/small/prose/p."
tail -c 409600 "$CORPUS/text/heldout/code.txt" | split -b 10240 -d -a 3 - "$W/small/code/p."
tail -c 81920 "$CORPUS/text/heldout/structured.txt" | split -b 10240 -d -a 3 - "$W/small/structured/p."
head -c 409600 "$CORPUS/text/heldout/prose.txt" | split -b 102400 -d -a 2 - "$W/large/prose/p."
head -c 409600 "$CORPUS/text/heldout/code.txt" | split -b 102400 -d -a 2 - "$W/large/code/p."
# The coded bytes of every piece of a set under one set of options (word-split).
coded() {
  local dir=$1 opts=$2 total=0 n
  for p in "$dir"/p.*; do
    # shellcheck disable=SC2086
    "$MBZ" -c -q -T 1 $opts "$p" > "$W/c.mbz"
    "$MBZ" -d -c -q "$W/c.mbz" | cmp -s - "$p" || { echo "$0: round trip failed: $p with '$opts'" >&2; exit 1; }
    n=$(wc -c < "$W/c.mbz")
    total=$((total + n))
  done
  echo "$total"
}
header="| pieces | count | bytes |"
rule="|---|---|---|"
for o in "$@"; do header+=" ${o:-(defaults)} |"; rule+="---|"; done
echo "$header"
echo "$rule"
for set in small/prose small/code small/structured large/prose large/code; do
  count=$(ls "$W/$set" | wc -l)
  bytes=$(cat "$W/$set"/p.* | wc -c)
  row="| $set | $count | $bytes |"
  first=""
  for o in "$@"; do
    c=$(coded "$W/$set" "$o")
    if [ -z "$first" ]; then first=$c; row+=" $c |"; else row+=" $c ($(awk -v a="$c" -v b="$first" 'BEGIN { printf "%+.2f%%", 100 * (a / b - 1) }')) |"; fi
  done
  echo "$row"
done
