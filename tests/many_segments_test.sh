#!/usr/bin/env bash
# A stream of more than 65,536 segments through pipes: 70,001 segments of
# 1 KiB (the smallest segment size), each naming its number so that a lost
# or reordered segment shows. Decompressed (-d, -t) and listed (-l) from a
# pipe. The frame is written by make_segment_frame (zstd or stored segments,
# no model), and also by the command with -m none --no-mix (the same coding,
# where the command has it).
# Usage: many_segments_test.sh MBZ_BINARY MAKE_SEGMENT_FRAME_BINARY
set -u
MBZ=$1
MAKE_FRAME=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
pass=0 fail=0
expect() {  # expect NAME CONDITION...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}

# 70,000 lines of 1024 bytes (the line number, zero-padded), then 5 bytes:
# 70,001 segments of 1 KiB, the last one short.
printf '%01023d\n' $(seq 70000) > data
printf 'tail\n' >> data
size=$(wc -c < data)
expect "input is 70,000 KiB + 5 bytes" test "$size" -eq $((70000 * 1024 + 5))

"$MAKE_FRAME" 1024 < data > frame.mbz
expect "frame written" test -s frame.mbz
cat frame.mbz | "$MBZ" -d | cmp -s - data
expect "decompress through a pipe" test "${PIPESTATUS[1]}" -eq 0 -a "${PIPESTATUS[2]}" -eq 0
cat frame.mbz | "$MBZ" -t
expect "test (-t) through a pipe" test "${PIPESTATUS[1]}" -eq 0
cat frame.mbz | "$MBZ" -l - > list.txt
expect "list (-l) through a pipe" test "${PIPESTATUS[1]}" -eq 0
expect "list counts 70001 segments" grep -q "Segments: *70001 of up to 1024 bytes (0 model \[0 mixed\], 70000 zstd, 1 stored)" list.txt
expect "list gives the original size" grep -q "Original size: *$size " list.txt
expect "list gives the compressed size" grep -q "Compressed: *$(wc -c < frame.mbz) " list.txt
# Two such frames concatenated: 140,002 segments, decoded to the concatenation.
cat frame.mbz frame.mbz | "$MBZ" -d | cmp -s - <(cat data data)
expect "two concatenated frames" test "${PIPESTATUS[1]}" -eq 0 -a "${PIPESTATUS[2]}" -eq 0

# Compressed by the command without a model and without the mixer
# (-m none --no-mix: zstd or stored only, about a second; the mixer alone,
# -m none, would set up its tables for each of the 70,001 segments).
if "$MBZ" -m none --no-mix -c < /dev/null > /dev/null 2>&1; then
  "$MBZ" -q -m none --no-mix -T 2 --segment-size 1K -c < data > cli.mbz
  expect "mbz -m none --no-mix compresses" test $? -eq 0
  expect "mbz -m none --no-mix: 70001 zstd/stored segments" \
    grep -q "Segments: *70001 of up to 1024 bytes (0 model \[0 mixed\], 70000 zstd, 1 stored)" <(cat cli.mbz | "$MBZ" -l -)
  cat cli.mbz | "$MBZ" -d | cmp -s - data
  expect "mbz -m none --no-mix: round trip through pipes" test "${PIPESTATUS[1]}" -eq 0 -a "${PIPESTATUS[2]}" -eq 0
else
  echo "skipped: this mbz cannot code without a model (-m none --no-mix), and with one it runs the model on all 70,001 segments"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
