#!/usr/bin/env bash
# Levels -1 … -9 and model `none` from the command line: each level writes
# what it says (model, segment size, profiles), round-trips, gives the same bytes with
# one thread and two, and a file of any level decodes with no option at all.
# Usage: levels_test.sh MBZ_BINARY SOURCE_DIR
set -u
MBZ=$(realpath "$1")
[ -x "$MBZ" ] || { echo "no mbz binary at $1"; exit 1; }
SRC=$2
export MBZ_MODEL_PATH="$SRC/models"
. "$(dirname "$0")/expect.sh"
listed() { "$MBZ" -l "$1" | grep -q "$2"; }  # listed FILE PATTERN

# Three segments at 1 KiB (--segment-size), one at any level's own size.
head -c 3000 "$SRC/samples/gpl-3.0.txt" > text.txt
cp "$SRC/tests/golden/speech-0.5s.wav" speech.wav
cp "$SRC/tests/golden/grey8-40x40.pgm" grey.pgm
# A sample photograph's first 32,768 pixels as 256 x 128, exactly kSmallImageBytes: profile 13 at levels 3-9.
{ printf 'P5\n256 128\n255\n'; tail -c +16 "$SRC/samples/photo-umang-gray-320.pgm" | head -c 32768; } > big.pgm

# Read from standard input, as a stream: its length is not known before the
# frame header, which declares the level's own segment size. A file named on
# the command line declares its length rounded up to a power of two (3000:
# 4096), and so no model prefix (docs/FORMAT.md "Header").
for n in 1 2 3 4 5 6 7 8 9; do
  "$MBZ" -$n -T 1 -c < text.txt > t1.mbz && "$MBZ" -$n -T 2 -c < text.txt > t2.mbz
  expect "level $n compresses" test -s t1.mbz
  expect "level $n: -T 1 == -T 2" cmp -s t1.mbz t2.mbz
  expect "level $n decodes with no option" sh -c "'$MBZ' -d -c t1.mbz | cmp -s - text.txt"
  case $n in 1|2|3|4|5) model=none ;; *) model=text-small-v6 ;; esac
  expect "level $n codes bytes with model $model" listed t1.mbz "Model: *$model\$"
  size=$(case $n in 1) echo 1048576 ;; 2) echo 2097152 ;; 3) echo 4194304 ;; 4|6|7|8|9) echo 8388608 ;; 5) echo 16777216 ;; esac)
  expect "level $n: segments of up to $size bytes" listed t1.mbz "of up to $size bytes"
  profile=$(case $n in 1|2) echo 1 ;; 3|4|5) echo 14 ;; *) echo 12 ;; esac)  # 3-5: no model, 14
  # Levels 6-8 run the model over a prefix of each segment (1, 2, 4 MiB): a
  # stream's frame declares it (its length is not known before the header).
  prefix=$(case $n in 6|7|8) echo " and the model prefix" ;; esac)
  expect "level $n codes bytes with mixer profile $profile$prefix" listed t1.mbz "needs mixer profile $profile$prefix)"
  "$MBZ" -$n -T 1 -c text.txt > f1.mbz && "$MBZ" -$n -T 2 -c text.txt > f2.mbz
  expect "level $n, a named file: -T 1 == -T 2" cmp -s f1.mbz f2.mbz
  expect "level $n, a named file: segments of up to 4096 bytes" listed f1.mbz "of up to 4096 bytes"
  expect "level $n, a named file: mixer profile $profile, no model prefix" listed f1.mbz "needs mixer profile $profile)"
  expect "level $n, a named file: round trip" sh -c "'$MBZ' -d -c f1.mbz | cmp -s - text.txt"
  # Audio is coded by the mixer alone at every level (levels.hpp), with
  # profile 4 at levels 1-2 and 8 above.
  "$MBZ" -$n -c speech.wav > s.mbz
  expect "level $n: audio without a model" listed s.mbz "Model: *none\$"
  audio=$(case $n in 1|2) echo 4 ;; *) echo 8 ;; esac)
  expect "level $n codes audio with mixer profile $audio" listed s.mbz "needs mixer profile $audio)"
  expect "level $n: audio round trip" sh -c "'$MBZ' -d -c s.mbz | cmp -s - speech.wav"
  # Images too, with profile 3 at levels 1-2 and 13 above; at levels 3-6
  # an image under 32 KiB of pixels (grey.pgm, 1,600) gets profile 11.
  "$MBZ" -$n -c grey.pgm > g.mbz
  image=$(case $n in 1|2) echo 3 ;; 3|4|5|6) echo 11 ;; *) echo 13 ;; esac)
  expect "level $n codes a small image with mixer profile $image" listed g.mbz "needs mixer profile $image)"
  expect "level $n: small image round trip" sh -c "'$MBZ' -d -c g.mbz | cmp -s - grey.pgm"
  "$MBZ" -$n -c big.pgm > b.mbz
  image=$(case $n in 1|2) echo 3 ;; *) echo 13 ;; esac)
  expect "level $n codes a larger image with mixer profile $image" listed b.mbz "needs mixer profile $image)"
  expect "level $n: larger image round trip" sh -c "'$MBZ' -d -c b.mbz | cmp -s - big.pgm"
