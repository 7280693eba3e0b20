#!/usr/bin/env bash
# Draws bench/levels.sh's CSV as one SVG: a panel per modality, bits per byte
# against decompression KB/s (log scale), every codec a labelled point, mbz's
# levels joined by a line, and paq8px's bits per byte (from
# ../shared/bench/README.md; not run here) as a dashed mark.
#
#   bash bench/levels-chart.sh LEVELS.csv OUT.svg|OUT.png
set -euo pipefail
CSV=$1 SVG=$2
command -v gnuplot >/dev/null || { echo "$0: gnuplot is missing (apt-get install gnuplot-nox)" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
declare -A paq=([text]=1.274 [audio]=2.021 [image]=2.729)

# The modalities the CSV has rows for (a manifest of one modality: one panel).
mods=$(awk -F, 'NR > 1 && $4 > 0 { if (!seen[$2]++) printf "%s ", $2 }' "$CSV")
[ -n "$mods" ] || { echo "$0: $CSV has no rows" >&2; exit 1; }
set -- $mods
panels=$#
width=$((panels > 1 ? 500 * panels : 1000))  # one panel: room for the title

for m in $mods; do
  # d_kbs bpb "name"; mbz's levels apart (drawn as a line)
  awk -F, -v m="$m" 'NR > 1 && $2 == m {
      bpb = 8 * $5 / $4; c = $4 / $6 / 1000; d = $4 / $7 / 1000
      q = "\""
      if ($1 ~ /^mbz -/) print d, bpb, q substr($1, 5) q > "'"$W"'/mbz-" m ".dat"
      else print d, bpb, q $1 q > "'"$W"'/other-" m ".dat"
    }' "$CSV"
done

{
  case $SVG in
    *.png) echo "set terminal pngcairo size $width,520 font 'sans,10' background '#ffffff'" ;;
    *) echo "set terminal svg size $width,520 font 'sans,11' background '#ffffff'" ;;
  esac
  echo "set output '$SVG'"
  echo "set multiplot layout 1,$panels title 'mbz levels and other codecs on the public corpus: bits per byte against decompression speed (one run, this 2-core machine)'"
  echo "set logscale x"
  echo "set xlabel 'decompression KB/s (log scale)'"
  echo "set ylabel 'bits per byte (lower is better)'"
  echo "set grid"
  echo "set key off"
  for m in $mods; do
    echo "set title '$m'"
    echo "set yrange [$(awk -v p="${paq[$m]}" 'BEGIN{print p * 0.9}'):*]"
    echo "set arrow from graph 0, first ${paq[$m]} to graph 1, first ${paq[$m]} nohead dt 2 lc rgb '#888888'"
    echo "set label 'paq8px -8 (ratio only)' at graph 0.02, first ${paq[$m]} offset 0,0.6 tc rgb '#666666' font ',9'"
    echo "plot '$W/other-$m.dat' using 1:2 with points pt 7 ps 1.2 lc rgb '#4477aa', \\"
    echo "     '' using 1:2:(stringcolumn(3)) with labels offset 0,0.8 font ',9' tc rgb '#4477aa', \\"
    echo "     '$W/mbz-$m.dat' using 1:2 with linespoints pt 5 ps 1.2 lw 1.5 lc rgb '#cc3311', \\"
    echo "     '' using 1:2:(stringcolumn(3)) with labels offset 0.9,-0.7 font ',9' tc rgb '#cc3311'"
    echo "unset arrow; unset label"
  done
  echo "unset multiplot"
} > "$W/plot.gp"
gnuplot "$W/plot.gp"
echo "wrote $SVG"
