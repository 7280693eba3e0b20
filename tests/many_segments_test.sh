#!/usr/bin/env bash
# A stream of more than 65,536 segments through pipes: 70,001 segments of
# 1 KiB (the smallest segment size), each naming its number so that a lost
# or reordered segment shows. Decompressed (-d, -t) and listed (-l) from a
# pipe. The frame is written by make_segment_frame (zstd or stored segments,
# no model): the command itself runs the model on every segment, minutes
# for 68 MiB; with `-m none` (no model) it is also compressed by the command.
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

# Compressed by the command, where it can code without a model (-m none).
if "$MBZ" -m none -c < /dev/null > /dev/null 2>&1; then
  "$MBZ" -m none --segment-size 1K -c < data > cli.mbz
  expect "mbz -m none compresses" test $? -eq 0
  expect "mbz -m none: 70001 segments" grep -q "Segments: *70001 of up to 1024 bytes" <("$MBZ" -l - < cli.mbz)
  "$MBZ" -d < cli.mbz | cmp -s - data
  expect "mbz -m none round trip through pipes" test "${PIPESTATUS[0]}" -eq 0 -a "${PIPESTATUS[1]}" -eq 0
else
  echo "skipped: this mbz has no -m none, so the command does not compress the stream here (the model would run on all 70,001 segments)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
