#!/usr/bin/env bash
# Shipped models: every models/*.mbzm has a card (models/NAME.md) whose SHA-256
# row matches the file, the default model is among them, and every model whose
# card names a modality codes that modality's samples smaller than zstd -19
# (real coding and a verified round trip, not a timing; the two largest as
# clips); the default level's choice of model for bytes, audio and images.
# Usage: models_test.sh MBZ_BINARY SOURCE_DIR
set -u
MBZ=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# The two largest samples as short clips (the first second of the music, the
# top quarter of the photo): a shipped model codes at ~40 KB/s, and the whole
# files took most of this test's time for the same check. Without Python 3
# the whole files are used.
music=$SRC/samples/music-44k-stereo.wav
photo=$SRC/samples/photo-life-384.ppm
if command -v python3 >/dev/null && python3 - "$music" "$T/music-1s.wav" "$photo" "$T/photo-top.ppm" <<'PY'
import re, sys, wave
src, dst, ppm, top = sys.argv[1:5]
with wave.open(src) as w:
    params, frames = w.getparams(), w.readframes(w.getframerate())
with wave.open(dst, "wb") as o:
    o.setparams(params)
    o.writeframes(frames)
data = open(ppm, "rb").read()
header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)  # one whitespace byte ends it
width, rows = int(header[1]), int(header[2]) // 4
pixels = data[header.end():header.end() + width * 3 * rows]
open(top, "wb").write(b"P6\n%d %d\n%s\n" % (width, rows, header[3]) + pixels)
PY
then music=$T/music-1s.wav photo=$T/photo-top.ppm; fi
declare -A samples=(
  [text]="$SRC/samples/gpl-3.0.txt $SRC/samples/zstd_streaming_compression.c"
  [audio]="$SRC/samples/speech-en-8k.wav $music"
  [image]="$photo $SRC/samples/photo-umang-gray-320.pgm"
)

for m in "$SRC"/models/*.mbzm; do
  name=$(basename "$m" .mbzm)
  card="$SRC/models/$name.md"
  [ -f "$card" ] || { bad "$name: no model card"; continue; }
  want=$(grep -m1 -E '^\| SHA-256 \|' "$card" | grep -oE '[0-9a-f]{64}')
  got=$(sha256sum "$m" | cut -d' ' -f1)
  [ "$want" = "$got" ] && ok || bad "$name: card says SHA-256 '$want', file is $got"
  modality=$(grep -m1 -E '^\| modality \|' "$card" | awk -F'|' '{gsub(/ /, "", $3); print $3}')
  [ -n "$modality" ] || { bad "$name: card has no modality row"; continue; }
  [ -n "${samples[$modality]:-}" ] || continue  # placeholder models: no modality to beat zstd on
  for s in ${samples[$modality]}; do
    "$MBZ" -q -f -m "$m" -o "$T/s.mbz" "$s" && "$MBZ" -q -f -d -m "$m" -o "$T/s.out" "$T/s.mbz" ||
      { bad "$name: cannot code $(basename "$s")"; continue; }
    cmp -s "$s" "$T/s.out" && ok || bad "$name: round trip of $(basename "$s") differs"
    ours=$(wc -c < "$T/s.mbz")
    theirs=$(zstd -19 -c "$s" | wc -c)
    segs=$("$MBZ" -l "$T/s.mbz" | grep -oE '[0-9]+ model' | cut -d' ' -f1)
    if [ "$ours" -lt "$theirs" ] && [ "${segs:-0}" -gt 0 ]; then ok; else
      bad "$name: $(basename "$s"): $ours bytes (model segments: ${segs:-0}), zstd -19: $theirs"; fi
    echo "$name on $(basename "$s"): mbz $ours bytes, zstd -19 $theirs bytes"
  done
done

# The default level codes bytes with a shipped model, audio and images with
# the mixer alone (model none; levels.hpp), and -m gives them their model.
MBZ_MODEL_PATH="$SRC/models" "$MBZ" -q -f -o "$T/t.mbz" "$SRC/samples/gpl-3.0.txt"
default=$("$MBZ" -l "$T/t.mbz" | sed -n 's/^ *Model: *//p')
[ -f "$SRC/models/$default.mbzm" ] && ok || bad "default model '$default' is not in models/"
for pair in "audio speech-en-8k.wav" "image photo-umang-gray-320.pgm"; do
  set -- $pair
  MBZ_MODEL_PATH="$SRC/models" "$MBZ" -q -f -o "$T/d.mbz" "$SRC/samples/$2" &&
    "$MBZ" -l "$T/d.mbz" | grep -q "Model: *none\$" && ok || bad "$2 is not coded by the mixer alone by default"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
