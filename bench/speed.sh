#!/usr/bin/env bash
# The speed targets in one run: mbz compress/decompress KB/s and peak memory
# on the public corpus (the text files concatenated, each audio and image
# file), `mbz eval` with and without the mixer on the text, start-up, next to
# zstd -19 and xz -9e timed in the same run; every mbz round trip verified,
# and mbz's output compared with a reference build's when one is given.
#
#   bash bench/speed.sh [-T THREADS] [--ref OLD_MBZ] [--modality text|audio|image|all] PUBLIC_DIR [OUT.md [OUT.csv]]
#
# KB/s = original bytes / wall seconds (one run each; this shared machine is
# noisy: rerun, or time single commands over several runs, before quoting a
# small difference). Peak memory: the largest resident set (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=2 REF="" MODALITY=all
while [ $# -gt 0 ]; do
  case $1 in
    -T) THREADS=$2; shift 2 ;;
    --ref) REF=$2; shift 2 ;;
    --modality) MODALITY=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: $0 [-T N] [--ref OLD_MBZ] [--modality M] PUBLIC_DIR [OUT.md [OUT.csv]]" >&2; exit 2; }
DIR=$1 OUT=${2:-/dev/stdout} CSV=${3:-}
MANIFEST=${MBZ_BENCH_MANIFEST:-../shared/bench/MANIFEST.tsv}
[ -r "$MANIFEST" ] || { echo "$0: cannot read $MANIFEST" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "$0: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
bash scripts/build.sh >/dev/null
MBZ=$PWD/build/mbz
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# timed LOG CMD...: runs CMD, appends "seconds peak_kb" to LOG.
timed() { local log=$1; shift; /usr/bin/time -f "%e %M" -a -o "$log" "$@"; }
last() { tail -n 1 "$1"; }

# The cases: name, modality, file.
cases=()
text=()
while IFS=$'\t' read -r set file modality _; do
  [ "$set" = public ] || continue
  [ "$MODALITY" = all ] || [ "$MODALITY" = "$modality" ] || continue
  [ -r "$DIR/$file" ] || { echo "$0: missing $DIR/$file" >&2; exit 1; }
  if [ "$modality" = text ]; then text+=("$DIR/$file"); else cases+=("$file $modality $DIR/$file"); fi
done < "$MANIFEST"
if [ ${#text[@]} -gt 0 ]; then
  cat "${text[@]}" > "$W/public-text.txt"
  cases=("public-text(${#text[@]}-files) text $W/public-text.txt" "${cases[@]}")
fi

rows=()
for c in "${cases[@]}"; do
  read -r name modality f <<< "$c"
  bytes=$(wc -c < "$f")
  timed "$W/t" "$MBZ" -q -f -T"$THREADS" -o "$W/x.mbz" "$f"; read -r cs cm < <(last "$W/t")
  timed "$W/t" "$MBZ" -q -f -T"$THREADS" -d -o "$W/x" "$W/x.mbz"; read -r ds dm < <(last "$W/t")
  cmp -s "$f" "$W/x" || { echo "ROUND TRIP FAILED: mbz $name" >&2; exit 1; }
  same="-"
  if [ -n "$REF" ]; then
    "$REF" -q -f -T"$THREADS" -o "$W/r.mbz" "$f"
    same=$(cmp -s "$W/x.mbz" "$W/r.mbz" && echo yes || echo NO)
  fi
  timed "$W/t" zstd -q -19 -f -o "$W/z" "$f"; read -r zc _ < <(last "$W/t")
  timed "$W/t" zstd -q -d -f -o "$W/zd" "$W/z"; read -r zd _ < <(last "$W/t")
  timed "$W/t" xz -9e -k -c "$f" > "$W/xz"; read -r xc _ < <(last "$W/t")
  timed "$W/t" xz -d -c "$W/xz" > "$W/xd"; read -r xd _ < <(last "$W/t")
  rows+=("$name $modality $bytes $(wc -c < "$W/x.mbz") $cs $ds $cm $dm $same $(wc -c < "$W/z") $zc $zd $(wc -c < "$W/xz") $xc $xd")
  echo "done: $name" >&2
done

evals=()
if [ ${#text[@]} -gt 0 ]; then
  for mix in --no-mix ""; do
    timed "$W/t" "$MBZ" eval -q -T"$THREADS" $mix "$W/public-text.txt" > /dev/null; read -r es em < <(last "$W/t")
    evals+=("${mix:-with-mixer} $(wc -c < "$W/public-text.txt") $es $em")
  done
fi
# Start-up: mbz -V, and a 10 KB text round trip, best of 5.
head -c 10240 "${text[0]:-samples/gpl-3.0.txt}" > "$W/small.txt"
best() { sort -n | head -1; }
v=$(for i in 1 2 3 4 5; do s=$(date +%s.%N); "$MBZ" -V >/dev/null; e=$(date +%s.%N); awk -v a="$s" -v b="$e" 'BEGIN{print b-a}'; done | best)
rt=$(for i in 1 2 3 4 5; do s=$(date +%s.%N); "$MBZ" -q -c "$W/small.txt" | "$MBZ" -q -d -c | cmp -s - "$W/small.txt"; e=$(date +%s.%N); awk -v a="$s" -v b="$e" 'BEGIN{print b-a}'; done | best)

{
  echo "# mbz speed on the public benchmark"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); mbz $("$MBZ" --version | cut -d' ' -f2) -T$THREADS, $("$MBZ" -V | sed -n 's/.*(\(.*\))/\1/p')."
  echo "KB/s = original bytes / wall seconds, one run each; peak = largest resident set. Every mbz round trip verified."
  [ -n "$REF" ] && echo "same bytes: mbz's output equals the reference build's ($("$REF" --version))."
  echo
  echo "| input | bytes | mbz bpb | mbz c KB/s | mbz d KB/s | peak c/d MB | same bytes | zstd -19 bpb | c/d KB/s | xz -9e bpb | c/d KB/s |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  # /usr/bin/time counts in 10 ms steps: a run under that shows as "> bytes/10ms".
  printf "%s\n" "${rows[@]}" | awk '
    function kbs(b, s) { return s > 0 ? sprintf("%.0f", b/s/1000) : sprintf("> %.0f", b/0.01/1000) }
    {
    printf "| %s | %d | %.3f | %.1f | %.1f | %.0f / %.0f | %s | %.3f | %s / %s | %.3f | %s / %s |\n",
      $1, $3, 8*$4/$3, $3/$5/1000, $3/$6/1000, $7/1024, $8/1024, $9, 8*$10/$3, kbs($3, $11), kbs($3, $12), 8*$13/$3, kbs($3, $14), kbs($3, $15) }'
  if [ ${#evals[@]} -gt 0 ]; then
    echo
    echo "| mbz eval on the text | KB/s | peak MB |"
    echo "|---|---|---|"
    printf "%s\n" "${evals[@]}" | awk '{ printf "| %s | %.1f | %.0f |\n", $1, $2/$3/1000, $4/1024 }'
  fi
  echo
  echo "Start-up (best of 5): \`mbz -V\` $(awk -v s="$v" 'BEGIN{printf "%.0f", s*1000}') ms; a 10 KB text round trip (compress | decompress) $(awk -v s="$rt" 'BEGIN{printf "%.0f", s*1000}') ms."
} > "$OUT"
if [ -n "$CSV" ]; then
  echo "input,modality,bytes,mbz_bytes,mbz_c_s,mbz_d_s,mbz_c_peak_kb,mbz_d_peak_kb,same_bytes,zstd_bytes,zstd_c_s,zstd_d_s,xz_bytes,xz_c_s,xz_d_s" > "$CSV"
  printf "%s\n" "${rows[@]}" | tr ' ' ',' >> "$CSV"
fi
