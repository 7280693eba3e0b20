// cpu_features.cpp — CPUID and XCR0 bits behind CpuFeatures; see cpu_features.hpp.
#include "engine/kernels/cpu_features.hpp"

#include <cpuid.h>

#include <cstdint>

namespace mbz::kernels {

namespace {

// CPUID leaf 1, ECX.
constexpr unsigned kOsxsave = 1u << 27, kAvx = 1u << 28;
// CPUID leaf 7 subleaf 0: EBX, ECX, EDX.
constexpr unsigned kAvx2 = 1u << 5, kAvx512f = 1u << 16, kAvx512dq = 1u << 17, kAvx512bw = 1u << 30,
                   kAvx512vl = 1u << 31;
constexpr unsigned kAvx512vbmi = 1u << 1, kAvx512vnni = 1u << 11;
constexpr unsigned kAmxTile = 1u << 24, kAmxInt8 = 1u << 25;
// XCR0: the register states the operating system saves.
constexpr uint64_t kXcr0Avx = (1u << 1) | (1u << 2);                 // SSE, AVX (YMM upper halves)
constexpr uint64_t kXcr0Avx512 = kXcr0Avx | (7u << 5);              // and opmask, ZMM_Hi256, Hi16_ZMM
constexpr uint64_t kXcr0Amx = (uint64_t{1} << 17) | (uint64_t{1} << 18);  // XTILECFG, XTILEDATA

// xgetbv as an instruction, not the _xgetbv intrinsic, so the file needs no
// -mxsave; run only where CPUID says OSXSAVE.
uint64_t read_xcr0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return uint64_t{hi} << 32 | lo;
}

CpuFeatures detect() {
  CpuFeatures f;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & kOsxsave) || !(c & kAvx)) return f;
  const uint64_t xcr0 = read_xcr0();
  const bool avx_state = (xcr0 & kXcr0Avx) == kXcr0Avx;
  const bool avx512_state = (xcr0 & kXcr0Avx512) == kXcr0Avx512;
  const bool amx_state = (xcr0 & kXcr0Amx) == kXcr0Amx;
  if (!avx_state || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;  // __get_cpuid_count checks the highest leaf
  f.avx2 = (b & kAvx2) != 0;
  if (avx512_state) {
    f.avx512f = (b & kAvx512f) != 0;
    f.avx512dq = (b & kAvx512dq) != 0;
    f.avx512bw = (b & kAvx512bw) != 0;
    f.avx512vl = (b & kAvx512vl) != 0;
    f.avx512vnni = (c & kAvx512vnni) != 0;
    f.avx512vbmi = (c & kAvx512vbmi) != 0;
  }
  if (amx_state) {
    f.amx_tile = (d & kAmxTile) != 0;
    f.amx_int8 = (d & kAmxInt8) != 0;
  }
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

}  // namespace mbz::kernels
