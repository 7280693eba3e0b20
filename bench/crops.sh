#!/usr/bin/env bash
# Small images: mbz's image profiles against the size of the image, on
# square crops of one's own photographs (scripts/build-media-corpus.sh, never
# the public files): what a profile's set-up costs a small file, and from
# what size its arithmetic pays. Each crop coded alone, one thread, every
# round trip checked; wall seconds of the compression from /usr/bin/time.
#
#   [MBZ=BINARY] [PROFILES="6 9"] [SIZES="32 64 ..."] bash bench/crops.sh DIR... [OUT.csv]
#
# DIR: directories of photographs (*.ppm, *.pgm) of at least 800 px a side;
# two crops of each size from each, at (100, 150) and (400, 450). Writes one
# row per crop and profile (crop, side, kind, bytes, profile, coded bytes,
# compress seconds) and prints a summary per side and kind: the profiles'
# coded bytes summed, their ratio, and compression KB/s.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=()
OUT=/dev/null
for a in "$@"; do if [ -d "$a" ]; then dirs+=("$a"); else OUT=$a; fi; done
[ ${#dirs[@]} -ge 1 ] || { echo "usage: $0 DIR... [OUT.csv]" >&2; exit 2; }
MBZ=${MBZ:-$PWD/build/mbz}
PROFILES=${PROFILES:-6 9}
SIZES=${SIZES:-32 64 96 128 192 256 384}
[ -x "$MBZ" ] || bash scripts/build.sh >/dev/null
command -v convert >/dev/null || { echo "$0: needs ImageMagick's convert (apt-get install imagemagick)" >&2; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "crop,side,kind,bytes,profile,coded,compress_s" > "$W/rows.csv"
for d in "${dirs[@]}"; do
  for f in "$d"/*.ppm "$d"/*.pgm; do
    [ -f "$f" ] || continue
    ext=${f##*.}
    for s in $SIZES; do
      for o in 100 400; do
        crop="$(basename "${f%.*}")_${s}_${o}.$ext"
        convert "$f" -crop "${s}x${s}+${o}+$((o + 50))" +repage -depth 8 "$W/$crop"
        [ "$(identify -format %w "$W/$crop")" = "$s" ] || { rm -f "$W/$crop"; continue; }  # the photograph is too small
        for p in $PROFILES; do
          /usr/bin/time -f %e -o "$W/t" "$MBZ" -c -q -T 1 --image-profile "$p" "$W/$crop" > "$W/c.mbz"
          "$MBZ" -d -c -q "$W/c.mbz" | cmp -s - "$W/$crop" || { echo "$0: round trip failed: $crop profile $p" >&2; exit 1; }
          echo "$crop,$s,$ext,$(stat -c %s "$W/$crop"),$p,$(stat -c %s "$W/c.mbz"),$(cat "$W/t")" >> "$W/rows.csv"
        done
        rm -f "$W/$crop"
      done
    done
  done
done
cp "$W/rows.csv" "$OUT"
header() {
  local n=0
  printf '| side | kind | crops | bytes |'; for p in $PROFILES; do printf ' profile %s |' "$p"; n=$((n + 1)); done
  set -- $PROFILES; local first=$1; shift; for p in "$@"; do printf ' %s / %s |' "$p" "$first"; done
  for p in $PROFILES; do printf ' p%s c KB/s |' "$p"; done
  printf '\n|---|---|---|---|'; for ((i = 1; i < 3 * n; ++i)); do printf -- '---|'; done; printf '\n'
}
header
awk -F, -v profiles="$PROFILES" 'BEGIN { np = split(profiles, p, " "); first = p[1] }
  NR > 1 {
    k = $2 " " $3; if (!(k in seen)) { seen[k] = 1; keys[++n] = k }
    coded[k, $5] += $6; secs[k, $5] += $7; if ($5 == first) { raw[k] += $4; count[k]++ }
  }
  END {
    for (j = 1; j <= n; ++j) {
      k = keys[j]; split(k, kk, " ")
      printf "| %s | %s | %d | %d |", kk[1], kk[2], count[k], raw[k]
      for (i = 1; i <= np; ++i) printf " %d |", coded[k, p[i]]
      for (i = 2; i <= np; ++i) printf " %+.2f%% |", (coded[k, p[i]] / coded[k, p[1]] - 1) * 100
      for (i = 1; i <= np; ++i) printf " %.0f |", raw[k] / secs[k, p[i]] / 1000
      printf "\n"
    }
  }' "$W/rows.csv" | sort -t'|' -k3,3 -k2,2n
