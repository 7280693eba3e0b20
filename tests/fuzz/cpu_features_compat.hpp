// cpu_features_compat.hpp — force-included into the CPU backend's sources
// (CMakeLists.txt) only by a compiler whose __builtin_cpu_supports does not
// know the AMX feature names (clang before 16: "invalid cpu feature string"),
// so that the sanitizer and fuzz tree can be built with Debian 12's clang 14.
// AMX-TILE and AMX-INT8 are read from CPUID leaf 7 (EDX bits 24 and 25);
// every other name goes to the compiler's builtin, as before. The engine's
// own amx_permitted() still asks the kernel for the tile state.
#pragma once

#include <cpuid.h>

#include <cstring>

inline bool mbz_compat_cpu_supports(const char* f) {
  if (std::strcmp(f, "amx-tile") == 0 || std::strcmp(f, "amx-int8") == 0) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return (d >> (std::strcmp(f, "amx-tile") == 0 ? 24 : 25)) & 1u;
  }
  if (std::strcmp(f, "avx2") == 0) return __builtin_cpu_supports("avx2");
  if (std::strcmp(f, "avx512f") == 0) return __builtin_cpu_supports("avx512f");
  if (std::strcmp(f, "avx512bw") == 0) return __builtin_cpu_supports("avx512bw");
  if (std::strcmp(f, "avx512vl") == 0) return __builtin_cpu_supports("avx512vl");
  if (std::strcmp(f, "avx512dq") == 0) return __builtin_cpu_supports("avx512dq");
  if (std::strcmp(f, "avx512vnni") == 0) return __builtin_cpu_supports("avx512vnni");
  return false;  // a feature this list does not know: not used
}

#define __builtin_cpu_supports(feature) mbz_compat_cpu_supports(feature)
