// cpu_attention.cpp — see cpu_attention.hpp. Each step has a plain form
// (the portable and AVX2 kernels use it) and an AVX-512 form (with the
// AVX-512 VNNI and AMX kernels); both compute the same exact values, and the tests run
// every kernel against the libtorch reference.
#include "engine/cpu_attention.hpp"

#include "engine/avx512.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

namespace mbz {

namespace {

// The contiguous runs of ring slots holding positions [first, first + n): at most two.
struct RingRuns {
  int64_t slot[2];
  int count[2];
};
RingRuns ring_runs(int64_t first, int n, int cap) {
  const int64_t s0 = first % cap;
  const int a = static_cast<int>(std::min<int64_t>(n, cap - s0));
  return RingRuns{{s0, 0}, {a, n - a}};
}

// ------------------------------------------------------------------ plain

// s[r][t] = q_r . k_t for `count` keys from slot 0 of kt (group stride
// g_stride = cap * 4 bytes; HeadRing's layout, k + 128).
void scores_plain(const int8_t* q, int q_stride, int rows, const uint8_t* kt, int g_stride, int dh, int count, float* s,
                  int s_stride) {
  for (int r = 0; r < rows; ++r) {
    const int8_t* qr = q + static_cast<size_t>(r) * q_stride;
    for (int t = 0; t < count; ++t) {
      int32_t dot = 0;
      for (int j = 0; j < dh; ++j)
        dot += int32_t(qr[j]) * (int32_t(kt[static_cast<size_t>(j / 4) * g_stride + t * 4 + j % 4]) - 128);
      s[static_cast<size_t>(r) * s_stride + t] = static_cast<float>(dot);
    }
  }
}

// Probabilities of n keys (scores s, the last key at distance 0) into p as floats.
void weights_plain(const AttentionRule& a, const float* s, int n, int64_t* e, float* p) {
  int64_t top = INT64_MIN;
  for (int i = 0; i < n; ++i) {
    e[i] = ((static_cast<int64_t>(s[i]) * a.mant + a.round) >> a.shift) - a.slope * (n - 1 - i);
    top = std::max(top, e[i]);
  }
  int64_t sum = 0;
  for (int i = 0; i < n; ++i) sum += (e[i] = a.lut[std::min(top - e[i], a.lut_len - 1)]);
  const double den = 2.0 * static_cast<double>(sum), half = static_cast<double>(sum);
  for (int i = 0; i < n; ++i) p[i] = static_cast<float>(std::floor((static_cast<double>(e[i]) * a.one + half) / den));
}

// av[r] += sum_t p[r][t] * v(slot0 + t) over `count` slots (HeadRing's
// value layout: quads of four slots side by side, q_stride bytes apart),
// a quad at a time: its four weights (0 for slots outside the run) times
// the four values of each component, which lie side by side.
void values_plain(const float* p, int p_stride, int rows, const int8_t* v, int q_stride, int64_t slot0, int dh, int count,
                  float* av, int av_stride) {
  const int lead = static_cast<int>(slot0 % 4);
  for (int r = 0; r < rows; ++r) {
    float* out = av + static_cast<size_t>(r) * av_stride;
    const float* pr = p + static_cast<size_t>(r) * p_stride;
    for (int b = 0; b < lead + count; b += 4) {  // b: the quad's first slot, counted from slot0 - lead
      float w[4];
      for (int i = 0; i < 4; ++i) w[i] = b + i >= lead && b + i < lead + count ? pr[b + i - lead] : 0.0f;
      if (w[0] == 0.0f && w[1] == 0.0f && w[2] == 0.0f && w[3] == 0.0f) continue;
      const int8_t* quad = v + static_cast<size_t>((slot0 - lead + b) / 4) * q_stride;  // component j at quad[4 j + i]
      for (int j = 0; j < dh; ++j)
        out[j] += w[0] * static_cast<float>(quad[4 * j]) + w[1] * static_cast<float>(quad[4 * j + 1]) +
                  w[2] * static_cast<float>(quad[4 * j + 2]) + w[3] * static_cast<float>(quad[4 * j + 3]);
    }
  }
}

// ---------------------------------------------------------------- AVX-512

// R queries times NV vectors of 16 keys in one pass over keys [t0, t0 +
// 16 NV) (the last vector may be partial): R * NV independent accumulators
// (at most 8), so the chains overlap instead of waiting on each other; any
// order of these exact sums gives the same integers. Each vpdpbusd adds four
// components of 16 keys (k + 128, unsigned) times the same four of a query
// (signed); 128 * sum(q) comes off at the end. Every sum is an integer below
// 2^31, exact. The loops over R and NV are unrolled before GCC places the
// accumulators: left rolled, it kept them in memory and stored each at
// every group.
template <int R, int NV>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512vnni"))) void scores_pass(
    const int8_t* q4, int dh4, const int32_t* qsum, const uint8_t* kt, int g_stride, int t0, int count, float* s,
    int s_stride) {
  __mmask16 m[NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) m[v] = tail16(count - t0 - 16 * v);
  __m512i acc[R][NV];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_si512();
  for (int g = 0; g < dh4; ++g) {
    const uint8_t* group = kt + static_cast<size_t>(g) * g_stride + static_cast<size_t>(t0) * 4;
    __m512i k[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) k[v] = _mm512_maskz_loadu_epi32(m[v], group + 64 * v);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      int32_t quad;
      std::memcpy(&quad, q4 + static_cast<size_t>(r) * dh4 * 4 + 4 * g, 4);
      const __m512i qb = _mm512_set1_epi32(quad);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], k[v], qb);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    const __m512i off = _mm512_set1_epi32(128 * qsum[r]);
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v)
      _mm512_mask_storeu_ps(s + static_cast<size_t>(r) * s_stride + t0 + 16 * v, m[v],
                            _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[r][v], off)));
  }
}

