#!/usr/bin/env bash
# CLI tests: exit codes, messages, pipes, refusal to overwrite, no partial
# outputs, inputs never lost.
# Usage: cli_test.sh MBZ_BINARY SOURCE_DIR MAKE_RANDOM_MODEL_BINARY
set -u
MBZ=$1
SRC=$2
MAKE_MODEL=$3
export MBZ_MODEL_PATH="$SRC/tests/golden"
MODEL="$SRC/tests/golden/tiny-golden-v1.mbzm"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
pass=0 fail=0
check() {  # check NAME EXPECTED_STATUS COMMAND...
  local name=$1 want=$2; shift 2
  "$@" >"$T/out" 2>"$T/err" </dev/null
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $name: exit $got, wanted $want"; sed 's/^/  stderr: /' "$T/err" | head -5; fi
}
expect() {  # expect NAME CONDITION...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}

head -c 3000 "$SRC/samples/gpl-3.0.txt" > a.txt
cp a.txt keep.txt

# compress / decompress / test / list, default action writes FILE.mbz
check "compress default action" 0 "$MBZ" -m "$MODEL" --force-model --segment-size 1K a.txt
expect "a.txt.mbz written" test -s a.txt.mbz
expect "input kept" cmp -s a.txt keep.txt
check "refuses to overwrite" 1 "$MBZ" -m "$MODEL" a.txt
expect "names the file" grep -q "a.txt.mbz already exists" "$T/err"
check "-f overwrites" 0 "$MBZ" -f -m "$MODEL" --force-model --segment-size 1K a.txt
mv a.txt orig.txt
check "decompress -d" 0 "$MBZ" -d a.txt.mbz
expect "decompressed equals original" cmp -s a.txt orig.txt
check "decompress subcommand -o" 0 "$MBZ" decompress -o b.txt a.txt.mbz
expect "-o output equals original" cmp -s b.txt orig.txt
check "test -t" 0 "$MBZ" -t a.txt.mbz
check "test subcommand -v" 0 "$MBZ" test -v a.txt.mbz
expect "test -v says OK" grep -q "OK" "$T/err"
check "list -l" 0 "$MBZ" -l a.txt.mbz
expect "list shows model" grep -q "tiny-random-v1" "$T/out"
expect "list shows segments" grep -q "3 model" "$T/out"

# pipes: stdin to stdout both ways, -c
"$MBZ" -m "$MODEL" --segment-size 1K < orig.txt > p.mbz; rc=$?
expect "compress stdin->stdout exits 0" test $rc -eq 0
"$MBZ" -d < p.mbz > p.txt; rc=$?
expect "decompress stdin->stdout exits 0" test $rc -eq 0
expect "pipe round trip" cmp -s p.txt orig.txt
"$MBZ" -c -m "$MODEL" orig.txt | "$MBZ" -d -c - > c.txt
expect "-c round trip" cmp -s c.txt orig.txt
cat a.txt.mbz p.mbz | "$MBZ" -d -c > cat.txt
cat orig.txt orig.txt > want.txt
expect "concatenated frames" cmp -s cat.txt want.txt

# threads do not change the output
"$MBZ" -c -T1 -m "$MODEL" --force-model --segment-size 1K orig.txt > t1.mbz
"$MBZ" -c -T2 -m "$MODEL" --force-model --segment-size 1K orig.txt > t2.mbz
expect "-T1 and -T2 give the same bytes" cmp -s t1.mbz t2.mbz

# the context mixer: on by default, --no-mix codes with the model alone
"$MBZ" -c -m "$MODEL" --force-model --segment-size 1K orig.txt > mixed.mbz
check "--no-mix" 0 "$MBZ" -c -m "$MODEL" --force-model --no-mix --segment-size 1K orig.txt
cp "$T/out" plain.mbz
expect "list shows mixed segments" grep -q "3 of up to 1024 bytes (3 model \[3 mixed\], 0 zstd, 0 stored)" <("$MBZ" -l mixed.mbz)
expect "--no-mix writes none" grep -q "3 of up to 1024 bytes (3 model \[0 mixed\], 0 zstd, 0 stored)" <("$MBZ" -l plain.mbz)
expect "list shows the features a frame needs" grep -q "Format version: 2 (needs mixer profile 12)" <("$MBZ" -l mixed.mbz)
expect "--no-mix needs nothing: version 1, which every mbz reads" grep -qx "  Format version: 1" <("$MBZ" -l plain.mbz)
expect "mixed is smaller than the model alone" test "$(wc -c < mixed.mbz)" -lt "$(wc -c < plain.mbz)"
expect "both decode" sh -c '"$1" -dc mixed.mbz | cmp -s - orig.txt && "$1" -dc plain.mbz | cmp -s - orig.txt' _ "$MBZ"
expect "eval --no-mix is the model alone" test "$("$MBZ" eval -m "$MODEL" --segment-size 1K --no-mix --format csv orig.txt | sed -n 2p | cut -d, -f7)" != \
  "$("$MBZ" eval -m "$MODEL" --segment-size 1K --format csv orig.txt | sed -n 2p | cut -d, -f7)"
# --byte-profile 5 (0.9-0.10's default): written, listed and decoded; eval measures it as compression codes it
"$MBZ" -c -m "$MODEL" --force-model --segment-size 1K --byte-profile 5 orig.txt > p5.mbz
expect "--byte-profile 5 is listed" grep -q "Format version: 2 (needs mixer profile 5)" <("$MBZ" -l p5.mbz)
expect "--byte-profile 5 decodes" sh -c '"$1" -dc p5.mbz | cmp -s - orig.txt' _ "$MBZ"
expect "eval --byte-profile 5 is not profile 12" test "$("$MBZ" eval -m "$MODEL" --segment-size 1K --byte-profile 5 --format csv orig.txt | sed -n 2p | cut -d, -f7)" != \
  "$("$MBZ" eval -m "$MODEL" --segment-size 1K --format csv orig.txt | sed -n 2p | cut -d, -f7)"
check "eval --byte-profile 6 is a usage error" 2 "$MBZ" eval -m "$MODEL" --byte-profile 6 orig.txt

# --rm removes the input only after success
cp orig.txt r.txt
check "--rm" 0 "$MBZ" --rm -m "$MODEL" r.txt
expect "--rm removed input" test ! -e r.txt
expect "--rm kept output" test -s r.txt.mbz

# errors: exit 1, one line naming the file and the cause, no partial output
head -c 60 a.txt.mbz > trunc.mbz
check "truncated" 1 "$MBZ" -d trunc.mbz
expect "truncated message" grep -q "trunc.mbz: .*truncated" "$T/err"
expect "no partial output" test ! -e trunc
expect "no temp files left" test -z "$(ls | grep '\.tmp\.')"
cp a.txt.mbz flip.mbz; printf '\x55' | dd of=flip.mbz bs=1 seek=200 conv=notrunc status=none
check "corrupted" 1 "$MBZ" -d flip.mbz
expect "corruption message" grep -qE "flip.mbz: .*(checksum|corrupt|damaged)" "$T/err"
expect "no output from corrupt input" test ! -e flip
check "not mbz" 1 "$MBZ" -d -o x.out orig.txt
expect "not-mbz message" grep -q "not an .mbz file" "$T/err"
expect "no output for not-mbz" test ! -e x.out
check "missing file" 1 "$MBZ" nosuchfile
check "wrong suffix" 2 "$MBZ" -d orig.txt
mkdir elsewhere
"$MAKE_MODEL" private-model 99 elsewhere/private-model.mbzm
check "compress with a model file" 0 "$MBZ" -m elsewhere/private-model.mbzm --force-model -o u.mbz orig.txt
check "unknown model" 1 "$MBZ" -d -c u.mbz
expect "unknown model names the sha" grep -qE "u.mbz: unknown model 'private-model' \(sha256 [0-9a-f]{64}\)" "$T/err"
check "-m finds it" 0 "$MBZ" -d -m elsewhere/private-model.mbzm -o u.txt u.mbz
expect "-m round trip" cmp -s u.txt orig.txt
check "wrong -m" 1 "$MBZ" -d -m "$MODEL" -c u.mbz
cat "$MODEL" | "$MBZ" -m /dev/stdin --force-model -c orig.txt > piped.mbz 2>"$T/err"
expect "a model read from a pipe ($(head -c 200 "$T/err"))" cmp -s <("$MBZ" -d -c piped.mbz) orig.txt
mkdir renamed samename
cp elsewhere/private-model.mbzm renamed/other-name.mbzm
printf 'not a model' > renamed/broken.mbzm
check "renamed copy found by content" 0 env MBZ_MODEL_PATH="$PWD/renamed" "$MBZ" -d -o u2.txt u.mbz
expect "renamed copy round trip" cmp -s u2.txt orig.txt
"$MAKE_MODEL" private-model 98 samename/private-model.mbzm
check "same name, other model" 1 env MBZ_MODEL_PATH="$PWD/samename" "$MBZ" -d -c u.mbz
expect "same name names the mismatch" grep -q "samename/private-model.mbzm has a different SHA-256" "$T/err"

# usage errors: exit 2
check "bad option" 2 "$MBZ" --no-such-option
check "two modes" 2 "$MBZ" -d -t a.txt.mbz
check "bad thread count" 2 "$MBZ" -T -3 a.txt
check "-o with two inputs" 2 "$MBZ" -o x a.txt orig.txt
check "--help" 0 "$MBZ" --help
check "--version" 0 "$MBZ" --version

# empty input round trip
: > empty
check "compress empty" 0 "$MBZ" -m "$MODEL" empty
check "decompress empty" 0 "$MBZ" -d -o empty.out empty.mbz
expect "empty round trip" cmp -s empty empty.out

# Modality adapters on the real samples: chosen by content, shown by list, byte-exact
for f in speech-en-8k.wav music-44k-stereo.wav photo-life-384.ppm photo-umang-gray-320.pgm; do
  check "adapt $f" 0 "$MBZ" -m "$MODEL" -o "$f.mbz" "$SRC/samples/$f"
  check "decode $f" 0 "$MBZ" -d -o "$f.out" "$f.mbz"
  expect "$f round trip" cmp -s "$f.out" "$SRC/samples/$f"
done
check "list adapted audio" 0 "$MBZ" -l music-44k-stereo.wav.mbz
expect "list shows pcm details" grep -q "Adapter: *pcm: WAV, 16-bit, 2 ch, 44100 Hz, 3.0 s, layout" "$T/out"
expect "list shows the audio profile" grep -q "Format version: 2 (needs mixer profile 8)" "$T/out"
check "list adapted image" 0 "$MBZ" -l photo-life-384.ppm.mbz
expect "list shows image details" grep -q "Adapter: *image: PNM, 384x256, RGB, 8-bit, layout" "$T/out"
check "pipe adapts too" 0 sh -c "\"$MBZ\" -m \"$MODEL\" < \"$SRC/samples/photo-umang-gray-320.pgm\" | \"$MBZ\" -l -"
expect "piped image adapted" grep -q "image: PNM, 320x180, gray" "$T/out"
# The options below on short inputs (tests/golden's clips): coding the samples
# above again took a third of this test's time for the same checks.
check "--adapter bytes" 0 "$MBZ" -m "$MODEL" --adapter bytes -o bytes.mbz "$SRC/tests/golden/speech-0.5s.wav"
check "list bytes frame" 0 "$MBZ" -l bytes.mbz
expect "bytes adapter listed" grep -q "Adapter: *bytes" "$T/out"
check "--adapter pcm on text warns" 0 "$MBZ" -m "$MODEL" --adapter pcm -o txt.mbz orig.txt
expect "warning says why" grep -q "coded as bytes" "$T/err"
check "--layout planar" 0 "$MBZ" -m "$MODEL" --layout planar -o planar.mbz "$SRC/tests/golden/music-0.1s-stereo.wav"
check "decode --layout planar" 0 "$MBZ" -d -o planar.wav planar.mbz
expect "planar round trip" cmp -s planar.wav "$SRC/tests/golden/music-0.1s-stereo.wav"
check "unknown layout" 2 "$MBZ" -m "$MODEL" --layout zigzag -o z.mbz orig.txt
expect "no output for a usage error" test ! -e z.mbz
tail -c +45 "$SRC/samples/speech-en-8k.wav" | head -c 40000 > speech.raw
check "--raw-pcm" 0 "$MBZ" -m "$MODEL" --raw-pcm 8000:1:s16le -o raw.mbz speech.raw
check "list raw pcm" 0 "$MBZ" -l raw.mbz
expect "raw pcm listed" grep -q "pcm: raw PCM, 16-bit, 1 ch, 8000 Hz, 2.5 s" "$T/out"
check "decode raw pcm" 0 "$MBZ" -d -o speech.out raw.mbz
expect "raw pcm round trip" cmp -s speech.out speech.raw
check "bad --raw-pcm" 2 "$MBZ" -m "$MODEL" --raw-pcm 8000:s16le -o bad.mbz speech.raw
tail -c 57600 "$SRC/samples/photo-umang-gray-320.pgm" > umang.gray
check "--raw-image" 0 "$MBZ" -m "$MODEL" --raw-image 320x180x1 -o rawimg.mbz umang.gray
check "decode raw image" 0 "$MBZ" -d -o umang.out rawimg.mbz
expect "raw image round trip" cmp -s umang.out umang.gray
head -c 100000 "$SRC/samples/photo-life-384.ppm" > cut.ppm
check "truncated PPM still compresses" 0 "$MBZ" -m "$MODEL" -o cut.mbz cut.ppm
check "truncated PPM decodes" 0 "$MBZ" -d -o cut.out cut.mbz
expect "truncated PPM round trip" cmp -s cut.out cut.ppm
cp "$SRC/tests/data/photo-crop-64.gif" crop.gif
check "--media GIF" 0 "$MBZ" -m "$MODEL" --media crop.gif
check "decode --media GIF" 0 "$MBZ" -d crop.gif.mbz
expect "GIF comes back as PNG" sh -c 'head -c 4 crop.png | grep -q PNG'
expect "and says it is not the same bytes" grep -q "bytes differ from the original" "$T/err"

# mbz eval: reports, shards and merge, skipped files, pictures
mkdir -p ev/sub
head -c 5000 "$SRC/samples/gpl-3.0.txt" > ev/gpl.txt
cp "$SRC/samples/zstd_streaming_compression.c" ev/sub/
cp "$SRC/samples/photo-umang-gray-320.pgm" ev/sub/
cp "$SRC/tests/golden/speech-0.5s.wav" ev/
check "eval table" 0 "$MBZ" eval -q -m "$MODEL" --baseline zstd,xz ev
expect "table has totals per modality" grep -q "^audio (1 file)" "$T/out"
expect "table compares with zstd" grep -q "vs zstd -19" "$T/out"
check "eval jsonl" 0 "$MBZ" eval -q -m "$MODEL" --format jsonl -o all.jsonl ev
expect "jsonl: 4 files and 4 summaries" test "$(grep -c '"path"' all.jsonl)" -eq 4 -a "$(grep -c '"summary"' all.jsonl)" -eq 4
check "eval csv" 0 "$MBZ" eval -q -m "$MODEL" --format csv ev
expect "csv header" grep -q "^record,path,adapter,modality,model,bytes,bits,bpb,seconds" "$T/out"
for i in 1 2 3; do check "eval shard $i/3" 0 "$MBZ" eval -q -m "$MODEL" --shard $i/3 --format jsonl -o part$i.jsonl ev; done
check "eval merge" 0 "$MBZ" eval --merge --format jsonl -o merged.jsonl part1.jsonl part2.jsonl part3.jsonl
sed 's/"seconds":[0-9.]*//' all.jsonl > all.cmp
sed 's/"seconds":[0-9.]*//' merged.jsonl > merged.cmp
expect "merged shards equal the unsharded run (but for timings)" cmp -s all.cmp merged.cmp
check "eval bad shard" 2 "$MBZ" eval -m "$MODEL" --shard 4/3 ev
ln -s /proc/self/mem ev/unreadable.bin
check "eval survives an unreadable file" 0 "$MBZ" eval -q -m "$MODEL" ev nonexistent.txt
expect "and reports it" grep -q "unreadable.bin: cannot read (skipped)" "$T/err"
expect "and the missing one" grep -q "nonexistent.txt: no such file or directory (skipped)" "$T/err"
rm ev/unreadable.bin
echo "$T/ev/gpl.txt" > list.txt
check "eval @list with pictures" 0 "$MBZ" eval -q -m "$MODEL" --surprisal pics @list.txt ev/sub/photo-umang-gray-320.pgm
expect "pictures written" test -s pics/index.html -a -s pics/0001-gpl.txt.html -a -s pics/0002-photo-umang-gray-320.pgm.png

# mbz train: a few steps of the tiny shape on a sample, then use the model with -m
check "train without --data" 2 "$MBZ" train -o t.mbzm
check "train unknown shape" 2 "$MBZ" train --data orig.txt -o t.mbzm --shape huge
check "train --help" 0 "$MBZ" train --help
check "train tiny" 0 "$MBZ" train --data "$SRC/samples/gpl-3.0.txt" -o t.mbzm --shape tiny --steps 20 --batch 4 \
  --context 256 --warmup 5 --valid-every 10 --valid-windows 4 -T 1
expect "train writes model, checkpoint, log" test -s t.mbzm -a -s t.mbzm.ckpt -a -s t.mbzm.csv
expect "train reports both bpb" grep -q "float (QAT) .* exported integer" "$T/err"
check "trained model codes a file" 0 "$MBZ" -m t.mbzm --force-model -o t.mbz orig.txt
check "and decodes it" 0 "$MBZ" -d -m t.mbzm -o t.out t.mbz
expect "trained model round trip" cmp -s t.out orig.txt
check "export a checkpoint" 0 "$MBZ" train --export t.mbzm.ckpt -o t2.mbzm --name t
expect "export equals the trained file" cmp -s t.mbzm t2.mbzm
check "resume without checkpoint" 1 "$MBZ" train --data orig.txt -o nockpt.mbzm --resume
if command -v gnuplot >/dev/null; then
  check "plot the log" 0 bash "$SRC/scripts/plot-training.sh" curve.png t.mbzm.csv
  expect "plot is a PNG" sh -c 'head -c 8 curve.png | od -An -c | grep -q "P   N   G"'
  check "plot rejects a non-log" 1 bash "$SRC/scripts/plot-training.sh" curve2.png orig.txt
  check "plot a run after another (LOG@MB)" 0 bash "$SRC/scripts/plot-training.sh" curve3.png t.mbzm.csv t.mbzm.csv@0.5
  expect "the shifted plot is a PNG" sh -c 'head -c 8 curve3.png | od -An -c | grep -q "P   N   G"'
  check "plot rejects a shift that is no number" 1 bash "$SRC/scripts/plot-training.sh" curve4.png t.mbzm.csv@half
fi

# Sparse output: decompressing to a file leaves 4 KiB blocks of zeros as
# holes, a file that ends in one included (the same bytes, far fewer blocks);
# --no-sparse and standard output write every byte. Where this file system
# keeps holes (a file extended by truncate has no blocks).
{ head -c 1048576 /dev/zero; cat orig.txt; head -c 5000 /dev/zero; printf x; head -c 1048876 /dev/zero; } > holes.bin
check "compress a file of zeros and text" 0 "$MBZ" -1 --no-mix holes.bin
check "decompress it sparse (the default)" 0 "$MBZ" -d -o holes.out holes.bin.mbz
expect "sparse output has the same bytes" cmp -s holes.bin holes.out
check "decompress it --no-sparse" 0 "$MBZ" -d --no-sparse -o holes.full holes.bin.mbz
expect "--no-sparse output has the same bytes" cmp -s holes.bin holes.full
"$MBZ" -d -c holes.bin.mbz > holes.stdout
expect "standard output has the same bytes" cmp -s holes.bin holes.stdout
truncate -s 1M probe.bin
if [ "$(stat -c %b probe.bin)" -eq 0 ]; then
  expect "sparse output takes < 1/8 of its size" test $(($(stat -c %b holes.out) * 512 * 8)) -lt "$(stat -c %s holes.out)"
  expect "--no-sparse output takes its size" test $(($(stat -c %b holes.full) * 512)) -ge "$(stat -c %s holes.full)"
else
  echo "note: this file system keeps no holes: sparse sizes not checked"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
