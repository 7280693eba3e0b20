#!/usr/bin/env bash
# Priming: what a text coded before a small input would save it, if coder
# and decoder both knew that text (a built-in dictionary, as zstd's, but
# for every table of the mixer and the model's context alike). Measured
# with the released coder, no lab code: the coded size of PRIMER + PIECE
# minus the coded size of PRIMER alone, against PIECE coded alone.
#
#   [MBZ=BINARY] [PRIMER=FILE] bash bench/priming.sh CORPUS [PRIMER_KB] [-- MBZ_OPTION...]
#
# CORPUS: scripts/build-text-corpus.sh's output. Pieces from its held-out
# split: 10,240-byte pieces from the end of each file (40 of prose, 40 of
# code, 8 of structured text) and 102,400-byte pieces from the start of
# prose and code (4 each). The primer (PRIMER_KB, default 24): the last
# PRIMER_KB/3 KB of each training file, concatenated; PRIMER=FILE uses
# that file instead (PRIMER_KB is then ignored). MBZ_OPTIONs go to
# every compression (e.g. `-- -m none -3`). One thread; prints a table;
# every coded file is decompressed and compared.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 CORPUS [PRIMER_KB] [-- MBZ_OPTION...]" >&2; exit 2; }
CORPUS=$1; shift
KB=24
if [ $# -gt 0 ] && [ "$1" != "--" ]; then KB=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
MBZ=${MBZ:-$PWD/build/mbz}
[ -x "$MBZ" ] || bash scripts/build.sh >/dev/null
for f in prose code structured; do
  [ -f "$CORPUS/text/train/$f.txt" ] && [ -f "$CORPUS/text/heldout/$f.txt" ] ||
    { echo "$0: $CORPUS/text/{train,heldout}/$f.txt missing (scripts/build-text-corpus.sh)" >&2; exit 2; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir "$W/small" "$W/large"
third=$((KB * 1024 / 3))
if [ -n "${PRIMER:-}" ]; then
  cp "$PRIMER" "$W/primer"
else
  for f in prose code structured; do tail -c "$third" "$CORPUS/text/train/$f.txt"; done > "$W/primer"
fi
tail -c 409600 "$CORPUS/text/heldout/prose.txt" | split -b 10240 -d -a 3 - "$W/small/prose."
tail -c 409600 "$CORPUS/text/heldout/code.txt" | split -b 10240 -d -a 3 - "$W/small/code."
tail -c 81920 "$CORPUS/text/heldout/structured.txt" | split -b 10240 -d -a 3 - "$W/small/structured."
head -c 409600 "$CORPUS/text/heldout/prose.txt" | split -b 102400 -d -a 2 - "$W/large/prose."
head -c 409600 "$CORPUS/text/heldout/code.txt" | split -b 102400 -d -a 2 - "$W/large/code."
# The coded size of standard input; each round trip checked (a failure is
# marked in $W/failed: a command substitution cannot stop the script).
coded() {
  cat > "$W/in"
  "$MBZ" -c -q -T 1 "$@" < "$W/in" > "$W/in.mbz"
  "$MBZ" -d -c -q "$W/in.mbz" | cmp -s - "$W/in" || echo "round trip failed: $(wc -c < "$W/in") bytes, options: $*" >> "$W/failed"
  wc -c < "$W/in.mbz"
}
failed() { [ ! -s "$W/failed" ] || { cat "$W/failed" >&2; exit 1; }; }
alone=$(coded "$@" < "$W/primer")
failed
echo "primer: $(stat -c %s "$W/primer") bytes (coded alone: $alone); options: ${*:-the defaults}"
echo
echo "| pieces | count | bytes | alone | primed | change |"
echo "|---|---|---|---|---|---|"
for set in small/prose small/code small/structured large/prose large/code; do
  raw=0 plain=0 primed=0 n=0
  for p in "$W/$set".*; do
    raw=$((raw + $(stat -c %s "$p")))
    plain=$((plain + $(coded "$@" < "$p")))
    primed=$((primed + $(cat "$W/primer" "$p" | coded "$@") - alone))
    n=$((n + 1))
  done
  awk -v s="$set" -v n=$n -v r=$raw -v a=$plain -v p=$primed \
    'BEGIN { printf "| %s | %d | %d | %d | %d | %+.2f%% |\n", s, n, r, a, p, (p / a - 1) * 100 }'
  failed
done
echo
echo "Every round trip checked."