// The last pass with only the vectors its keys fill (nv <= NV): a decoding
// step's local attention has at most 8 keys, where a full pass of 8 vectors
// did eight times the work.
template <int R, int NV>
void scores_tail(int nv, const int8_t* q4, int dh4, const int32_t* qsum, const uint8_t* kt, int g_stride, int t0, int count,
                 float* s, int s_stride) {
  if constexpr (NV >= 1) {
    if (nv == NV)
      scores_pass<R, NV>(q4, dh4, qsum, kt, g_stride, t0, count, s, s_stride);
    else
      scores_tail<R, NV - 1>(nv, q4, dh4, qsum, kt, g_stride, t0, count, s, s_stride);
  }
}

template <int R>
void scores_vnni(const int8_t* q4, int dh4, const int32_t* qsum, const uint8_t* kt, int g_stride, int count, float* s,
                 int s_stride) {
  constexpr int NV = R == 1 ? 8 : R == 2 ? 4 : 2;
  int t0 = 0;
  for (; t0 + 16 * NV <= count; t0 += 16 * NV) scores_pass<R, NV>(q4, dh4, qsum, kt, g_stride, t0, count, s, s_stride);
  if (t0 < count) scores_tail<R, NV>((count - t0 + 15) / 16, q4, dh4, qsum, kt, g_stride, t0, count, s, s_stride);
}

// The scaled logits of up to 8 keys: ((q·k) * mant + round) >> shift, less
// the ALiBi slope times each key's distance from the query (the first lane's
// is `dist`, the next ones one less each), in int64 as weights_plain's.
struct LogitRule {
  __m512i mant, round, slope, step;
  __m128i shift;
  MBZ_AVX512 explicit LogitRule(const AttentionRule& a)
      : mant(_mm512_set1_epi64(a.mant)),
        round(_mm512_set1_epi64(a.round)),
        slope(_mm512_set1_epi64(a.slope)),
        step(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0)),
        shift(_mm_cvtsi32_si128(a.shift)) {}
  MBZ_AVX512 __m512i logits(const float* s, __mmask8 m, int64_t dist) const {
    return logits(_mm512_cvttps_epi64(_mm256_maskz_loadu_ps(m, s)), dist);
  }
  // The same from the dot products as int64 lanes.
  MBZ_AVX512 __m512i logits(__m512i dot, int64_t dist) const {
    const __m512i d = _mm512_sub_epi64(_mm512_set1_epi64(dist), step);
    return _mm512_sub_epi64(_mm512_sra_epi64(_mm512_add_epi64(_mm512_mullo_epi64(dot, mant), round), shift),
                            _mm512_mullo_epi64(slope, d));
  }
};

