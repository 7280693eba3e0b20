#!/usr/bin/env bash
# CLI tests of interruption and full disks: mbz stopped by SIGINT or SIGTERM
# in the middle of compressing or decompressing, and mbz writing onto a
# device or filesystem that is full (/dev/full, a file size limit, a small
# tmpfs where one can be mounted), must exit non-zero (1 for a write error,
# with the cause), leave no output and no temporary file, and keep its
# input, --rm or not. A signal that was ignored when mbz started (nohup)
# stays ignored. --rm syncs its output to disk before removing the input,
# and an fsync that fails (FAIL_FSYNC_LIB, preloaded) keeps the input.
# Usage: cli_interrupt_test.sh MBZ_BINARY SOURCE_DIR FAIL_FSYNC_LIB
set -u
MBZ=$1
SRC=$2
FAIL_FSYNC=$3
export MBZ_MODEL_PATH="$SRC/tests/golden"
MODEL="$SRC/tests/golden/tiny-golden-v1.mbzm"
. "$(dirname "$0")/expect.sh"
no_temp() { [ -z "$(find "$1" -name '*.tmp.*' 2>/dev/null)" ]; }  # no temporary output under a folder
sum() { cksum < "$1"; }

# Inputs: 2 MiB that the model codes slowly (random bytes: several seconds
# with the small model, so a signal lands mid-run), and 200 concatenated
# frames of a golden file (800 KiB of text, a few seconds to decode).
head -c 2097152 /dev/urandom > big.bin
for i in $(seq 200); do cat "$SRC/tests/golden/v1-mixer-gpl3-4k.mbz"; done > many.mbz

# --- Signals --------------------------------------------------------------

# interrupt NAME SIGNAL OUTPUT INPUT MBZ_ARGS...: starts mbz, waits until
# its temporary output exists (it is mid-run), signals it, and checks what
# is left. Job control (set -m) gives the background job the default
# SIGINT that a script's background jobs would otherwise ignore.
interrupt() {
  local name=$1 sig=$2 out=$3 in=$4; shift 4
  local before; before=$(sum "$in")
  set -m
  "$MBZ" "$@" 2>"$T/err" </dev/null &
  local pid=$!
  set +m
  local i
  for i in $(seq 400); do
    [ -n "$(find . -maxdepth 1 -name "$out.tmp.*")" ] && break
    sleep 0.025
  done
  sleep 0.2
  local running=0
  kill -0 "$pid" 2>/dev/null && running=1
  kill -s "$sig" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  local rc=$?
  expect "$name: mbz was still running when signalled" test $running -eq 1
  expect "$name: killed by SIG$sig (exit $rc)" test "$rc" -eq $((128 + $(kill -l "$sig")))
  expect "$name: no output" test ! -e "$out"
  expect "$name: no temporary file" no_temp .
  expect "$name: input untouched" test "$(sum "$in")" = "$before"
}

interrupt "compress, SIGINT" INT big.bin.mbz big.bin -m "$MODEL" --segment-size 64K big.bin
interrupt "compress -o, SIGTERM" TERM out.mbz big.bin -m "$MODEL" -o out.mbz big.bin
interrupt "compress --rm, SIGTERM" TERM big.bin.mbz big.bin --rm -m "$MODEL" big.bin
expect "compress --rm, SIGTERM: input kept" test -e big.bin
interrupt "decompress, SIGINT" INT many many.mbz -d many.mbz
interrupt "decompress -o, SIGTERM" TERM many.out many.mbz -d -o many.out many.mbz
interrupt "decompress --rm, SIGINT" INT many many.mbz -d --rm many.mbz
expect "decompress --rm, SIGINT: input kept" test -e many.mbz

# Started with SIGHUP ignored (nohup): a hangup does not stop it.
before=$(sum big.bin)
sh -c 'trap "" HUP; exec "$0" "$@"' "$MBZ" -m "$MODEL" -o hup.mbz big.bin 2>"$T/err" </dev/null &
pid=$!
for i in $(seq 400); do [ -n "$(find . -maxdepth 1 -name 'hup.mbz.tmp.*')" ] && break; sleep 0.025; done
kill -HUP "$pid"
sleep 0.3
expect "nohup: SIGHUP ignored, still running" kill -0 "$pid"
kill -TERM "$pid"
wait "$pid"
expect "nohup: then SIGTERM stops it (exit $?)" test ! -e hup.mbz
expect "nohup: no temporary file" no_temp .

# --- Full disks -----------------------------------------------------------

head -c 3000 "$SRC/samples/gpl-3.0.txt" > small.txt
cp small.txt small.keep
head -c 24576 big.bin > mid.bin   # 24 KiB: its .mbz is larger than 16 KiB
for i in 1 2 3 4 5 6; do cat "$SRC/tests/golden/v1-mixer-gpl3-4k.mbz"; done > six.mbz   # decodes to 24 KiB

