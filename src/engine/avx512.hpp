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

// floor(num / den) per lane for integers held exactly (|num| and |q * den|
// exact in the type: below 2^53 as doubles, 2^24 as floats): the guess
// floor(num * inv), inv = 1 / den, is within one of the quotient and is
// corrected by one with exact comparisons. The attention weights, the byte
// tables and RMSNorm divide this way.
inline MBZ_AVX512 __m512d floor_quotient(__m512d num, __m512d den, __m512d inv) {
  const __m512d unit = _mm512_set1_pd(1.0);
  __m512d q = _mm512_roundscale_pd(_mm512_mul_pd(num, inv), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  q = _mm512_mask_sub_pd(q, _mm512_cmp_pd_mask(_mm512_mul_pd(q, den), num, _CMP_GT_OQ), q, unit);
  return _mm512_mask_add_pd(q, _mm512_cmp_pd_mask(_mm512_mul_pd(_mm512_add_pd(q, unit), den), num, _CMP_LE_OQ), q, unit);
}
inline MBZ_AVX512 __m512 floor_quotient(__m512 num, __m512 den, __m512 inv) {
  const __m512 unit = _mm512_set1_ps(1.0f);
  __m512 q = _mm512_roundscale_ps(_mm512_mul_ps(num, inv), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  q = _mm512_mask_sub_ps(q, _mm512_cmp_ps_mask(_mm512_mul_ps(q, den), num, _CMP_GT_OQ), q, unit);
  return _mm512_mask_add_ps(q, _mm512_cmp_ps_mask(_mm512_mul_ps(_mm512_add_ps(q, unit), den), num, _CMP_LE_OQ), q, unit);
}

}  // namespace mbz