MBZ_AVX512 void weights_avx512(const AttentionRule& a, const float* s,
                                                                                  int n, int64_t* e, float* p) {
  const LogitRule rule(a);
  const __m512i cap = _mm512_set1_epi64(a.lut_len - 1);
  __m512i top = _mm512_set1_epi64(INT64_MIN);
  for (int i = 0; i < n; i += 8) {
    const __mmask8 m = tail8(n - i);
    const __m512i v = rule.logits(s + i, m, n - 1 - i);
    _mm512_mask_storeu_epi64(e + i, m, v);
    top = _mm512_mask_max_epi64(top, m, top, v);
  }
  const __m512i vtop = _mm512_set1_epi64(_mm512_reduce_max_epi64(top));
  __m512i sum = _mm512_setzero_si512();
  // Keys at or past the table's end weigh its last entry; where that is 0
  // (every model's), a vector of only such keys needs no gather, which
  // costs the same whatever its mask: a quarter of a long window's vectors.
  const bool last_zero = a.lut[a.lut_len - 1] == 0;
  for (int i = 0; i < n; i += 16) {  // 16 keys a gather, their indices narrowed to int32 (each below lut_len)
    const __mmask8 m0 = tail8(n - i), m1 = tail8(n - i - 8);
    const __m512i x0 = _mm512_min_epi64(_mm512_sub_epi64(vtop, _mm512_maskz_loadu_epi64(m0, e + i)), cap),
                  x1 = _mm512_min_epi64(_mm512_sub_epi64(vtop, _mm512_maskz_loadu_epi64(m1, e + i + 8)), cap);
    const __mmask16 lanes = static_cast<__mmask16>(m0 | m1 << 8);
    const __mmask16 live = last_zero ? static_cast<__mmask16>(_mm512_mask_cmplt_epi64_mask(m0, x0, cap) |
                                                              _mm512_mask_cmplt_epi64_mask(m1, x1, cap) << 8)
                                     : lanes;
    __m512i ex0 = _mm512_setzero_si512(), ex1 = ex0;
    if (live != 0) {
      const __m512i idx = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(x0)), _mm512_cvtepi64_epi32(x1), 1);
      const __m512i ex = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), lanes, idx, a.lut, 4);
      ex0 = _mm512_cvtepu32_epi64(_mm512_castsi512_si256(ex));
      ex1 = _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(ex, 1));
    }
    _mm512_mask_storeu_epi64(e + i, m0, ex0);
    _mm512_mask_storeu_epi64(e + i + 8, m1, ex1);
    sum = _mm512_add_epi64(sum, _mm512_add_epi64(ex0, ex1));
  }
  // p = floor(a / den), a = e * 2^(pb+1) + sum < 2^52: a guess from the
  // reciprocal, corrected by one with exact comparisons (q * den < 2^53).
  const double total = static_cast<double>(_mm512_reduce_add_epi64(sum));
  const __m512d one = _mm512_set1_pd(a.one), half = _mm512_set1_pd(total), den = _mm512_set1_pd(2.0 * total),
                inv = _mm512_set1_pd(1.0 / (2.0 * total));
  for (int i = 0; i < n; i += 8) {
    const __mmask8 m = tail8(n - i);
    const __m512d ex = _mm512_cvtepi64_pd(_mm512_maskz_loadu_epi64(m, e + i));
    _mm256_mask_storeu_ps(p + i, m, _mm512_cvtpd_ps(floor_quotient(_mm512_fmadd_pd(ex, one, half), den, inv)));
  }
}

// weights_avx512 for R rows (queries) of at most 8 keys each (a local
// model's window, or a sequence's first positions): row r's keys are
// s[r][o_r, o_r + n_r), its weights go to p[r][o_r, o_r + n_r). The same
// arithmetic lane for lane, each row one vector held in registers, and the
// R rows' chains (reduction, gather, division) written side by side so they
// overlap: the one-vector calls had been one long chain each.
template <int R>
MBZ_AVX512 void weights_few(const AttentionRule& a, const float* s, float* p, int stride, const int* o, const int* n) {
  const LogitRule rule(a);
  const __m512i cap = _mm512_set1_epi64(a.lut_len - 1);
  __mmask8 m[R];
  __m512i e[R];
  double total[R];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    m[r] = tail8(n[r]);
    e[r] = rule.logits(s + static_cast<size_t>(r) * stride + o[r], m[r], n[r] - 1);
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    const __m512i vtop = _mm512_set1_epi64(_mm512_mask_reduce_max_epi64(m[r], e[r]));
    e[r] = _mm512_cvtepu32_epi64(_mm512_mask_i64gather_epi32(_mm256_setzero_si256(), m[r],
                                                              _mm512_min_epi64(_mm512_sub_epi64(vtop, e[r]), cap), a.lut, 4));
    total[r] = static_cast<double>(_mm512_reduce_add_epi64(e[r]));
  }
  const __m512d one = _mm512_set1_pd(a.one);
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    const __m512d half = _mm512_set1_pd(total[r]), den = _mm512_set1_pd(2.0 * total[r]),
                  inv = _mm512_set1_pd(1.0 / (2.0 * total[r]));
    const __m512d q = floor_quotient(_mm512_fmadd_pd(_mm512_cvtepi64_pd(e[r]), one, half), den, inv);
    _mm256_mask_storeu_ps(p + static_cast<size_t>(r) * stride + o[r], m[r], _mm512_cvtpd_ps(q));
  }
}

