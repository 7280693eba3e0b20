#!/usr/bin/env bash
# mbz's mixer profiles next to FLAC and WavPack (audio) or JPEG XL (images)
# on a split of one's own media corpus (scripts/build-media-corpus.sh), in
# one run: each file coded alone, one thread, the compressed bytes summed,
# every mbz round trip checked. For tuning and checking a profile on files
# that are not the public test set.
#
#   [MBZ=BINARY] bash bench/media-split.sh audio|image DIR_OR_LIST [OUT.csv]
#
# DIR_OR_LIST: a directory (every file in it) or a file listing paths, one
# a line. Columns: file, bytes, then the compressed bytes of each coder;
# the last row sums them. Audio: mbz --audio-profile 4 and 8, flac -8,
# wavpack -hh; images: mbz --image-profile 6 and 9, cjxl -d 0 -e 9.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 audio|image DIR_OR_LIST [OUT.csv]" >&2; exit 2; }
KIND=$1 SRC=$2 OUT=${3:-/dev/stdout}
MBZ=${MBZ:-$PWD/build/mbz}  # MBZ=BINARY to measure another build
[ -x "$MBZ" ] || bash scripts/build.sh >/dev/null
if [ -d "$SRC" ]; then files=("$SRC"/*); else mapfile -t files < "$SRC"; fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mbz_size() {  # FILE OPTION...: compressed bytes, after a checked round trip
  local f=$1; shift
  "$MBZ" -c -q -T 1 "$@" "$f" > "$W/c.mbz"
  "$MBZ" -d -c -q "$W/c.mbz" | cmp -s - "$f" || { echo "$0: round trip failed: $f $*" >&2; exit 1; }
  stat -c %s "$W/c.mbz"
}
case $KIND in
  audio)
    header="mbz_p4,mbz_p8,flac_8,wavpack_hh"
    row() {
      local f=$1
      flac -8 -s -f -o "$W/c.flac" "$f" 2>/dev/null
      wavpack -hh -q -y -o "$W/c.wv" "$f" >/dev/null 2>&1
      echo "$(mbz_size "$f" --audio-profile 4),$(mbz_size "$f" --audio-profile 8),$(stat -c %s "$W/c.flac"),$(stat -c %s "$W/c.wv")"
    } ;;
  image)
    header="mbz_p6,mbz_p9,cjxl_e9"
    row() {
      local f=$1
      cjxl -d 0 -e 9 --quiet "$f" "$W/c.jxl" >/dev/null 2>&1
      echo "$(mbz_size "$f" --image-profile 6),$(mbz_size "$f" --image-profile 9),$(stat -c %s "$W/c.jxl")"
    } ;;
  *) echo "$0: audio or image, not $KIND" >&2; exit 2 ;;
esac
{
  echo "file,bytes,$header"
  for f in "${files[@]}"; do echo "$(basename "$f"),$(stat -c %s "$f"),$(row "$f")"; done |
    tee "$W/rows"
  awk -F, '{ for (i = 2; i <= NF; ++i) s[i] += $i; n = NF } END { printf "all"; for (i = 2; i <= n; ++i) printf ",%d", s[i]; print "" }' "$W/rows"
} > "$OUT"