done

"$MBZ" --fast -c text.txt > fast.mbz; "$MBZ" -1 -c text.txt > one.mbz
expect "--fast == -1" cmp -s fast.mbz one.mbz
"$MBZ" --best -c text.txt > best.mbz; "$MBZ" -9 -c text.txt > nine.mbz
expect "--best == -9" cmp -s best.mbz nine.mbz
"$MBZ" -c text.txt > default.mbz; "$MBZ" -6 -c text.txt > six.mbz
expect "the default is level 6" cmp -s default.mbz six.mbz
"$MBZ" -1 --segment-size 1K -c text.txt > seg.mbz
expect "--segment-size overrides the level's" listed seg.mbz "3 of up to 1024 bytes"
expect "--segment-size keeps the level's model" listed seg.mbz "Model: *none\$"
"$MBZ" -9 -m none -c text.txt > nm.mbz
expect "-m none overrides the level's model" listed nm.mbz "Model: *none\$"
expect "-m none at level 9 codes bytes with profile 14, as levels 3-5" listed nm.mbz "needs mixer profile 14)"
expect "-m none file decodes without a model path" sh -c "MBZ_MODEL_PATH=/nonexistent '$MBZ' -d -c nm.mbz | cmp -s - text.txt"
"$MBZ" -m audio-small-v1 -c speech.wav > sm.mbz
expect "-m MODEL still codes audio with that model" listed sm.mbz "Model: *audio-small-v1\$"
expect "-m none with -t" "$MBZ" -t -m none nm.mbz
"$MBZ" -1 --no-mix -c text.txt > nomix.mbz
expect "no model and no mixer: zstd" listed nomix.mbz "0 model \[0 mixed\], 1 zstd"
"$MBZ" -0 -c text.txt >/dev/null 2>err; rc=$?
expect "-0 is a usage error" test $rc -eq 2

# --byte-profile overrides the level's; profile 1 is what mbz 0.3-0.8 read.
"$MBZ" -6 --byte-profile 1 -c < text.txt > p1.mbz
expect "--byte-profile 1 at level 6" listed p1.mbz "needs mixer profile 1 and the model prefix)"
expect "--byte-profile 1 round trip" sh -c "'$MBZ' -d -c p1.mbz | cmp -s - text.txt"
"$MBZ" -1 --byte-profile 7 -c text.txt > p7.mbz
expect "--byte-profile 7 at level 1" listed p7.mbz "needs mixer profile 7)"
# Profile 7 (what mbz 0.11-0.15 wrote) at a level with the model.
"$MBZ" -6 --byte-profile 7 -c < text.txt > p76.mbz
expect "--byte-profile 7 at level 6" listed p76.mbz "needs mixer profile 7 and the model prefix)"
# Profile 10, the default of mbz 0.16-0.19, when named.
"$MBZ" -6 --byte-profile 10 -c < text.txt > p10.mbz
expect "--byte-profile 10 at level 6" listed p10.mbz "needs mixer profile 10 and the model prefix)"
expect "--byte-profile 10 round trip" sh -c "'$MBZ' -d -c p10.mbz | cmp -s - text.txt"
expect "--byte-profile 7 at level 6: round trip" sh -c "'$MBZ' -d -c p76.mbz | cmp -s - text.txt"
# Profile 12 and 14 when named, each with and without the model.
for p in 12 14; do
  for n in 4 6; do
    "$MBZ" -$n --byte-profile $p --model-prefix all -c text.txt > p$p.mbz
    expect "--byte-profile $p at level $n" listed p$p.mbz "needs mixer profile $p)"
    expect "--byte-profile $p at level $n: round trip" sh -c "'$MBZ' -d -c p$p.mbz | cmp -s - text.txt"
  done
done
# Profile 5 (what mbz 0.9-0.10 wrote) when asked for, with and without a model.
for n in 1 6; do
  "$MBZ" -$n --byte-profile 5 -c < text.txt > p5.mbz
  prefix=$(case $n in 6) echo " and the model prefix" ;; esac)
  expect "--byte-profile 5 at level $n" listed p5.mbz "needs mixer profile 5$prefix)"
  expect "--byte-profile 5 at level $n: round trip" sh -c "'$MBZ' -d -c p5.mbz | cmp -s - text.txt"