// The weights of one run of slots as bytes for vpdpbusd: for each row r,
// hi = p >> 8 and lo = p & 255 (p = 256 hi + lo), slot s of the run at byte
// (s - quad start) of pb[r][0] (hi) and pb[r][1] (lo), each 4 * nq bytes;
// the `lead` slots of the first quad before the run and those of the last
// quad after it weigh 0. Returns false (pb unusable) when some p is 2^16,
// which no byte pair holds (only with attn_prob_bits 16, a single key taking
// all the weight).
MBZ_AVX512 bool weight_bytes(const float* p, int p_stride, int rows, int lead, int count, int nq, uint8_t* pb) {
  const int half = 4 * nq;
  const __m512i low = _mm512_set1_epi32(255), top = _mm512_set1_epi32(65535);
  __mmask16 over = 0;
  for (int r = 0; r < rows; ++r) {
    const float* pr = p + static_cast<size_t>(r) * p_stride;  // byte b of the row holds pr[b - lead]
    uint8_t* hi = pb + static_cast<size_t>(r) * 2 * half;
    uint8_t* lo = hi + half;
    for (int b = 0; b < half; b += 16) {
      // Lanes of slots in the run: b + i in [lead, lead + count); the others
      // read nothing and store 0. The first vector's run starts at lane
      // lead (an expanding load), the others' at lane 0.
      const __mmask16 in = static_cast<__mmask16>(tail16(lead + count - b) & ~tail16(lead - b));
      const __mmask16 out = tail16(half - b);
      const __m512 f = b >= lead ? _mm512_maskz_loadu_ps(in, pr + (b - lead)) : _mm512_maskz_expandloadu_ps(in, pr);
      const __m512i x = _mm512_cvttps_epi32(f);
      over |= _mm512_mask_cmpgt_epi32_mask(in, x, top);
      _mm512_mask_cvtepi32_storeu_epi8(hi + b, out, _mm512_srli_epi32(x, 8));
      _mm512_mask_cvtepi32_storeu_epi8(lo + b, out, _mm512_and_si512(x, low));
    }
  }
  return over == 0;
}

