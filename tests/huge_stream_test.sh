#!/usr/bin/env bash
# Past 4 GiB: a 4.5 GiB stream through pipes both ways, a 4.5 GiB file
# decompressed to disk and compressed again from it, and `mbz -l`: 64-bit
# sizes and offsets, a frame of 4,608 segments, the whole-file checksum over
# more than 2^32 bytes. (`mbz -t` is that decoder without the output: the
# pipe's decoding checks the same checksum, and its exit status counts, and
# then every byte is compared.)
# The file on disk is sparse (mbz leaves blocks of zeros as holes): its
# writes and seeks still go past 2^32, and its size is checked. Cheap on purpose: `-1 --no-mix` codes
# every segment with zstd (no model, no mixer), and each MiB is zeros after
# its own index, so a segment out of place changes the bytes.
# Usage: huge_stream_test.sh MBZ_BINARY
set -u
MBZ=$(realpath "$1")
[ -x "$MBZ" ] || { echo "no mbz binary at $1"; exit 1; }
. "$(dirname "$0")/expect.sh"
MIB=4608  # 4.5 GiB
SIZE=$((MIB << 20))
gen() {  # the input: MIB mebibytes, each its 8-byte little-endian index then zeros
  python3 -c '
import sys
z = bytearray(1 << 20)
for i in range(int(sys.argv[1])):
    z[0:8] = i.to_bytes(8, "little")
    sys.stdout.buffer.write(z)' "$MIB"
}
same() {  # exit 0 if standard input is exactly gen's bytes: a MiB at a time, not
  # `cmp` against gen, which reads pipes 4 KiB at a time (40 s more on two cores)
  python3 -c '
import sys
z = bytearray(1 << 20)
inp = sys.stdin.buffer
for i in range(int(sys.argv[1])):
    z[0:8] = i.to_bytes(8, "little")
    if inp.read(1 << 20) != z:   # a short read (the stream ended early) differs too
        sys.exit(1)
sys.exit(1 if inp.read(1) else 0)' "$MIB"
}
# Free space for the 4.5 GiB file (plus slack), or the file half is skipped.
free_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')

gen | "$MBZ" -q -1 --no-mix -T 2 -c > big.mbz
expect "4.5 GiB from a pipe compresses" test -s big.mbz
"$MBZ" -l big.mbz > list.txt
expect "-l: original size past 2^32" grep -q "Original size:  $SIZE " list.txt
expect "-l: 4608 segments" grep -q "Segments:       $MIB of up to" list.txt
export -f same
export MBZ MIB
expect "pipe to pipe: the same bytes" bash -c 'set -o pipefail; "$MBZ" -q -d -c big.mbz | same'
if [ "$free_kb" -gt $(((SIZE >> 10) + (1 << 20))) ]; then
  "$MBZ" -q -d big.mbz -o big.bin
  expect "decompressed file is 4.5 GiB" test "$(stat -c %s big.bin)" -eq "$SIZE"
  "$MBZ" -q -1 --no-mix -T 2 big.bin -o again.mbz
  expect "a 4.5 GiB file compresses to the pipe's bytes" cmp -s big.mbz again.mbz
  rm -f big.bin
else
  echo "note: less than $((SIZE >> 30)) GiB free here: the on-disk half is skipped"
fi

report "huge stream tests"