# full NAME SIZE_IN_KIB TARGET_DIR LAUNCH...: runs `LAUNCH mbz ARGS` (set by
# the caller in ARGS), expects exit 1 with the cause, no output or
# temporary file in TARGET_DIR, and the input (last argument) kept.
full() {
  local name=$1 cause=$2 dir=$3; shift 3
  local in=${ARGS[${#ARGS[@]}-1]}
  local before; before=$(sum "$in")
  "$@" "$MBZ" "${ARGS[@]}" >"$T/stdout" 2>"$T/err" </dev/null
  local rc=$?
  expect "$name: exit 1 (got $rc)" test $rc -eq 1
  expect "$name: says why ($(head -c 200 "$T/err"))" grep -q "$cause" "$T/err"
  expect "$name: no output" test -z "$(find "$dir" -name 'out*' 2>/dev/null)"
  expect "$name: no temporary file" no_temp "$dir"
  expect "$name: input kept" test -e "$in"
  expect "$name: input untouched" test "$(sum "$in")" = "$before"
}
to_dev_full() { "$@" > /dev/full; }

ARGS=(-m "$MODEL" -c small.txt)
full "compress -c > /dev/full" "cannot write standard output: No space left on device" . to_dev_full
ARGS=(-d -c six.mbz)
full "decompress -c > /dev/full" "cannot write standard output: No space left on device" . to_dev_full
ARGS=(-m "$MODEL" -c --rm small.txt)
full "compress -c --rm > /dev/full" "No space left on device" . to_dev_full

# A file size limit (ulimit -f, in KiB): writes past it fail with EFBIG.
mkdir lim
limited() { (ulimit -f 16; exec "$@"); }
ARGS=(-m "$MODEL" -o lim/out.mbz mid.bin)
full "compress -o past ulimit -f" "cannot write lim/out.mbz: File too large" lim limited
ARGS=(--rm -m "$MODEL" -o lim/out.mbz mid.bin)
full "compress --rm past ulimit -f" "File too large" lim limited
ARGS=(-d --rm -o lim/out six.mbz)
full "decompress --rm past ulimit -f" "cannot write lim/out: File too large" lim limited

# A disk that fails at fsync (EIO): --rm must not remove the input.
mkdir sync
failing_fsync() { LD_PRELOAD="$FAIL_FSYNC" ASAN_OPTIONS=verify_asan_link_order=0 "$@"; }
ARGS=(--rm -m "$MODEL" -o sync/out.mbz small.txt)
full "compress --rm, fsync fails" "cannot write sync/out.mbz: Input/output error" sync failing_fsync
ARGS=(-d --rm -o sync/out six.mbz)
full "decompress --rm, fsync fails" "cannot write sync/out: Input/output error" sync failing_fsync
# Without --rm nothing is synced (as gzip, xz and zstd): the same disk is no error.
failing_fsync "$MBZ" -m "$MODEL" -o sync/out.mbz small.txt 2>"$T/err"
expect "without --rm, no fsync (exit $?)" "$MBZ" -t sync/out.mbz
rm -f sync/out.mbz

# A 16 KiB tmpfs: as root in a private mount namespace, else in a user
# namespace where the kernel allows one; skipped where neither can mount.
# The tmpfs lives as long as the namespace: what mbz left in it is listed
# in tiny.left before it goes.
mkdir tiny
in_tmpfs() {  # in_tmpfs COMMAND...: runs it with a 16 KiB tmpfs on tiny/
  local ns=(unshare --mount)
  [ "$(id -u)" -eq 0 ] || ns=(unshare --user --map-root-user --mount)
  "${ns[@]}" sh -c 'mount -t tmpfs -o size=16k tmpfs tiny || exit 99; "$@"; rc=$?; ls -A tiny > tiny.left; exit $rc' sh "$@"
}
if in_tmpfs true 2>/dev/null; then
  ARGS=(--rm -m "$MODEL" -o tiny/out.mbz mid.bin)
  full "compress --rm onto a full tmpfs" "cannot write tiny/out.mbz: No space left on device" tiny in_tmpfs
  expect "compress --rm onto a full tmpfs: nothing left in it ($(cat tiny.left))" test ! -s tiny.left
  ARGS=(-d --rm -o tiny/out six.mbz)
  full "decompress --rm onto a full tmpfs" "cannot write tiny/out: No space left on device" tiny in_tmpfs
  expect "decompress --rm onto a full tmpfs: nothing left in it ($(cat tiny.left))" test ! -s tiny.left
else
  echo "skipped: no tmpfs can be mounted here (not root, no user namespaces)"
fi

report "interruption and full-disk tests"