// R queries times C vectors of 16 value columns (columns [j0, j0 + 16 C),
// the last vector may be partial) over nq quads of slots: each vpdpbusd adds
// four slots' weight bytes (unsigned, the same for every column) times their
// values (signed) for 16 columns; the high and low bytes sum apart, as exact
// int32 (|sum| <= 256 * 128 * T), and meet at the end: 256 hi + lo = sum p·v,
// an integer below 2^24, as the plain loop's floats. The loops over R and C
// are unrolled before GCC places the 2 R C accumulators (up to 16): left
// rolled, it kept them in memory and stored each at every quad.
//
// One query (a decoding step) has only 2 C chains, each as long as the quads
// (64 over a 256-key window) and bound by vpdpbusd's latency: it runs two
// sets, the even quads' and the odd ones', added at the end.
template <int R, int C>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512vnni"))) void values_pass(
    const uint8_t* pb, int nq, const int8_t* v, int q_stride, int dh, int j0, float* av, int av_stride) {
  const size_t half = static_cast<size_t>(4) * nq;
  __mmask16 m[C];
#pragma GCC unroll 4
  for (int c = 0; c < C; ++c) m[c] = tail16(dh - j0 - 16 * c);
  __m512i hi[R][C], lo[R][C];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) hi[r][c] = lo[r][c] = _mm512_setzero_si512();
  int g = 0;
  if constexpr (R == 1) {
    __m512i hi2[C], lo2[C];
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) hi2[c] = lo2[c] = _mm512_setzero_si512();
    for (; g + 2 <= nq; g += 2) {
      const int8_t* quad = v + static_cast<size_t>(g) * q_stride + static_cast<size_t>(j0) * 4;
      int32_t h[2], l[2];
      std::memcpy(h, pb + 4 * g, 8);
      std::memcpy(l, pb + half + 4 * g, 8);
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c) {
        const __m512i x0 = _mm512_maskz_loadu_epi32(m[c], quad + 64 * c), x1 = _mm512_maskz_loadu_epi32(m[c], quad + q_stride + 64 * c);
        hi[0][c] = _mm512_dpbusd_epi32(hi[0][c], _mm512_set1_epi32(h[0]), x0);
        lo[0][c] = _mm512_dpbusd_epi32(lo[0][c], _mm512_set1_epi32(l[0]), x0);
        hi2[c] = _mm512_dpbusd_epi32(hi2[c], _mm512_set1_epi32(h[1]), x1);
        lo2[c] = _mm512_dpbusd_epi32(lo2[c], _mm512_set1_epi32(l[1]), x1);
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) hi[0][c] = _mm512_add_epi32(hi[0][c], hi2[c]), lo[0][c] = _mm512_add_epi32(lo[0][c], lo2[c]);
  }
  for (; g < nq; ++g) {
    const int8_t* quad = v + static_cast<size_t>(g) * q_stride + static_cast<size_t>(j0) * 4;
    __m512i x[C];
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) x[c] = _mm512_maskz_loadu_epi32(m[c], quad + 64 * c);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      int32_t h, l;
      std::memcpy(&h, pb + static_cast<size_t>(r) * 2 * half + 4 * g, 4);
      std::memcpy(&l, pb + static_cast<size_t>(r) * 2 * half + half + 4 * g, 4);
      const __m512i hb = _mm512_set1_epi32(h), lb = _mm512_set1_epi32(l);
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c) {
        hi[r][c] = _mm512_dpbusd_epi32(hi[r][c], hb, x[c]);
        lo[r][c] = _mm512_dpbusd_epi32(lo[r][c], lb, x[c]);
      }
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      float* out = av + static_cast<size_t>(r) * av_stride + j0 + 16 * c;
      const __m512i sum = _mm512_add_epi32(_mm512_slli_epi32(hi[r][c], 8), lo[r][c]);
      _mm512_mask_storeu_ps(out, m[c], _mm512_add_ps(_mm512_maskz_loadu_ps(m[c], out), _mm512_cvtepi32_ps(sum)));
    }
}

// Passes of 16 CMAX columns (64 for one or two queries, 32 for more: two
// accumulators per query and vector must stay in registers), the last with
// only the vectors its columns fill.
template <int R>
void values_vnni(const uint8_t* pb, int nq, const int8_t* v, int q_stride, int dh, float* av, int av_stride) {
  constexpr int CMAX = R <= 2 ? 4 : 2;
  for (int j0 = 0; j0 < dh; j0 += 16 * CMAX) {
    switch (std::min(CMAX, (dh - j0 + 15) / 16)) {
      case 4: values_pass<R, (CMAX >= 4 ? 4 : 1)>(pb, nq, v, q_stride, dh, j0, av, av_stride); break;
      case 3: values_pass<R, (CMAX >= 3 ? 3 : 1)>(pb, nq, v, q_stride, dh, j0, av, av_stride); break;
      case 2: values_pass<R, 2>(pb, nq, v, q_stride, dh, j0, av, av_stride); break;
      default: values_pass<R, 1>(pb, nq, v, q_stride, dh, j0, av, av_stride); break;
    }
  }
}

template <template <int> class F, class... Args>
void by_rows(int rows, Args... args) {
  switch (rows) {
    case 4: F<4>::run(args...); break;
    case 3: F<3>::run(args...); break;
    case 2: F<2>::run(args...); break;
    default: F<1>::run(args...); break;
  }
}
template <int R>
struct Scores {
  static void run(const int8_t* q4, int dh4, const int32_t* qsum, const uint8_t* kt, int gs, int count, float* s, int ss) {
    scores_vnni<R>(q4, dh4, qsum, kt, gs, count, s, ss);
  }
};
template <int R>
struct Values {
  static void run(const uint8_t* pb, int nq, const int8_t* v, int qs, int dh, float* av, int avs) {
    values_vnni<R>(pb, nq, v, qs, dh, av, avs);
  }
};

