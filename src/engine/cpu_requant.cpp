// cpu_requant.cpp — see cpu_requant.hpp.
#include "engine/cpu_requant.hpp"

#include "engine/avx512.hpp"

#include <algorithm>

namespace mbz {

namespace {

constexpr int32_t kR = kResidualMax;

inline int64_t rq_plain(int32_t acc, const Multipliers& m, int j, int64_t lo, int64_t hi) {
  return std::clamp<int64_t>((int64_t(acc) * m.mant[j] + m.round[j]) >> m.shift[j], lo, hi);
}

// 16 columns: clamp(floor(acc * m + 1/2), lo, hi) as int32 (acc * m + 1/2 is
// exact). The clamp comes first and the floor with the conversion (rounding
// toward -inf): lo and hi are integers, so clamp and floor commute.
inline MBZ_AVX512 __m512i rq16(__m512i acc, const double* m, __mmask16 mask, __m512d lo, __m512d hi) {
  const __m512d half = _mm512_set1_pd(0.5);
  const __m512d m0 = _mm512_maskz_loadu_pd(__mmask8(mask), m), m1 = _mm512_maskz_loadu_pd(__mmask8(mask >> 8), m + 8);
  __m512d v0 = _mm512_fmadd_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(acc)), m0, half);
  __m512d v1 = _mm512_fmadd_pd(_mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(acc, 1)), m1, half);
  v0 = _mm512_min_pd(_mm512_max_pd(v0, lo), hi);
  v1 = _mm512_min_pd(_mm512_max_pd(v1, lo), hi);
  constexpr int kFloor = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvt_roundpd_epi32(v0, kFloor)), _mm512_cvt_roundpd_epi32(v1, kFloor),
                            1);
}

template <class Emit>
MBZ_AVX512 void for_each16(const int32_t* y, int rows, int n, const Multipliers& m, double lo, double hi, Emit emit) {
  const __m512d vlo = _mm512_set1_pd(lo), vhi = _mm512_set1_pd(hi);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; j += 16) {
      const __mmask16 mask = tail16(n - j);
      const size_t i = static_cast<size_t>(r) * n + j;
      emit(i, mask, rq16(_mm512_maskz_loadu_epi32(mask, y + i), m.real.data() + j, mask, vlo, vhi));
    }
}

MBZ_AVX512 void requant_to_i8_avx512(const int32_t* y, int rows, int n, const Multipliers& m, int8_t* out) {
  for_each16(y, rows, n, m, -127, 127, [&](size_t i, __mmask16 mask, __m512i v) MBZ_AVX512 {
    _mm_mask_storeu_epi8(out + i, mask, _mm512_cvtepi32_epi8(v));
  });
}

MBZ_AVX512 void requant_to_i32_avx512(const int32_t* y, int rows, int n, const Multipliers& m, int32_t lo, int32_t hi,
                                      int32_t* out) {
  for_each16(y, rows, n, m, lo, hi, [&](size_t i, __mmask16 mask, __m512i v) MBZ_AVX512 {
    _mm512_mask_storeu_epi32(out + i, mask, v);
  });
}

MBZ_AVX512 void residual_add_avx512(int32_t* x, const int32_t* y, int rows, int n, const Multipliers& m) {
  const __m512i lo = _mm512_set1_epi32(-kR), hi = _mm512_set1_epi32(kR);
  for_each16(y, rows, n, m, -kR, kR, [&](size_t i, __mmask16 mask, __m512i v) MBZ_AVX512 {
    const __m512i s = _mm512_add_epi32(_mm512_maskz_loadu_epi32(mask, x + i), v);
    _mm512_mask_storeu_epi32(x + i, mask, _mm512_min_epi32(_mm512_max_epi32(s, lo), hi));
  });
}

MBZ_AVX512 void activation_avx512(const int32_t* y, int rows, int n, const Multipliers& m, int32_t g,
                                  const int32_t* lut, int8_t* out) {
  const __m512i vg = _mm512_set1_epi32(g);
  for_each16(y, rows, n, m, -g, g, [&](size_t i, __mmask16 mask, __m512i v) MBZ_AVX512 {
    const __m512i a = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), mask, _mm512_add_epi32(v, vg), lut, 4);
    _mm_mask_storeu_epi8(out + i, mask, _mm512_cvtepi32_epi8(a));
  });
}

