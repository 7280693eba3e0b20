#!/usr/bin/env bash
# mbz next to the classical codecs on the public benchmark corpus
# (../shared/bench: build it with its build-public.sh), in one run: bits per
# byte per file and per modality (total compressed bits / total bytes,
# headers included), mbz compress/decompress KB/s, every round trip verified.
# General-purpose codecs run on every file; audio adds FLAC -8 and WavPack
# -hh, images add PNG (optipng -o5), WebP lossless and JPEG XL -d 0 (their
# round trips are checked on the decoded samples/pixels).
#
#   bash bench/public.sh [-m MODEL] [-T THREADS] [--modality text|image|audio|all] PUBLIC_DIR [OUT.md [OUT.csv]]
#
# PUBLIC_DIR is the public/ folder build-public.sh wrote; the modality of each
# file comes from ../shared/bench/MANIFEST.tsv (or $MBZ_BENCH_MANIFEST).
# Without -m each modality uses its default model, as `mbz` does.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="" THREADS=2 MODALITY=all
while [ $# -gt 0 ]; do
  case $1 in
    -m) MODEL=$2; shift 2 ;;
    -T) THREADS=$2; shift 2 ;;
    --modality) MODALITY=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: $0 [-m MODEL] [-T N] [--modality text|image|audio|all] PUBLIC_DIR [OUT.md [OUT.csv]]" >&2; exit 2; }
DIR=$1
OUT=${2:-/dev/stdout}
CSV=${3:-}
MANIFEST=${MBZ_BENCH_MANIFEST:-../shared/bench/MANIFEST.tsv}
[ -r "$MANIFEST" ] || { echo "$0: cannot read $MANIFEST" >&2; exit 1; }
bash scripts/build.sh >/dev/null
MBZ=$PWD/build/mbz
MODEL_ARGS=()
[ -n "$MODEL" ] && MODEL_ARGS=(-m "$MODEL")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

general=("gzip -9" "bzip2 -9" "xz -9e" "zstd -19 --long=27" "brotli -q 11 -w 24")
audio=("flac -8" "wavpack -hh")
image=("optipng -o5" "cwebp -lossless -z 9" "cjxl -d 0 -e 9")
codecs=("${general[@]}")
[ "$MODALITY" = all ] || [ "$MODALITY" = audio ] && codecs+=("${audio[@]}")
[ "$MODALITY" = all ] || [ "$MODALITY" = image ] && codecs+=("${image[@]}")
for c in "${codecs[@]}"; do
  command -v "${c%% *}" >/dev/null ||
    { echo "$0: ${c%% *} is missing (apt-get install brotli flac wavpack optipng webp libjxl-tools imagemagick)" >&2; exit 1; }
done
applies() {  # applies CODEC MODALITY
  case $1 in
    "flac -8"|"wavpack -hh") [ "$2" = audio ] ;;
    "optipng -o5"|"cwebp -lossless -z 9"|"cjxl -d 0 -e 9") [ "$2" = image ] ;;
    *) true ;;
  esac
}
now() { date +%s.%N; }

# The decoded image equals the original PNM's pixels (and header, as ImageMagick writes it)?
same_pixels() { local type=ppm; [ "$(head -c 2 "$2")" = P5 ] && type=pgm; convert "$1" -depth 8 "$type:-" | cmp -s - "$2"; }

# Writes codec $1's compressed form of $2 to $W/c, after checking its round trip.
encode() {
  local c=$1 f=$2
  case $c in
    "flac -8") flac -8 -s -f -o "$W/c" "$f" && flac -d -s -c "$W/c" | cmp -s - "$f" ;;
    "wavpack -hh") wavpack -hh -q -y "$f" -o "$W/c.wv" && wvunpack -q -y "$W/c.wv" -o - | cmp -s - "$f" && mv "$W/c.wv" "$W/c" ;;
    "optipng -o5") convert "$f" "$W/c.png" && optipng -o5 -quiet "$W/c.png" && mv "$W/c.png" "$W/c" && same_pixels "png:$W/c" "$f" ;;
    "cwebp -lossless -z 9") convert "$f" "$W/in.png" && cwebp -lossless -z 9 -quiet "$W/in.png" -o "$W/c" &&
        dwebp -quiet "$W/c" -o "$W/d.png" && same_pixels "$W/d.png" "$f" ;;
    "cjxl -d 0 -e 9") convert "$f" "$W/in.png" && cjxl -d 0 -e 9 --quiet "$W/in.png" "$W/c.jxl" >/dev/null 2>&1 &&
        mv "$W/c.jxl" "$W/c" && djxl "$W/c" "$W/d.png" --quiet >/dev/null 2>&1 && same_pixels "$W/d.png" "$f" ;;
    *) $c -c "$f" > "$W/c" && ${c%% *} -d -c < "$W/c" | cmp -s - "$f" ;;
  esac
}

