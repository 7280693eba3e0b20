#!/usr/bin/env bash
# bench/levels.sh's CSV as a Markdown table: one row per codec, per modality
# its bits per byte and compress / decompress KB/s (original bytes / wall
# seconds; "≥" where the codec finished within the timer's 10 ms steps).
#
#   bash bench/levels-table.sh LEVELS.csv
set -euo pipefail
awk -F, '
  NR == 1 { next }
  {
    if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
    bpb[$1, $2] = sprintf("%.3f", 8 * $5 / $4)
    c[$1, $2] = kbs($4, $6); d[$1, $2] = kbs($4, $7)
  }
  function kbs(bytes, s) { return s > 0.01 ? sprintf("%.0f", bytes / s / 1000) : sprintf("≥ %.0f", bytes / 0.01 / 1000) }
  END {
    print "| codec | text bpb | c / d KB/s | audio bpb | c / d KB/s | image bpb | c / d KB/s |"
    print "|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; ++i) {
      k = order[i]; row = "| " k
      split("text audio image", ms, " ")
      for (j = 1; j <= 3; ++j) {
        m = ms[j]
        if ((k, m) in bpb) row = row " | " bpb[k, m] " | " c[k, m] " / " d[k, m]
        else row = row " | | "
      }
      print row " |"
    }
  }' "$1"