done
"$MBZ" --byte-profile 3 -c text.txt >/dev/null 2>err; rc=$?
expect "--byte-profile 3 is a usage error" test $rc -eq 2

# --audio-profile overrides the level's; profile 4 is what mbz 0.5-0.11 read.
"$MBZ" -6 --audio-profile 4 -c speech.wav > a4.mbz
expect "--audio-profile 4 at level 6" listed a4.mbz "needs mixer profile 4)"
expect "--audio-profile 4 round trip" sh -c "'$MBZ' -d -c a4.mbz | cmp -s - speech.wav"
"$MBZ" -1 --audio-profile 8 -c speech.wav > a8.mbz
expect "--audio-profile 8 at level 1" listed a8.mbz "needs mixer profile 8)"
expect "--audio-profile 8 round trip" sh -c "'$MBZ' -d -c a8.mbz | cmp -s - speech.wav"
"$MBZ" --audio-profile 6 -c speech.wav >/dev/null 2>err; rc=$?
expect "--audio-profile 6 is a usage error" test $rc -eq 2

# --image-profile overrides the level's; profile 3 is what mbz 0.4-0.9 read.
"$MBZ" -6 --image-profile 3 -c grey.pgm > i3.mbz
expect "--image-profile 3 at level 6" listed i3.mbz "needs mixer profile 3)"
expect "--image-profile 3 round trip" sh -c "'$MBZ' -d -c i3.mbz | cmp -s - grey.pgm"
"$MBZ" -1 --image-profile 6 -c grey.pgm > i6.mbz
expect "--image-profile 6 at level 1" listed i6.mbz "needs mixer profile 6)"
expect "--image-profile 6 round trip" sh -c "'$MBZ' -d -c i6.mbz | cmp -s - grey.pgm"
"$MBZ" -6 --image-profile 6 -c grey.pgm > i6d.mbz
expect "--image-profile 6 at level 6" listed i6d.mbz "needs mixer profile 6)"
expect "--image-profile 6 at level 6 round trip" sh -c "'$MBZ' -d -c i6d.mbz | cmp -s - grey.pgm"
# Profile 11 (mbz 0.20) when named, at any level and size.
"$MBZ" -8 --image-profile 11 -c big.pgm > i11.mbz
expect "--image-profile 11 at level 8 on a larger image" listed i11.mbz "needs mixer profile 11)"
expect "--image-profile 11 round trip" sh -c "'$MBZ' -d -c i11.mbz | cmp -s - big.pgm"
# Profile 9 (what mbz 0.13-0.20 wrote for larger images) when named.
"$MBZ" -6 --image-profile 9 -c big.pgm > i9.mbz
expect "--image-profile 9 at level 6 on a larger image" listed i9.mbz "needs mixer profile 9)"
expect "--image-profile 9 round trip" sh -c "'$MBZ' -d -c i9.mbz | cmp -s - big.pgm"
"$MBZ" --image-profile 5 -c grey.pgm >/dev/null 2>err; rc=$?
expect "--image-profile 5 is a usage error" test $rc -eq 2

# --model-prefix overrides the level's: all (0) is the model over every
# byte, what mbz 0.13 wrote and reads; a short prefix gives method-4
# segments (the model over their first bytes only) that decode the same.
"$MBZ" -6 --model-prefix all -c text.txt > pa.mbz
expect "--model-prefix all at level 6" listed pa.mbz "needs mixer profile 12)"
"$MBZ" -6 --model-prefix 1000 --segment-size 2K -T 2 -c text.txt > pk.mbz
"$MBZ" -6 --model-prefix 1000 --segment-size 2K -T 1 -c text.txt > pk1.mbz
expect "--model-prefix 1000: -T 1 == -T 2" cmp -s pk.mbz pk1.mbz
expect "--model-prefix 1000 round trip" sh -c "'$MBZ' -d -c pk.mbz | cmp -s - text.txt"
expect "--model-prefix 1000: segments with a model prefix" listed pk.mbz "1 with a model prefix"
"$MBZ" -4 --segment-size 2K -c text.txt > pm.mbz
expect "--model-prefix 1000 is smaller than the mixer alone" test "$(wc -c < pk.mbz)" -lt "$(wc -c < pm.mbz)"
"$MBZ" -6 --model-prefix 1000 -m none -c text.txt > pn.mbz
expect "--model-prefix without a model: no prefix" listed pn.mbz "needs mixer profile 14)"
"$MBZ" --model-prefix 17M -c text.txt >/dev/null 2>err; rc=$?
expect "--model-prefix over 16M is a usage error" test $rc -eq 2
"$MBZ" --model-prefix x -c text.txt >/dev/null 2>err; rc=$?
expect "--model-prefix x is a usage error" test $rc -eq 2

report "levels tests"