// av += the values of slots [slot0, slot0 + count) weighted by p: the VNNI
// form over the quads the slots touch, else (or when a weight is 2^16) the
// plain loop.
void values_run(bool wide, const float* p, int p_stride, int rows, const HeadRing& ring, int64_t slot0, int dh, int count,
                float* av, int av_stride, AttentionScratch& sc) {
  const int lead = static_cast<int>(slot0 % 4), nq = (lead + count + 3) / 4;
  if (wide) {
    const size_t need = static_cast<size_t>(rows) * 2 * 4 * nq;
    if (sc.pb.size() < need) sc.pb.resize(need);
    if (weight_bytes(p, p_stride, rows, lead, count, nq, sc.pb.data())) {
      const int8_t* v = ring.v + static_cast<size_t>(slot0 / 4) * ring.v_stride;
      by_rows<Values>(rows, static_cast<const uint8_t*>(sc.pb.data()), nq, v, ring.v_stride, dh, av, av_stride);
      return;
    }
  }
  values_plain(p, p_stride, rows, ring.v, ring.v_stride, slot0, dh, count, av, av_stride);
}

// attend_step_few's AVX-512 form for H heads side by side: each phase
// (scores, logits, exp table, quotient, values) is written for all H heads
// before the next, so the heads' chains overlap instead of one head's
// waiting on itself. The scores in one vector of up to 8 lanes, the weights
// as weights_few's (the same operations lane for lane), the values as
// values_pass's high and low bytes over the at most three quads of slots
// the run touches. Returns a bit per head done (0 where the run does not
// fit; a head with a weight of 2^16 is left out).
template <int H>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512vnni"))) uint32_t step_few_group(
    const AttentionRule& a, const int64_t* slopes, const HeadRing* rings, int dh, const int8_t* q, int64_t pos, int32_t* out) {
  const int cap = rings[0].cap;
  const int64_t first = std::max<int64_t>(0, pos - a.window + 1);
  const int n = static_cast<int>(pos - first + 1);
  const int64_t s0 = first % cap;
  if (n > 8 || s0 + n > cap) return 0;
  for (int h = 1; h < H; ++h)
    if (rings[h].cap != cap) return 0;
  // Scores: q·k for the n keys, four components a vpdpbusd (keys + 128,
  // unsigned; 128 * sum(q) off at the end).
  const __mmask16 keys = tail16(n);
  const size_t g_stride = static_cast<size_t>(cap) * 4;
  __m512i acc[H];
  int32_t qsum[H];
#pragma GCC unroll 4
  for (int h = 0; h < H; ++h) acc[h] = _mm512_setzero_si512(), qsum[h] = 0;
  for (int g = 0; 4 * g < dh; ++g) {
#pragma GCC unroll 4
    for (int h = 0; h < H; ++h) {
      const int8_t* qh = q + static_cast<size_t>(h) * dh + 4 * g;
      uint8_t b[4] = {0, 0, 0, 0};  // the query's components 4g..4g+3, zero past dh
      for (int i = 0; i < 4 && 4 * g + i < dh; ++i) b[i] = static_cast<uint8_t>(qh[i]), qsum[h] += qh[i];
      int32_t quad;
      std::memcpy(&quad, b, 4);
      const __m512i k = _mm512_maskz_loadu_epi32(keys, rings[h].kt + s0 * 4 + static_cast<size_t>(g) * g_stride);
      acc[h] = _mm512_dpbusd_epi32(acc[h], k, _mm512_set1_epi32(quad));
    }
  }
  // Weights: weights_few's logits, top, exp table and quotient.
  const __mmask8 m = tail8(n);
  const __m512i last = _mm512_set1_epi64(a.lut_len - 1);
  __m512i e[H];
#pragma GCC unroll 4
  for (int h = 0; h < H; ++h) {
    AttentionRule head = a;
    head.slope = slopes[h];
    const __m256i dots = _mm512_castsi512_si256(_mm512_sub_epi32(acc[h], _mm512_set1_epi32(128 * qsum[h])));
    e[h] = LogitRule(head).logits(_mm512_maskz_mov_epi64(m, _mm512_cvtepi32_epi64(dots)), n - 1);
  }
#pragma GCC unroll 4
  for (int h = 0; h < H; ++h) {
    const __m512i top = _mm512_set1_epi64(_mm512_mask_reduce_max_epi64(m, e[h]));
    e[h] = _mm512_cvtepu32_epi64(
        _mm512_mask_i64gather_epi32(_mm256_setzero_si256(), m, _mm512_min_epi64(_mm512_sub_epi64(top, e[h]), last), a.lut, 4));
  }
  uint32_t done = 0;
  __m256i pi[H];
#pragma GCC unroll 4
  for (int h = 0; h < H; ++h) {
    const int64_t sum = _mm512_reduce_add_epi64(e[h]);
    const double total = static_cast<double>(sum);
    const __m512d p = floor_quotient(_mm512_fmadd_pd(_mm512_cvtepi64_pd(e[h]), _mm512_set1_pd(a.one), _mm512_set1_pd(total)),
                                     _mm512_set1_pd(2.0 * total), _mm512_set1_pd(1.0 / (2.0 * total)));
    pi[h] = _mm512_cvttpd_epi32(p);
    if (sum > 0 && _mm256_mask_cmpgt_epi32_mask(m, pi[h], _mm256_set1_epi32(65535)) == 0) done |= 1u << h;
  }
  // The weights' high and low bytes at their slots' places in the quads
  // (slot s0 - lead starts the first), 0 elsewhere: shifted in a register
  // by lead bytes (a store and a reload would wait on the store).
  const int lead = static_cast<int>(s0 % 4), nq = (lead + n + 3) / 4;
  const __m128i place = _mm_sub_epi8(_mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                     _mm_set1_epi8(static_cast<char>(lead)));  // bytes below lead: negative, so zero
#pragma GCC unroll 4
  for (int h = 0; h < H; ++h) {
    if (!(done >> h & 1)) continue;
    const __m512i hi = _mm512_castsi128_si512(_mm_shuffle_epi8(_mm256_cvtepi32_epi8(_mm256_maskz_srli_epi32(m, pi[h], 8)), place));
    const __m512i lo = _mm512_castsi128_si512(
        _mm_shuffle_epi8(_mm256_cvtepi32_epi8(_mm256_maskz_and_epi32(m, pi[h], _mm256_set1_epi32(255))), place));
    const int8_t* v = rings[h].v + static_cast<size_t>(s0 / 4) * rings[h].v_stride;
    for (int j0 = 0; j0 < dh; j0 += 16) {
      const __mmask16 cols = tail16(dh - j0);
      __m512i vh = _mm512_setzero_si512(), vl = _mm512_setzero_si512();
      for (int g = 0; g < nq; ++g) {
        const __m512i x = _mm512_maskz_loadu_epi32(cols, v + static_cast<size_t>(g) * rings[h].v_stride + static_cast<size_t>(j0) * 4);
        const __m512i pick = _mm512_set1_epi32(g);
        vh = _mm512_dpbusd_epi32(vh, _mm512_permutexvar_epi32(pick, hi), x);
        vl = _mm512_dpbusd_epi32(vl, _mm512_permutexvar_epi32(pick, lo), x);
      }
      _mm512_mask_storeu_epi32(out + static_cast<size_t>(h) * dh + j0, cols, _mm512_add_epi32(_mm512_slli_epi32(vh, 8), vl));
    }
  }
  return done;
}

