#!/usr/bin/env bash
# mbz's levels -1 … -9 next to the classical codecs on the public benchmark
# corpus, in one run: per modality, total bits per byte and compress /
# decompress KB/s of every level and every codec, then the chart (bpb
# against decompression KB/s, log scale) drawn by bench/levels-chart.sh.
#
#   bash bench/levels.sh [-T THREADS] [--levels "1 2 …"] PUBLIC_DIR OUT.csv [OUT.svg]
#
# Per modality: text = the public text files concatenated (one input, as
# bench/speed.sh), audio and images = each file on its own, summed (bytes and
# seconds). KB/s = original bytes / wall seconds, one run each (this shared
# machine is noisy; absolute figures are for comparison within the run).
# mbz runs with -T THREADS (default 2); zstd and xz with -T1 (their default
# level settings), the rest are single-threaded anyway. Every mbz round trip
# is verified byte for byte; general codecs' and WavPack's too; FLAC, WebP and
# JPEG XL by decoding (their samples/pixels are checked in bench/public.sh).
# zpaq -m4/-m5 code each file as its own archive (its overhead included).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=2 LEVELS="1 2 3 4 5 6 7 8 9"
while [ $# -gt 0 ]; do
  case $1 in
    -T) THREADS=$2; shift 2 ;;
    --levels) LEVELS=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { echo "usage: $0 [-T N] [--levels \"1 …\"] PUBLIC_DIR OUT.csv [OUT.svg]" >&2; exit 2; }
DIR=$1 CSV=$2 SVG=${3:-}
MANIFEST=${MBZ_BENCH_MANIFEST:-../shared/bench/MANIFEST.tsv}
[ -r "$MANIFEST" ] || { echo "$0: cannot read $MANIFEST" >&2; exit 1; }
for tool in gzip bzip2 xz zstd brotli zpaq flac wavpack wvunpack cwebp dwebp cjxl djxl /usr/bin/time; do
  command -v "$tool" >/dev/null ||
    { echo "$0: $tool is missing (apt-get install brotli zpaq flac wavpack webp libjxl-tools time)" >&2; exit 1; }
done
bash scripts/build.sh >/dev/null
MBZ=$PWD/build/mbz
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

text=() audio=() image=()
while IFS=$'\t' read -r set file modality _; do
  [ "$set" = public ] || continue
  [ -r "$DIR/$file" ] || { echo "$0: missing $DIR/$file" >&2; exit 1; }
  case $modality in
    text) text+=("$DIR/$file") ;;
    audio) audio+=("$DIR/$file") ;;
    image) image+=("$DIR/$file") ;;
  esac
done < "$MANIFEST"
cat "${text[@]}" > "$W/public-text.txt"

# run_codec NAME FILE COMPRESS DECOMPRESS CHECK: COMPRESS reads $in and writes
# $W/c; DECOMPRESS reads $W/c and writes $W/d; CHECK is "cmp" or "decodes".
# Sets packed, c_s and d_s (bytes and wall seconds).
run_codec() {
  local name=$1 f=$2 comp=$3 decomp=$4 check=$5
  rm -rf "$W"/c* "$W"/d* "$W"/x "$W"/in.dat
  export in=$f
  /usr/bin/time -f "%e" -o "$W/tc" bash -c "$comp" || { echo "COMPRESS FAILED: $name on $f" >&2; exit 1; }
  /usr/bin/time -f "%e" -o "$W/td" bash -c "$decomp" || { echo "DECOMPRESS FAILED: $name on $f" >&2; exit 1; }
  if [ "$check" = cmp ]; then
    cmp -s "$f" "$W/d" || { echo "ROUND TRIP FAILED: $name on $f" >&2; exit 1; }
  else
    [ -s "$W/d" ] || { echo "DECODE FAILED: $name on $f" >&2; exit 1; }
  fi
  packed=$(stat -c %s "$W/c") c_s=$(cat "$W/tc") d_s=$(cat "$W/td")
}
export W MBZ THREADS

