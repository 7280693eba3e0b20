#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs the unit tests
# under AddressSanitizer and UndefinedBehaviorSanitizer in a second build tree
# (build-asan/), then every test (CTest), whose summary closes the output.
# MBZ_SANITIZE=0 skips the sanitizer pass (a quicker local loop).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

if [ "${MBZ_SANITIZE:-1}" != "0" ]; then
  echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
    -DCMAKE_CXX_FLAGS="$san" -DCMAKE_C_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
  cmake --build build-asan -j "$(nproc)" --target mbz_tests
  # libtorch itself is not instrumented; leak checking would report its
  # process-lifetime allocations, so it is off.
  ASAN_OPTIONS=detect_leaks=0 MBZ_MODEL_PATH="$PWD/tests/golden" ./build-asan/tests/mbz_tests --gtest_brief=1
fi

cd build
ctest --output-on-failure -j "$(nproc)" --timeout 900