// Every head of a step, four at a time.
uint32_t step_few_heads(const AttentionRule& rule, const int64_t* slopes, const HeadRing* rings, int heads, int dh,
                        const int8_t* q, int64_t pos, int32_t* out) {
  uint32_t done = 0;
  for (int h = 0; h < heads; h += 4) {
    const int8_t* qh = q + static_cast<size_t>(h) * dh;
    int32_t* oh = out + static_cast<size_t>(h) * dh;
    uint32_t d = 0;
    switch (std::min(4, heads - h)) {
      case 4: d = step_few_group<4>(rule, slopes + h, rings + h, dh, qh, pos, oh); break;
      case 3: d = step_few_group<3>(rule, slopes + h, rings + h, dh, qh, pos, oh); break;
      case 2: d = step_few_group<2>(rule, slopes + h, rings + h, dh, qh, pos, oh); break;
      default: d = step_few_group<1>(rule, slopes + h, rings + h, dh, qh, pos, oh); break;
    }
    done |= d << h;
  }
  return done;
}

}  // namespace

uint32_t attend_step_few(kernels::Isa isa, const AttentionRule& rule, const int64_t* slopes, const HeadRing* rings, int heads,
                         int dh, const int8_t* q, int64_t pos, int32_t* out) {
  if (!kernels::wide_vectors(isa) || heads > 32) return 0;
  return step_few_heads(rule, slopes, rings, heads, dh, q, pos, out);
}

