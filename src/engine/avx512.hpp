// avx512.hpp — what the CPU backend's AVX-512 forms share: the target they
// are compiled for (by function attribute, so no other code is built for an
// instruction set the CPU may lack) and the masks of a partial last vector.
// Include it only in the engine's .cpp files that have AVX-512 forms.
#pragma once

#include <immintrin.h>

// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized and -Wuninitialized on
// their own undefined-vector placeholders (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#define MBZ_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq")))

namespace mbz {

// Lanes [0, left) of a 16- or 8-lane vector (all of them when left >= the width).
inline MBZ_AVX512 __mmask16 tail16(int left) {
  return left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
}
inline MBZ_AVX512 __mmask8 tail8(int left) {
  return left >= 8 ? __mmask8(0xFF) : left <= 0 ? __mmask8(0) : __mmask8((1u << left) - 1);
}

}  // namespace mbz
