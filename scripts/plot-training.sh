#!/usr/bin/env bash
# Draws the learning curve of `mbz train` logs as a PNG: training bpb, held-out
# bpb of the float model and, where measured, of the exported integer model,
# against training bytes seen.
#
#   scripts/plot-training.sh OUT.png LOG.csv[@MB] [LOG2.csv[@MB] ...]   (needs gnuplot)
#
# LOG.csv@MB draws a run started from another's checkpoint (mbz train --init)
# where that one ended: its bytes seen shifted by MB megabytes. Only a
# number after the last @ is a shift (a path may hold an @ of its own).
set -euo pipefail
# split_log ARG: sets f (the log) and shift_mb (0 without a shift).
split_log() {
  f=$1 shift_mb=0
  if [[ $1 =~ @([0-9]+([.][0-9]+)?)$ ]]; then f=${1%@*} shift_mb=${BASH_REMATCH[1]}; fi
}
if [ $# -lt 2 ]; then
  echo "usage: $0 OUT.png LOG.csv[@MB] [LOG.csv[@MB] ...]" >&2
  exit 2
fi
command -v gnuplot >/dev/null || { echo "$0: gnuplot is not installed (apt-get install gnuplot-nox)" >&2; exit 1; }
out=$1
shift
for arg in "$@"; do
  split_log "$arg"
  [ -r "$f" ] || { echo "$0: cannot read $f" >&2; exit 1; }
  head -1 "$f" | grep -q '^step,bytes,lr,train_bpb,valid_bpb,valid_int_bpb,seconds' ||
    { echo "$0: $f is not an mbz train log" >&2; exit 1; }
done

plots=""
for arg in "$@"; do
  split_log "$arg"
  name=$(basename "$f" .csv); name=${name%.mbzm}
  x="(\$2/1e6+$shift_mb)"
  plots+="'$f' using $x:4 with lines lw 1 title '$name train', "
  plots+="'$f' using $x:(\$5 > 0 ? \$5 : NaN) with linespoints pt 7 ps 0.6 lw 2 title '$name held-out (float)', "
  plots+="'$f' using $x:(\$6 > 0 ? \$6 : NaN) with points pt 6 ps 1.2 title '$name held-out (exported integer)', "
done
gnuplot <<GNUPLOT
set terminal png size 1000,620 noenhanced
set output '$out'
set datafile separator ','
set datafile missing ''
set key top right
set grid
set xlabel 'training bytes seen (MB)'
set ylabel 'bits per byte'
set title 'mbz train'
set yrange [*:8.5]
plot ${plots%, }
GNUPLOT
echo "$out"