void attend_values(kernels::Isa isa, const float* p, int p_stride, int rows, const HeadRing& ring, int64_t slot0, int dh,
                   int count, float* av, int av_stride, AttentionScratch& scratch) {
  values_run(kernels::wide_vectors(isa), p, p_stride, rows, ring, slot0, dh, count, av, av_stride, scratch);
}

void attend_block(kernels::Isa isa, const AttentionRule& a, const HeadRing& ring, int dh, const int8_t* q, int q_stride,
                  int rows, int64_t p0, float* av, int av_stride, AttentionScratch& sc) {
  const bool wide = kernels::wide_vectors(isa);
  const int64_t kf = std::max<int64_t>(0, p0 - a.window + 1);
  const int t_count = static_cast<int>(p0 + rows - kf);  // keys in the union of the windows
  const int stride = t_count;
  if (sc.scores.size() < static_cast<size_t>(rows) * stride) {
    sc.scores.resize(static_cast<size_t>(rows) * stride);
    sc.probs.resize(static_cast<size_t>(rows) * stride);
  }
  if (sc.work.size() < static_cast<size_t>(a.window)) sc.work.resize(static_cast<size_t>(a.window));
  float* s = sc.scores.data();
  float* p = sc.probs.data();
  const RingRuns runs = ring_runs(kf, t_count, ring.cap);
  // For the VNNI scores: the queries zero-padded to whole groups of 4, and their sums.
  const int dh4 = (dh + 3) / 4, g_stride = ring.cap * 4;
  int32_t qsum[kQueryBlock] = {};
  if (wide) {
    if (sc.q4.size() < static_cast<size_t>(rows) * dh4 * 4) sc.q4.resize(static_cast<size_t>(rows) * dh4 * 4);
    for (int r = 0; r < rows; ++r) {
      int8_t* row = &sc.q4[static_cast<size_t>(r) * dh4 * 4];
      std::fill(row, row + dh4 * 4, int8_t{0});
      for (int j = 0; j < dh; ++j) qsum[r] += (row[j] = q[static_cast<size_t>(r) * q_stride + j]);
    }
  }
  for (int r = 0, done = 0; r < 2; done += runs.count[r], ++r) {
    if (runs.count[r] == 0) continue;
    const uint8_t* kt = ring.kt + runs.slot[r] * 4;
    if (wide)
      by_rows<Scores>(rows, sc.q4.data(), dh4, qsum, kt, g_stride, runs.count[r], s + done, stride);
    else
      scores_plain(q, q_stride, rows, kt, g_stride, dh, runs.count[r], s + done, stride);
  }
  int o[kQueryBlock], n[kQueryBlock], widest = 0;
  for (int r = 0; r < rows; ++r) {
    const int64_t pos = p0 + r, first = std::max<int64_t>(0, pos - a.window + 1);
    o[r] = static_cast<int>(first - kf), n[r] = static_cast<int>(pos - first + 1);
    widest = std::max(widest, n[r]);
    float* pr = p + static_cast<size_t>(r) * stride;
    std::fill(pr, pr + o[r], 0.0f);  // keys out of this query's window weigh 0
    std::fill(pr + o[r] + n[r], pr + t_count, 0.0f);
  }
  if (wide && widest <= 8) {
    switch (rows) {
      case 4: weights_few<4>(a, s, p, stride, o, n); break;
      case 3: weights_few<3>(a, s, p, stride, o, n); break;
      case 2: weights_few<2>(a, s, p, stride, o, n); break;
      default: weights_few<1>(a, s, p, stride, o, n); break;
    }
  } else {
    for (int r = 0; r < rows; ++r) {
      const size_t at = static_cast<size_t>(r) * stride + o[r];
      if (wide)
        weights_avx512(a, s + at, n[r], sc.work.data(), p + at);
      else
        weights_plain(a, s + at, n[r], sc.work.data(), p + at);
    }
  }
  for (int r = 0; r < rows; ++r) std::fill(av + static_cast<size_t>(r) * av_stride, av + static_cast<size_t>(r) * av_stride + dh, 0.0f);
  for (int r = 0, done = 0; r < 2; done += runs.count[r], ++r)
    if (runs.count[r] > 0) values_run(wide, p + done, stride, rows, ring, runs.slot[r], dh, runs.count[r], av, av_stride, sc);
}

}  // namespace mbz