// The same lookup by byte permutes: the index's low 7 bits pick one of 128
// bytes in each half of the table, bit 7 the half, and index 256 is `last`.
// for_each16's loop written out: it is compiled without VBMI, so it cannot
// take a lambda that uses it.
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512vbmi"))) void activation_vbmi(
    const int32_t* y, int rows, int n, const Multipliers& m, int32_t g, const ActivationBytes& b, int8_t* out) {
  const __m512i vg = _mm512_set1_epi32(g), t0 = _mm512_loadu_si512(b.table), t1 = _mm512_loadu_si512(b.table + 64),
                t2 = _mm512_loadu_si512(b.table + 128), t3 = _mm512_loadu_si512(b.table + 192),
                top = _mm512_set1_epi32(256);
  const __m128i last = _mm_set1_epi8(b.last);
  const __m512d lo = _mm512_set1_pd(-g), hi = _mm512_set1_pd(g);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; j += 16) {
      const __mmask16 mask = tail16(n - j);
      const size_t i = static_cast<size_t>(r) * n + j;
      const __m512i idx = _mm512_add_epi32(rq16(_mm512_maskz_loadu_epi32(mask, y + i), m.real.data() + j, mask, lo, hi), vg);
      const __m512i bi = _mm512_castsi128_si512(_mm512_cvtepi32_epi8(idx));
      const __m512i lo_half = _mm512_permutex2var_epi8(t0, bi, t1), hi_half = _mm512_permutex2var_epi8(t2, bi, t3);
      __m128i out16 = _mm512_castsi512_si128(_mm512_mask_blend_epi8(_mm512_movepi8_mask(bi), lo_half, hi_half));
      out16 = _mm_mask_blend_epi8(_mm512_cmpeq_epi32_mask(idx, top), out16, last);
      _mm_mask_storeu_epi8(out + i, mask, out16);
    }
}

}  // namespace

ActivationBytes activation_bytes(const std::vector<int32_t>& lut, int32_t g, bool cpu_has_vbmi) {
  ActivationBytes b;
  if (!cpu_has_vbmi || g < 1 || g > 128 || lut.size() != static_cast<size_t>(2 * g + 1)) return b;
  for (int32_t v : lut)
    if (v < -128 || v > 127) return b;
  for (size_t i = 0; i < lut.size(); ++i) (i < 256 ? b.table[i] : b.last) = static_cast<int8_t>(lut[i]);
  b.usable = true;
  return b;
}

void requant_to_i8(const int32_t* y, int rows, int n, const Multipliers& m, int8_t* out, bool wide) {
  if (wide) return requant_to_i8_avx512(y, rows, n, m, out);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) out[size_t(r) * n + j] = static_cast<int8_t>(rq_plain(y[size_t(r) * n + j], m, j, -127, 127));
}

void requant_to_i32(const int32_t* y, int rows, int n, const Multipliers& m, int32_t lo, int32_t hi, int32_t* out,
                    bool wide) {
  if (wide) return requant_to_i32_avx512(y, rows, n, m, lo, hi, out);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) out[size_t(r) * n + j] = static_cast<int32_t>(rq_plain(y[size_t(r) * n + j], m, j, lo, hi));
}

void residual_add(int32_t* x, const int32_t* y, int rows, int n, const Multipliers& m, bool wide) {
  if (wide) return residual_add_avx512(x, y, rows, n, m);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) {
      const size_t i = size_t(r) * n + j;
      x[i] = static_cast<int32_t>(std::clamp<int64_t>(x[i] + rq_plain(y[i], m, j, -kR, kR), -kR, kR));
    }
}

void activation(int32_t* y, int rows, int n, const Multipliers& m, int32_t g, const int32_t* lut, int8_t* out, bool wide,
                const ActivationBytes* bytes) {
  if (wide && bytes && bytes->usable) return activation_vbmi(y, rows, n, m, g, *bytes, out);
  if (wide) return activation_avx512(y, rows, n, m, g, lut, out);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) {
      const size_t i = size_t(r) * n + j;
      out[i] = static_cast<int8_t>(lut[rq_plain(y[i], m, j, -g, g) + g]);
    }
}

}  // namespace mbz
