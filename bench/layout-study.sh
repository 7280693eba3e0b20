#!/usr/bin/env bash
# Which sample layout does a MEGABYTE model predict best? Trains one small
# model per layout on the same data for the same steps, and reports its
# held-out bits per byte (float with fake quantization, and the exported
# integer model), all measured on the same held-out files laid out that way.
#
#   bash bench/layout-study.sh MBZ pcm|image TRAIN_DIR HELDOUT_DIR OUT_DIR [STEPS] [LAYOUTS...]
#
# Writes OUT_DIR/MODALITY-LAYOUT.{mbzm,csv,log} and prints a Markdown table.
# With MBZ_EVAL_FILES="FILE..." (e.g. the public benchmark's audio or image
# files) each layout's model is also measured on those files (mbz eval, the
# ideal code length over all of their bytes).
set -euo pipefail
MBZ=${1:?usage: layout-study.sh MBZ pcm|image TRAIN_DIR HELDOUT_DIR OUT_DIR [STEPS] [LAYOUTS...]}
ADAPTER=$2 TRAIN=$3 HELDOUT=$4 OUT=$5 STEPS=${6:-600}
shift 6 || shift $#
LAYOUTS=("$@")
if [ ${#LAYOUTS[@]} -eq 0 ]; then
  if [ "$ADAPTER" = pcm ]; then LAYOUTS=(native msb planar delta2 planar-delta2); else LAYOUTS=(native planar med planar-med); fi
fi
mkdir -p "$OUT"
if [ -n "${MBZ_EVAL_FILES:-}" ]; then
  echo "| layout | float bpb | integer bpb | bpb on MBZ_EVAL_FILES |"
  echo "|---|---|---|---|"
else
  echo "| layout | float bpb | integer bpb |"
  echo "|---|---|---|"
fi
for layout in "${LAYOUTS[@]}"; do
  base="$OUT/$ADAPTER-$layout"
  if [ ! -f "$base.mbzm" ]; then
    resume=(); [ -f "$base.mbzm.ckpt" ] && resume=(--resume)
    "$MBZ" train --data "$TRAIN" --valid "$HELDOUT" --adapter "$ADAPTER" --layout "$layout" --shape tiny --window 512 --context 2048 \
      --steps "$STEPS" --batch 8 --lr 3e-3 --warmup 30 --qat-start 0.8 --valid-every "$STEPS" --valid-windows 64 -T 1 --seed 1 \
      -o "$base.mbzm" --log "$base.csv" "${resume[@]}" > "$base.log" 2>&1
  fi
  IFS=, read -r _ _ _ _ fbpb ibpb _ < <(tail -1 "$base.csv")
  extra=""
  if [ -n "${MBZ_EVAL_FILES:-}" ]; then
    # shellcheck disable=SC2086
    "$MBZ" eval -q -m "$base.mbzm" --adapter "$ADAPTER" --layout "$layout" --format csv -o "$base.eval.csv" $MBZ_EVAL_FILES
    extra=$(awk -F, '$1 == "summary" && $2 == "all" { printf " %.3f |", $8 }' "$base.eval.csv")
  fi
  awk -v l="$layout" -v f="$fbpb" -v i="$ibpb" -v e="$extra" \
    'BEGIN { printf "| %s | %.3f | %.3f |%s\n", l, f, i, e }'
done
