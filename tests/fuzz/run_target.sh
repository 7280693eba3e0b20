#!/usr/bin/env bash
# One fuzz target in CTest (label `fuzz`): replays every committed regression
# input once (a crash fails the test), then fuzzes a scratch copy of the seed
# corpus for a few seconds. Inputs under regressions/<target>/known/ reproduce
# findings not fixed yet (docs/FUZZING.md): they are listed, not run.
# Usage: run_target.sh BINARY SEEDS REGRESSIONS DICT MAX_LEN SECONDS
set -euo pipefail
bin=$1 seeds=$2 regressions=$3 dict=$4 max_len=$5 seconds=$6
name=$(basename "$bin")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

mapfile -t inputs < <(find "$regressions" -maxdepth 1 -type f ! -name '*.md' 2>/dev/null | sort)
if [ ${#inputs[@]} -gt 0 ]; then
  echo "== $name: ${#inputs[@]} regression inputs"
  "$bin" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=60 "${inputs[@]}" 2>&1 | tail -n 3
fi
if [ -d "$regressions/known" ]; then
  echo "== $name: known open findings, not run: $(ls "$regressions/known" | grep -v '\.md$' | tr '\n' ' ')"
fi

artifacts="$(dirname "$(dirname "$seeds")")/artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$seeds"/. "$work"/ 2>/dev/null || true
echo "== $name: fuzzing $seconds s from $(ls "$work" | wc -l) seeds"
# -timeout: a single input running longer is a finding (hostile sizes must not
# make the decoder loop); -rss_limit_mb / -malloc_limit_mb bound memory.
"$bin" -max_total_time="$seconds" -max_len="$max_len" -dict="$dict" -timeout=30 -rss_limit_mb=2048 \
  -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$work" >"$work/log" 2>&1 || {
  tail -n 60 "$work/log"
  echo "the failing input is under $artifacts/ (add it to $regressions/ once fixed)"
  exit 1
}
grep -E '^(#[0-9]+.*(DONE|INITED)|stat::number_of_executed_units|stat::average_exec_per_sec)' "$work/log" || true
