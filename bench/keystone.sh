#!/usr/bin/env bash
# Keystone figures: coder overhead vs ideal, compress/decompress throughput at
# -T1 and -T2, and zstd -19 / xz -9e on the same file in the same run.
#
#   bash bench/keystone.sh [FILE]      (default: vim-runtime's version9.txt, ~1.2 MB of real text)
#
# Models: the shipped default, and a seeded random model of the shape a real
# default text model will have ("small": P=8, Dg=256x4, Dl=128x2; generated,
# not shipped) to show the speed of that size. Random models cannot compress,
# so model coding is forced (--force-model) to time the model path.
set -euo pipefail
cd "$(dirname "$0")/.."
FILE=${1:-/usr/share/vim/vim90/doc/version9.txt}
[ -f "$FILE" ] || { echo "missing $FILE (apt-get install vim-runtime, or pass a file)" >&2; exit 1; }
bash scripts/build.sh >/dev/null
MBZ=$PWD/build/mbz
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
./build/make_random_model small-random 7 "$W/small.mbzm" small
BYTES=$(wc -c < "$FILE")
echo "file: $FILE ($BYTES bytes); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

now() { date +%s.%N; }
kbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.1f", b / s / 1000 }'; }

for ref in "zstd -19" "xz -9e"; do
  t0=$(now); $ref -c "$FILE" > "$W/ref"; t1=$(now)
  $ref -d -c < "$W/ref" > /dev/null; t2=$(now)
  size=$(wc -c < "$W/ref")
  printf "%-34s %9d bytes  %.3f bpb  compress %8s KB/s  decompress %9s KB/s\n" "$ref" "$size" \
    "$(awk -v a="$size" -v b="$BYTES" 'BEGIN { print 8 * a / b }')" "$(kbps "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")" \
    "$(kbps "$(awk -v a="$t1" -v b="$t2" 'BEGIN{print b-a}')")"
done

run() {  # run LABEL MODEL THREADS EXTRA...
  local label=$1 model=$2 t=$3; shift 3
  t0=$(now); "$MBZ" -q -f -T"$t" -m "$model" "$@" -o "$W/out.mbz" "$FILE" 2>/dev/null; t1=$(now)
  "$MBZ" -q -f -T"$t" -d -m "$model" -o "$W/back" "$W/out.mbz"; t2=$(now)
  cmp -s "$FILE" "$W/back" || { echo "ROUND TRIP FAILED: $label" >&2; exit 1; }
  size=$(wc -c < "$W/out.mbz")
  printf "%-34s %9d bytes  %.3f bpb  compress %8s KB/s  decompress %9s KB/s\n" "$label -T$t" "$size" \
    "$(awk -v a="$size" -v b="$BYTES" 'BEGIN { print 8 * a / b }')" "$(kbps "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")" \
    "$(kbps "$(awk -v a="$t1" -v b="$t2" 'BEGIN{print b-a}')")"
}
for t in 1 2; do
  run "mbz default (tiny-random-v1)" models/tiny-random-v1.mbzm $t
  run "mbz tiny-random-v1 --force-model" models/tiny-random-v1.mbzm $t --force-model
  run "mbz small-random --force-model" "$W/small.mbzm" $t --force-model
done
echo "coder overhead (model-coded segments, ideal vs actual):"
"$MBZ" -v -f -m models/tiny-random-v1.mbzm --force-model -o "$W/o.mbz" "$FILE" 2>&1 | grep "model-coded"
"$MBZ" -v -f -m "$W/small.mbzm" --force-model -o "$W/o.mbz" "$FILE" 2>&1 | grep "model-coded"