# rows: file modality bytes mbz_bytes mbz_c_s mbz_d_s model codec_bytes... ("-" where a codec does not apply)
rows=()
while IFS=$'\t' read -r set file modality bytes _; do
  [ "$set" = public ] || continue
  [ "$MODALITY" = all ] || [ "$MODALITY" = "$modality" ] || continue
  f="$DIR/$file"
  [ -r "$f" ] || { echo "$0: missing $f" >&2; exit 1; }
  t0=$(now); "$MBZ" -q -f -T"$THREADS" "${MODEL_ARGS[@]}" -o "$W/x.mbz" "$f"; t1=$(now)
  "$MBZ" -q -f -T"$THREADS" -d "${MODEL_ARGS[@]}" -o "$W/x" "$W/x.mbz"; t2=$(now)
  cmp -s "$f" "$W/x" || { echo "ROUND TRIP FAILED: mbz $file" >&2; exit 1; }
  model=$("$MBZ" -l "$W/x.mbz" | awk -F': *' '/Model:/ {n=$2} /SHA-256/ {s=substr($2,1,12)} END {print n "@" s}')
  row="$file $modality $bytes $(wc -c < "$W/x.mbz") $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}') $(awk -v a="$t1" -v b="$t2" 'BEGIN{print b-a}') $model"
  for c in "${codecs[@]}"; do
    if applies "$c" "$modality"; then
      encode "$c" "$f" || { echo "ROUND TRIP FAILED: $c $file" >&2; exit 1; }
      row+=" $(wc -c < "$W/c")"
    else
      row+=" -"
    fi
  done
  rows+=("$row")
  echo "done: $file" >&2
done < "$MANIFEST"
[ ${#rows[@]} -gt 0 ] || { echo "$0: no $MODALITY files in $MANIFEST" >&2; exit 1; }

names=()
for c in "${codecs[@]}"; do n=${c/ -lossless/}; names+=("${n/ --long=27/ --long}"); done
{
  echo "# mbz on the public benchmark ($MODALITY)"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); mbz $("$MBZ" --version | cut -d' ' -f2) -T$THREADS."
  echo "Models (name@sha256 prefix): $(printf "%s\n" "${rows[@]}" | awk '{print $2 ": " $7}' | sort -u | paste -sd, - | sed 's/,/, /g')."
  echo "bpb = 8 × compressed bytes / original bytes, headers included; KB/s = original bytes / wall time. Every round trip verified"
  echo "(mbz, general codecs, FLAC, WavPack: bytes; PNG, WebP, JPEG XL: pixels). Best per row in bold."
  echo
  printf "| file | bytes | mbz | mbz c KB/s | mbz d KB/s |"
  for n in "${names[@]}"; do printf " %s |" "$n"; done
  echo
  printf "|---|---|---|---|---|"
  for c in "${codecs[@]}"; do printf -- "---|"; done
  echo
  printf "%s\n" "${rows[@]}" | awk -v n=${#codecs[@]} '
    function cell(v, best) { if (v == "") return " |"; return (v == best ? sprintf(" **%.3f** |", v) : sprintf(" %.3f |", v)) }
    function line(name, b, m, c, d, mod, vals,    i, best) {
      best = m; for (i = 0; i < n; i++) if (vals[i] != "" && vals[i] + 0 < best + 0) best = vals[i]
      printf "| %s | %d |%s %.1f | %.1f |", name, b, cell(m, best), c, d
      for (i = 0; i < n; i++) printf "%s", cell(vals[i], best)
      printf "\n"
    }
    { for (i = 0; i < n; i++) v[i] = ($(8+i) == "-" ? "" : sprintf("%.3f", 8*$(8+i)/$3))
      line($1, $3, sprintf("%.3f", 8*$4/$3), $3/$5/1000, $3/$6/1000, $2, v)
      if (!($2 in tb)) order[++nm] = $2
      tb[$2] += $3; tm[$2] += $4; tc[$2] += $5; td[$2] += $6
      for (i = 0; i < n; i++) { if ($(8+i) == "-") na[$2, i] = 1; else tx[$2, i] += $(8+i) }
    }
    END {
      for (k = 1; k <= nm; k++) { m = order[k]
        for (i = 0; i < n; i++) v[i] = (na[m, i] ? "" : sprintf("%.3f", 8*tx[m, i]/tb[m]))
        line("**" m " (all)**", tb[m], sprintf("%.3f", 8*tm[m]/tb[m]), tb[m]/tc[m]/1000, tb[m]/td[m]/1000, m, v)
      }
    }'
} > "$OUT"

if [ -n "$CSV" ]; then
  {
    printf "file,modality,bytes,mbz_model,mbz_bytes,mbz_compress_s,mbz_decompress_s"
    for n in "${names[@]}"; do printf ",%s" "$(echo "$n" | tr ' ' '_')"; done
    echo
    printf "%s\n" "${rows[@]}" | awk -v n=${#codecs[@]} '{
      printf "%s,%s,%d,%s,%d,%.3f,%.3f", $1, $2, $3, $7, $4, $5, $6
      for (i = 0; i < n; i++) printf ",%s", ($(8+i) == "-" ? "" : $(8+i))
      printf "\n" }'
  } > "$CSV"
fi
