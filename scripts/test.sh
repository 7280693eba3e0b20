#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds (release), then
#  1. the unit tests under AddressSanitizer and UndefinedBehaviorSanitizer in
#     a second build tree (build-asan/). With clang and libFuzzer (Debian's
#     clang and libclang-rt-14-dev, installed here if missing) that tree is
#     built with clang and -fsanitize=fuzzer-no-link, so the same library
#     also serves the fuzz targets (tests/fuzz), which then each replay their
#     regression inputs and fuzz for a few seconds (CTest label `fuzz`);
#     without them the fuzz targets are skipped with a message;
#  2. the thread, streaming and staged-encoder tests under ThreadSanitizer (build-tsan/, a
#     TSan build of the library and that one test program only), run in the
#     background from the start, beside the release build and step 1 (log:
#     build-tsan/stage.log, printed after step 1);
#  3. every test of the release build (CTest), whose summary closes the output.
# Before them it installs what only the suite uses: pypy3 (the spec
# decoder's interpreter, CTest spec_decoder) and, for 1, clang.
# MBZ_SANITIZE=0 skips 1 and 2 (a quicker local loop); MBZ_FUZZ_SECONDS sets
# the seconds each fuzz target runs (default 4; 0 skips the fuzz targets).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage's header says when it starts (minutes:seconds since the start):
# the suite should stay under 10 minutes on a 2-core machine.
clock() { printf '%d:%02d' $((SECONDS / 60)) $((SECONDS % 60)); }
bash scripts/install-deps.sh
jobs=$(nproc)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# One compiler cache for every clone (scripts/build.sh says why).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

# Packages only the suite uses, in one apt-get call: PyPy runs the spec
# decoder (CTest spec_decoder, pure Python) in less than half of CPython's
# time (tests/CMakeLists.txt; without it, python3 runs it); clang with
# libFuzzer's runtime (Debian 12's clang 14) builds the sanitizer tree.
suite_packages=(pypy3)
[ "${MBZ_SANITIZE:-1}" != "0" ] && suite_packages+=(clang libclang-rt-14-dev)
installed=$(dpkg-query -W -f='${Status}\n' "${suite_packages[@]}" 2>/dev/null | grep -c "install ok installed" || true)
if [ "$installed" != "${#suite_packages[@]}" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      "${suite_packages[@]}" >/dev/null; } || echo "note: could not install ${suite_packages[*]}; the spec decoder runs with python3, fuzz targets may be skipped"
fi

if [ "${MBZ_SANITIZE:-1}" != "0" ]; then
  fuzz_seconds=${MBZ_FUZZ_SECONDS:-4}
  san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
  compilers=()
  fuzz=OFF
  if command -v clang++ >/dev/null && echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
      clang++ -x c++ -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
    compilers=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++)
    san="$san -fsanitize=fuzzer-no-link"
    fuzz=ON
  else
    echo "note: no clang with libFuzzer (-fsanitize=fuzzer): sanitizer tree built with the default compiler, fuzz targets skipped"
  fi
  # The ThreadSanitizer pass runs in the background from here, beside the
  # release build and the ASan and fuzz stages (each leaves cores idle while
  # configuring, linking and at its last tests); its output is printed after
  # them. clang: the build needs -fno-sanitize-thread-func-entry-exit
  # (CMakeLists.txt, MBZ_TSAN_TESTS).
  tsan_pid=""
  if command -v clang++ >/dev/null; then
    tsan_start=$(clock)
    mkdir -p build-tsan
    (
      cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON "${launcher[@]}" -DCMAKE_C_COMPILER=clang \
        -DCMAKE_CXX_COMPILER=clang++ -DMBZ_TSAN_TESTS=ON -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
        -DCMAKE_C_FLAGS="-fsanitize=thread" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >/dev/null
      cmake --build build-tsan -j "$jobs" --target mbz_thread_tests >/dev/null
      # A process per test on every core (CTest label `tsan`; its options are in tests/CMakeLists.txt).
      ctest --test-dir build-tsan -L tsan --output-on-failure -j "$jobs" |
        grep -vE '^ *(Start +[0-9]+:|[0-9]+\/[0-9]+ Test +#[0-9]+: .* Passed)'
    ) > build-tsan/stage.log 2>&1 &
    tsan_pid=$!
    trap '[ -z "$tsan_pid" ] || kill "$tsan_pid" 2>/dev/null || true' EXIT
  fi
fi

bash scripts/build.sh
echo "== release build done at $(clock)"

if [ "${MBZ_SANITIZE:-1}" != "0" ]; then
  echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (building from $(clock))"
  # A unity build (files compiled in batches; CMakeLists.txt): a fifth less
  # compiling than file by file, for the same checks. So is the TSan tree.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON "${launcher[@]}" "${compilers[@]}" -DMBZ_FUZZ=$fuzz \
    -DMBZ_FUZZ_SECONDS="$fuzz_seconds" -DCMAKE_CXX_FLAGS="$san" -DCMAKE_C_FLAGS="$san" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
  targets=(mbz_tests mbz_exactness_tests)
  [ $fuzz = ON ] && [ "$fuzz_seconds" != "0" ] && targets+=(fuzz_targets)
  cmake --build build-asan -j "$jobs" --target "${targets[@]}"
  # libtorch itself is not instrumented; leak checking would report its
  # process-lifetime allocations, so it is off.
  # One process per test (CTest label `unit`), on every core. The golden
  # variants' probability traces (GoldenVariants, ~90 tests) pin integers,
  # which the release tree checks; under ASan they would double this step's
  # time, and their decoders' memory safety is checked here by GoldenFiles
  # and by the fuzz targets, whose seeds include every golden file.
  ASAN_OPTIONS=detect_leaks=0 ctest --test-dir build-asan -L unit -E '^GoldenVariants/' --output-on-failure -j "$jobs" |
    grep -vE '^ *(Start +[0-9]+:|[0-9]+\/[0-9]+ Test +#[0-9]+: .* Passed)'
  if [ $fuzz = ON ] && [ "$fuzz_seconds" != "0" ]; then
    echo "== fuzz targets: regression inputs, then ${fuzz_seconds} s each (scripts/fuzz.sh runs them longer; $(clock))"
    ctest --test-dir build-asan -L fuzz --output-on-failure -j "$jobs"
  fi

  if [ -n "$tsan_pid" ]; then
    echo "== thread, streaming and staged-encoder tests under ThreadSanitizer (run beside the stages above since $tsan_start; $(clock))"
    rc=0
    wait "$tsan_pid" || rc=$?
    tsan_pid=""
    cat build-tsan/stage.log
    [ "$rc" -eq 0 ] || exit 1
  else
    echo "note: no clang: the ThreadSanitizer pass is skipped"
  fi
fi

echo "== every test of the release build ($(clock))"
cd build
# One test more than cores: the 4.5 GiB stream test waits on pipes and the
# disk for much of its minute.
ctest --output-on-failure -j "$((jobs + 1))" --timeout 900
