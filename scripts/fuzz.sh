#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz, docs/FUZZING.md) for longer than
# the test suite does, one after another, each with its own corpus kept in
# fuzz-corpus/<target>/ (gitignored), so a second run resumes where the last
# stopped. Findings go to fuzz-corpus/artifacts/; each target's log to
# fuzz-corpus/logs/<target>.log. Ends with a table: seconds, CPU seconds, executions,
# execs/s, coverage (cov: edges, ft: features), corpus size, findings.
#
#   bash scripts/fuzz.sh [-t SECONDS_PER_TARGET] [-j JOBS] [-k] [TARGET...]
#
# -t: seconds each target runs (default 600); -j: libFuzzer jobs per target
# (parallel processes sharing its corpus; default 1); -k: keep going after a
# finding (libFuzzer's -fork mode; implied by -j 2 and more). TARGET: fuzz_frame,
# fuzz_inspect, fuzz_decompress, fuzz_c_dstream, fuzz_pcm, fuzz_image,
# fuzz_media, fuzz_side_info, fuzz_model (default: all). Needs the
# sanitizer tree that scripts/test.sh builds (build-asan/, clang); builds
# the targets in it if needed. MBZ_FUZZ_BIN=DIR runs the binaries in DIR
# instead (a copy, so that rebuilding does not disturb a long run). Run it
# under `nice` on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=600 jobs=1 keep=0
while getopts "t:j:k" opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    k) keep=1 ;;
    *) sed -n '2,24p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
all=(fuzz_frame fuzz_inspect fuzz_decompress fuzz_c_dstream fuzz_pcm fuzz_image fuzz_media fuzz_side_info fuzz_model)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

bin=${MBZ_FUZZ_BIN:-}
if [ -z "$bin" ]; then
  if [ ! -f build-asan/CMakeCache.txt ] || ! grep -q '^MBZ_HAVE_LIBFUZZER:INTERNAL=1' build-asan/CMakeCache.txt; then
    echo "build-asan/ has no fuzz targets: run scripts/test.sh once (it configures the tree with clang and libFuzzer)" >&2
    exit 1
  fi
  cmake --build build-asan -j "$(nproc)" --target fuzz_targets >/dev/null
  bin=build-asan/tests/fuzz
fi

# name -> dictionary and -max_len, as in tests/fuzz/CMakeLists.txt
declare -A dict=([fuzz_frame]=mbz [fuzz_inspect]=mbz [fuzz_decompress]=mbz [fuzz_c_dstream]=mbz [fuzz_pcm]=audio
  [fuzz_image]=image [fuzz_media]=media [fuzz_side_info]=side_info [fuzz_model]=model)
declare -A max_len=([fuzz_frame]=20000 [fuzz_inspect]=20000 [fuzz_decompress]=20000 [fuzz_c_dstream]=20000
  [fuzz_pcm]=8192 [fuzz_image]=8192 [fuzz_media]=8192 [fuzz_side_info]=8192 [fuzz_model]=200000)

out=fuzz-corpus
mkdir -p "$out/logs" "$out/artifacts" "$out/seeds"
"$bin"/fuzz_seeds "$PWD" "$out/seeds"
export MBZ_MODEL_PATH="$PWD/tests/golden"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for t in "${targets[@]}"; do
  [ -n "${dict[$t]:-}" ] || { echo "unknown target $t" >&2; exit 2; }
  mkdir -p "$out/$t"
  log="$out/logs/$t.log"
  echo "== $t: $seconds s, $jobs job(s), corpus $out/$t ($(ls "$out/$t" | wc -l) inputs), log $log"
  args=(-max_total_time="$seconds" -max_len="${max_len[$t]}" -dict="tests/fuzz/${dict[$t]}.dict" -timeout=30
        -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-"
        "$out/$t" "$out/seeds/$t")
  # CPU seconds (user + system) of the target and every process it forks,
  # which is what a campaign's hours count on a shared machine.
  TIMEFORMAT='%U %S'
  if [ "$jobs" -gt 1 ] || [ $keep = 1 ]; then
    # -fork: crashes are recorded and fuzzing goes on.
    { time "$bin/$t" -fork="$jobs" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 "${args[@]}" >"$log" 2>&1 || true; } 2>"$out/logs/$t.cpu"
  else
    { time "$bin/$t" "${args[@]}" >"$log" 2>&1 || true; } 2>"$out/logs/$t.cpu"
  fi
done

echo
printf '%-16s %8s %8s %11s %8s %7s %7s %8s %s\n' target seconds cpu-s executions exec/s cov ft corpus findings
for t in "${targets[@]}"; do
  log="$out/logs/$t.log"
  [ -f "$log" ] || continue
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1 || true)
  [ -n "$execs" ] || execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last" || true)
  rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1 || true)
  # -fork's lines give the recent rate: the average is executions over time.
  secs=$(grep -oE 'time: [0-9]+s' <<<"$last" | grep -oE '[0-9]+' || true)
  [ -n "$rate" ] || { [ -n "$secs" ] && [ "$secs" -gt 0 ] && rate=$((execs / secs)); } || true
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
  findings=$(ls "$out/artifacts" 2>/dev/null | grep -c "^$t-" || true)
  cpu=$(awk '{ printf "%d", $1 + $2 }' "$out/logs/$t.cpu" 2>/dev/null || true)
  printf '%-16s %8s %8s %11s %8s %7s %7s %8s %s\n' "$t" "$seconds" "${cpu:-?}" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "$(ls "$out/$t" | wc -l)" "$findings"
done