# codecs: name | modalities | compress | decompress | check
codecs=(
  "gzip -9|text audio image|gzip -9 -c \$in > \$W/c|gzip -d -c \$W/c > \$W/d|cmp"
  "bzip2 -9|text audio image|bzip2 -9 -c \$in > \$W/c|bzip2 -d -c \$W/c > \$W/d|cmp"
  "xz -9e|text audio image|xz -9e -T1 -c \$in > \$W/c|xz -d -c \$W/c > \$W/d|cmp"
  "zstd -19|text audio image|zstd -q -19 --long=27 -T1 -c \$in > \$W/c|zstd -q -d --long=27 -c \$W/c > \$W/d|cmp"
  "brotli -q 11|text audio image|brotli -q 11 -w 24 -c \$in > \$W/c|brotli -d -c \$W/c > \$W/d|cmp"
  "zpaq -m4|text audio image|cd \$W && cp \$in \$W/in.dat && zpaq a \$W/c.zpaq in.dat -method 4 >/dev/null 2>&1 && mv \$W/c.zpaq \$W/c|cd \$W && mkdir -p x && cp \$W/c x/a.zpaq && cd x && zpaq x a.zpaq -force >/dev/null 2>&1 && mv in.dat \$W/d|cmp"
  "zpaq -m5|text audio image|cd \$W && cp \$in \$W/in.dat && zpaq a \$W/c.zpaq in.dat -method 5 >/dev/null 2>&1 && mv \$W/c.zpaq \$W/c|cd \$W && mkdir -p x && cp \$W/c x/a.zpaq && cd x && zpaq x a.zpaq -force >/dev/null 2>&1 && mv in.dat \$W/d|cmp"
  "FLAC -8|audio|flac -s -8 -f -o \$W/c.flac \$in && mv \$W/c.flac \$W/c|cp \$W/c \$W/c.flac && flac -s -d -f -o \$W/d \$W/c.flac|decodes"
  "WavPack -hh|audio|wavpack -q -hh -y -o \$W/c.wv \$in && mv \$W/c.wv \$W/c|cp \$W/c \$W/c.wv && wvunpack -q -y -o \$W/d.wav \$W/c.wv && mv \$W/d.wav \$W/d|cmp"
  "WebP lossless|image|cwebp -quiet -lossless -z 9 -o \$W/c \$in|dwebp -quiet -ppm -o \$W/d \$W/c|decodes"
  "JPEG XL -e 9|image|cjxl --quiet -d 0 -e 9 \$in \$W/c.jxl && mv \$W/c.jxl \$W/c|cp \$W/c \$W/c.jxl && djxl --quiet \$W/c.jxl \$W/d.ppm && mv \$W/d.ppm \$W/d|decodes"
)
for l in $LEVELS; do
  codecs+=("mbz -$l|text audio image|\$MBZ -q -$l -T\$THREADS -c \$in > \$W/c|\$MBZ -q -d -T\$THREADS -c \$W/c > \$W/d|cmp")
done

echo "codec,modality,files,bytes,compressed,c_seconds,d_seconds" > "$CSV"
for entry in "${codecs[@]}"; do
  IFS='|' read -r name mods comp decomp check <<< "$entry"
  for m in text audio image; do
    [[ " $mods " == *" $m "* ]] || continue
    files=()
    case $m in text) [ ${#text[@]} -eq 0 ] || files=("$W/public-text.txt") ;; audio) files=("${audio[@]}") ;; image) files=("${image[@]}") ;; esac
    [ ${#files[@]} -gt 0 ] || continue  # a manifest without this modality: no row
    bytes=0 total=0 cs=0 ds=0
    for f in "${files[@]}"; do
      run_codec "$name" "$f" "$comp" "$decomp" "$check"
      bytes=$((bytes + $(stat -c %s "$f"))) total=$((total + packed))
      cs=$(awk -v a="$cs" -v b="$c_s" 'BEGIN{print a+b}') ds=$(awk -v a="$ds" -v b="$d_s" 'BEGIN{print a+b}')
    done
    echo "$name,$m,${#files[@]},$bytes,$total,$cs,$ds" >> "$CSV"
    echo "done: $name $m" >&2
  done
done
[ -z "$SVG" ] || bash bench/levels-chart.sh "$CSV" "$SVG"
