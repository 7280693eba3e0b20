#!/usr/bin/env bash
# mbz next to the classical codecs on the public benchmark corpus
# (../shared/bench: build it with its build-public.sh), in one run: bits per
# byte per file and per modality (total compressed bits / total bytes,
# headers included), mbz compress/decompress KB/s, every round trip verified.
# General-purpose codecs run on every file; audio adds FLAC -8 and WavPack
# -hh, images add PNG (optipng -o5), WebP lossless and JPEG XL -d 0 (their
# round trips are checked on the decoded samples/pixels).
#
#   bash bench/public.sh [-m MODEL] [-T THREADS] [--modality text|image|audio|all] PUBLIC_DIR [OUT.md]
#
# PUBLIC_DIR is the public/ folder build-public.sh wrote; the modality of each
# file comes from ../shared/bench/MANIFEST.tsv (or $MBZ_BENCH_MANIFEST).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="" THREADS=2 MODALITY=text
while [ $# -gt 0 ]; do
  case $1 in
    -m) MODEL=$2; shift 2 ;;
    -T) THREADS=$2; shift 2 ;;
    --modality) MODALITY=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: $0 [-m MODEL] [-T N] [--modality text|image|audio|all] PUBLIC_DIR [OUT.md]" >&2; exit 2; }
DIR=$1
OUT=${2:-/dev/stdout}
MANIFEST=${MBZ_BENCH_MANIFEST:-../shared/bench/MANIFEST.tsv}
[ -r "$MANIFEST" ] || { echo "$0: cannot read $MANIFEST" >&2; exit 1; }
bash scripts/build.sh >/dev/null
MBZ=$PWD/build/mbz
MODEL_ARGS=()
[ -n "$MODEL" ] && MODEL_ARGS=(-m "$MODEL")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

codecs=("gzip -9" "bzip2 -9" "xz -9e" "zstd -19 --long=27")
command -v brotli >/dev/null && codecs+=("brotli -q 11 -w 24")
case $MODALITY in
  audio) codecs+=("flac -8" "wavpack -hh") ;;
  image) codecs+=("optipng -o5" "cwebp -lossless -z 9" "cjxl -d 0 -e 9") ;;
esac
for c in "${codecs[@]}"; do
  command -v "${c%% *}" >/dev/null || { echo "$0: ${c%% *} is missing (apt-get install flac wavpack optipng webp libjxl-tools imagemagick)" >&2; exit 1; }
done
now() { date +%s.%N; }

# The decoded image equals the original PNM's pixels (and header, as ImageMagick writes it)?
same_pixels() { local type=ppm; [ "$(head -c 2 "$2")" = P5 ] && type=pgm; convert "$1" -depth 8 "$type:-" | cmp -s - "$2"; }

# Writes codec $1's compressed form of $2 to $W/c, after checking its round trip.
encode() {
  local c=$1 f=$2
  case $c in
    "flac -8") flac -8 -s -f -o "$W/c" "$f" && flac -d -s -c "$W/c" | cmp -s - "$f" ;;
    "wavpack -hh") wavpack -hh -q -y "$f" -o "$W/c.wv" && mv "$W/c.wv" "$W/c" && wvunpack -q -y "$W/c" -o - | cmp -s - "$f" ;;
    "optipng -o5") convert "$f" "$W/c.png" && optipng -o5 -quiet "$W/c.png" && mv "$W/c.png" "$W/c" && same_pixels "png:$W/c" "$f" ;;
    "cwebp -lossless -z 9") convert "$f" "$W/in.png" && cwebp -lossless -z 9 -quiet "$W/in.png" -o "$W/c" &&
        dwebp -quiet "$W/c" -png -o "$W/d.png" && same_pixels "$W/d.png" "$f" ;;
    "cjxl -d 0 -e 9") convert "$f" "$W/in.png" && cjxl -d 0 -e 9 --quiet "$W/in.png" "$W/c.jxl" >/dev/null 2>&1 &&
        mv "$W/c.jxl" "$W/c" && djxl "$W/c" "$W/d.png" --quiet >/dev/null 2>&1 && same_pixels "$W/d.png" "$f" ;;
    *) $c -c "$f" > "$W/c" && ${c%% *} -d -c < "$W/c" | cmp -s - "$f" ;;
  esac
}

# rows: file modality bytes mbz_bytes mbz_c_s mbz_d_s codec_bytes...
rows=()
while IFS=$'\t' read -r set file modality bytes _; do
  [ "$set" = public ] || continue
  [ "$MODALITY" = all ] || [ "$MODALITY" = "$modality" ] || continue
  f="$DIR/$file"
  [ -r "$f" ] || { echo "$0: missing $f" >&2; exit 1; }
  t0=$(now); "$MBZ" -q -f -T"$THREADS" "${MODEL_ARGS[@]}" -o "$W/x.mbz" "$f"; t1=$(now)
  "$MBZ" -q -f -T"$THREADS" -d "${MODEL_ARGS[@]}" -o "$W/x" "$W/x.mbz"; t2=$(now)
  cmp -s "$f" "$W/x" || { echo "ROUND TRIP FAILED: mbz $file" >&2; exit 1; }
  # The model that coded it (audio and images have their own default models).
  [ -n "${model_desc:-}" ] || model_desc=$("$MBZ" -l "$W/x.mbz" | awk -F': *' '/Model:/ {n=$2} /SHA-256/ {s=substr($2,1,12)} END {print n " (sha256 " s "...)"}')
  row="$file $modality $bytes $(wc -c < "$W/x.mbz") $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}') $(awk -v a="$t1" -v b="$t2" 'BEGIN{print b-a}')"
  for c in "${codecs[@]}"; do
    encode "$c" "$f" || { echo "ROUND TRIP FAILED: $c $file" >&2; exit 1; }
    row+=" $(wc -c < "$W/c")"
  done
  rows+=("$row")
  echo "done: $file" >&2
done < "$MANIFEST"
[ ${#rows[@]} -gt 0 ] || { echo "$0: no $MODALITY files in $MANIFEST" >&2; exit 1; }

{
  echo "# mbz on the public benchmark ($MODALITY)"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); mbz -T$THREADS, model: $model_desc."
  echo "bpb = 8 × compressed bytes / original bytes; KB/s = original bytes / wall time. Every round trip verified."
  echo
  printf "| file | bytes | mbz | mbz c KB/s | mbz d KB/s |"
  for c in "${codecs[@]}"; do printf " %s |" "${c/ -lossless/}"; done
  echo
  printf "|---|---|---|---|---|"
  for c in "${codecs[@]}"; do printf -- "---|"; done
  echo
  printf "%s\n" "${rows[@]}" | awk -v n=${#codecs[@]} '
    { printf "| %s | %d | %.3f | %.1f | %.1f |", $1, $3, 8*$4/$3, $3/$5/1000, $3/$6/1000
      for (i = 0; i < n; i++) printf " %.3f |", 8*$(7+i)/$3
      printf "\n"
      tb[$2] += $3; tm[$2] += $4; tc[$2] += $5; td[$2] += $6
      for (i = 0; i < n; i++) tx[$2, i] += $(7+i)
    }
    END {
      for (m in tb) {
        printf "| **%s (all)** | %d | **%.3f** | %.1f | %.1f |", m, tb[m], 8*tm[m]/tb[m], tb[m]/tc[m]/1000, tb[m]/td[m]/1000
        for (i = 0; i < n; i++) printf " %.3f |", 8*tx[m, i]/tb[m]
        printf "\n"
      }
    }'
} > "$OUT"
