// cpu_stack.cpp — the CPU backend's transformer stack and element-wise steps;
// see cpu_stack.hpp. Element-wise loops are written so the compiler can
// vectorize them (clones for AVX-512 and AVX2, chosen at run time); every
// division is floor(a / b) in float64 with |a| < 2^52, exact by
// docs/EXACTNESS.md §3.
#include "engine/cpu_stack.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstring>

#include "engine/avx512.hpp"
#include "engine/cpu_attention.hpp"
#include "engine/cpu_requant.hpp"
#include "engine/int_ops.hpp"
#include "engine/kernels/gemm_s8.hpp"
#include "engine/scratch.hpp"

namespace mbz {

#define MBZ_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

namespace {

constexpr int32_t kR = kResidualMax;

// Per-thread work buffers of stack_forward (grown, never shrunk; scratch.hpp).
struct Scratch {
  ScratchVector<int8_t> h, qkv, att;
  ScratchVector<int32_t> acc;
  ScratchVector<int32_t> avi;
  ScratchVector<float> av;
  AttentionScratch attention;
};
Scratch& scratch_of_thread() {
  thread_local Scratch s;
  return s;
}

// AVX-512 form of RMSNorm for one row of width d, |x| <= kResidualMax (every
// caller's rows are residuals, clamped): the plain loop below is its
// fallback and computes the same exact values.
// Sum of squares: vpmuldq squares the even and the odd int32 lanes into
// int64 lanes (x^2 < 2^30, the sum below 2^43), exact.
// Output clamp(floor(a / den), -127, 127), a = 2 NQ x + r, den = 2r, 16
// lanes in float32, exact because every value is an integer below 2^24:
// r <= 32767 (ms <= 32767^2), so den <= 65534 and |a| <= 254 * 32767 +
// 32767 < 2^23 (the fma rounds once, an exact integer). a is first clamped
// to [-127 den, 128 den - 1], which leaves floor(a / den) clamped to
// [-127, 127] as it was; the guess floor(a * (1/den)) is within one of the
// quotient (|a / den| <= 128, relative error ~2^-23) and is corrected by one
// with exact comparisons (|q| <= 129, so |q * den| < 2^24).
MBZ_AVX512 void norm_row_avx512(const int32_t* x, int d, int64_t norm_scale, int8_t* out) {
  __m512i sq = _mm512_setzero_si512();
  for (int j = 0; j < d; j += 16) {
    const __m512i v = _mm512_maskz_loadu_epi32(tail16(d - j), x + j), odd = _mm512_srli_epi64(v, 32);
    sq = _mm512_add_epi64(sq, _mm512_add_epi64(_mm512_mul_epi32(v, v), _mm512_mul_epi32(odd, odd)));
  }
  const int64_t root = std::max<int64_t>(1, isqrt(_mm512_reduce_add_epi64(sq) / d));
  const float den = static_cast<float>(2 * root);
  const __m512 vn = _mm512_set1_ps(static_cast<float>(2 * norm_scale)), va = _mm512_set1_ps(static_cast<float>(root)),
               vd = _mm512_set1_ps(den), vi = _mm512_set1_ps(1.0f / den),
               lo = _mm512_set1_ps(static_cast<float>(-127 * 2 * root)),
               hi = _mm512_set1_ps(static_cast<float>(128 * 2 * root - 1));
  for (int j = 0; j < d; j += 16) {
    const __mmask16 mask = tail16(d - j);
    __m512 a = _mm512_fmadd_ps(vn, _mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(mask, x + j)), va);
    a = _mm512_min_ps(_mm512_max_ps(a, lo), hi);
    _mm_mask_storeu_epi8(out + j, mask, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(floor_quotient(a, vd, vi))));
  }
}

// Attention of every row's query over its sequence's ring, in blocks of
// consecutive queries; out [S*C, D] int8.
void attend(const CpuModel& m, const CpuStack& s, const CpuLayer& l, StackState& st, int layer, const int8_t* qkv,
            int sequences, int c, int64_t pos0, int8_t* out, Scratch& sc) {
  const int d = s.d, dh = s.dh;
  float* av = scratch(sc.av, static_cast<size_t>(kQueryBlock) * d);
  int32_t* avi = scratch(sc.avi, static_cast<size_t>(kQueryBlock) * d);
  AttentionRule rule{l.mscore.mant[0], l.mscore.round[0], l.mscore.shift[0], 0, m.attn_lut.data(),
                     static_cast<int64_t>(m.attn_lut.size()),
                     std::ldexp(1.0, static_cast<int>(m.cfg.attn_prob_bits) + 1), s.window};
  for (int seq = 0; seq < sequences; ++seq)
    for (int c0 = 0; c0 < c; c0 += kQueryBlock) {
      const int rows = std::min(kQueryBlock, c - c0);
      const size_t row0 = static_cast<size_t>(seq) * c + c0;
      const auto ring_of = [&](int h) { return HeadRing{st.keys(layer, seq, h), st.values(layer, seq, h), 4 * dh, st.cap()}; };
      uint32_t done = 0;  // a bit per head attend_step_few did
      if (rows == 1 && s.heads <= 32) {  // a decoding step over a few keys (every local step): its heads in one pass
        std::array<HeadRing, 32> rings;
        for (int h = 0; h < s.heads; ++h) rings[static_cast<size_t>(h)] = ring_of(h);
        done = attend_step_few(m.isa, rule, l.slopes.data(), rings.data(), s.heads, dh, qkv + row0 * 3 * d, pos0 + c0, avi);
      }
      for (int h = 0; h < s.heads; ++h) {
        if (h < 32 && (done >> h & 1)) continue;
        rule.slope = l.slopes[h];
        attend_block(m.isa, rule, ring_of(h), dh, qkv + row0 * 3 * d + h * dh, 3 * d, rows, pos0 + c0, av + h * dh, d,
                     sc.attention);
        for (int r = 0; r < rows; ++r)
          for (int j = 0; j < dh; ++j) {
            const size_t at = static_cast<size_t>(r) * d + h * dh + j;
            avi[at] = static_cast<int32_t>(av[at]);
          }
      }
      requant_to_i8(avi, rows, d, l.mav, out + row0 * d, m.wide_requant);
    }
}

}  // namespace

StackState::StackState(const CpuStack& stack, int sequences, int cap)
    : s_(sequences), cap_(cap), cap4_((cap + 3) / 4 * 4), h_(stack.heads), dh_(stack.dh), dh4_((stack.dh + 3) / 4) {
  const size_t rings = stack.layers.size() * static_cast<size_t>(sequences) * h_;
  k_.assign(rings * dh4_ * 4 * cap, uint8_t{0x80});
  v_.assign(rings * dh_ * (cap4_ / 4), uint32_t{0});
}

bool StackState::holds(const CpuStack& stack, int sequences, int cap) const {
  return sequences == s_ && cap == cap_ && stack.heads == h_ && stack.dh == dh_ &&
         k_.size() == stack.layers.size() * static_cast<size_t>(sequences) * h_ * dh4_ * 4 * cap;
}

void StackState::reset() {
  std::fill(k_.begin(), k_.end(), uint8_t{0x80});
  std::fill(v_.begin(), v_.end(), uint32_t{0});
}

// Both loops are vectorized (clones for AVX-512 and AVX2): dh is a local, so
// the byte stores cannot be taken to change it.
MBZ_VECTOR_CLONES
void StackState::store(int layer, int seq, int64_t pos, const int8_t* k, const int8_t* v) {
  const int64_t slot = pos % cap_;
  const size_t g_stride = static_cast<size_t>(cap_) * 4;
  const int dh = dh_;
  for (int h = 0; h < h_; ++h) {
    uint8_t* kt = keys(layer, seq, h) + slot * 4;
    const int8_t* kh = k + h * dh;
    int j = 0;
    for (; j + 4 <= dh; j += 4) {  // four components at once, each + 128 (a flip of the sign bit)
      uint32_t quad;
      std::memcpy(&quad, kh + j, 4);
      quad ^= 0x80808080u;
      std::memcpy(kt + (j / 4) * g_stride, &quad, 4);
    }
    for (; j < dh; ++j) kt[(j / 4) * g_stride + j % 4] = static_cast<uint8_t>(kh[j] + 128);
    // Byte slot % 4 of the quad's word j is component j (little-endian words).
    uint32_t* __restrict words = v_.data() + value_words(layer, seq, h) + static_cast<size_t>(slot / 4) * dh;
    const int8_t* __restrict vh = v + h * dh;
    const int shift = static_cast<int>(slot % 4) * 8;
    const uint32_t keep = ~(0xFFu << shift);
    for (j = 0; j < dh; ++j) words[j] = (words[j] & keep) | (uint32_t{static_cast<uint8_t>(vh[j])} << shift);
  }
}

MBZ_VECTOR_CLONES
void rms_norm(const int32_t* x, int rows, int d, int64_t norm_scale, int8_t* h, kernels::Isa isa) {
  const bool wide = kernels::wide_vectors(isa);
  for (int r = 0; r < rows; ++r) {
    const int32_t* row = x + static_cast<size_t>(r) * d;
    int8_t* out = h + static_cast<size_t>(r) * d;
    if (wide) {
      norm_row_avx512(row, d, norm_scale, out);
      continue;
    }
    int64_t ss = 0;
    for (int j = 0; j < d; ++j) ss += int64_t(row[j]) * row[j];
    const int64_t root = std::max<int64_t>(1, isqrt(ss / d));
    // floor(a / den) for |a| < 2^24: a guess from the reciprocal, corrected
    // by exact integer comparisons (all values below 2^53).
    const double den = static_cast<double>(2 * root), inv = 1.0 / den;
    const double nq2 = static_cast<double>(2 * norm_scale), add = static_cast<double>(root);
    for (int j = 0; j < d; ++j) {
      const double a = nq2 * static_cast<double>(row[j]) + add;
      double q = std::floor(a * inv);
      q = q * den > a ? q - 1.0 : q;
      q = (q + 1.0) * den <= a ? q + 1.0 : q;
      out[j] = static_cast<int8_t>(static_cast<int32_t>(std::min(std::max(q, -127.0), 127.0)));
    }
  }
}

void stack_forward(const CpuModel& m, const CpuStack& s, StackState& st, int32_t* x, int sequences, int c, int64_t pos0) {
  stack_layers(m, s, st, x, sequences, c, pos0, 0, static_cast<int>(s.layers.size()));
}

void stack_layers(const CpuModel& m, const CpuStack& s, StackState& st, int32_t* x, int sequences, int c, int64_t pos0,
                  int first_layer, int end_layer) {
  const int d = s.d, f = s.ffn, rows = sequences * c;
  const int32_t g = static_cast<int32_t>(m.cfg.act_half);
  Scratch& sc = scratch_of_thread();
  int8_t* h = scratch(sc.h, static_cast<size_t>(rows) * std::max(d, f));
  int8_t* qkv = scratch(sc.qkv, static_cast<size_t>(rows) * 3 * d);
  int8_t* att = scratch(sc.att, static_cast<size_t>(rows) * d);
  int32_t* acc = scratch(sc.acc, static_cast<size_t>(rows) * std::max(3 * d, f));
  for (int li = first_layer; li < end_layer; ++li) {
    const CpuLayer& l = s.layers[li];
    const int layer = static_cast<int>(li);
    rms_norm(x, rows, d, m.cfg.norm_scale, h, m.isa);
    l.wqkv.multiply(h, rows, acc);
    requant_to_i8(acc, rows, 3 * d, l.mqkv, qkv, m.wide_requant);
    for (int seq = 0; seq < sequences; ++seq)
      for (int ci = 0; ci < c; ++ci) {
        const int8_t* row = qkv + (static_cast<size_t>(seq) * c + ci) * 3 * d;
        st.store(layer, seq, pos0 + ci, row + d, row + 2 * d);
      }
    attend(m, s, l, st, layer, qkv, sequences, c, pos0, att, sc);
    l.wo.multiply(att, rows, acc);
    residual_add(x, acc, rows, d, l.mo, m.wide_requant);
    rms_norm(x, rows, d, m.cfg.norm_scale, h, m.isa);
    l.w1.multiply(h, rows, acc);
    activation(acc, rows, f, l.m1, g, m.act_lut.data(), h, m.wide_requant, &m.act_bytes);
    l.w2.multiply(h, rows, acc);
    residual_add(x, acc, rows, d, l.m2, m.wide_requant);
  }
}

namespace {

// One byte table from 256 logits: f = 1 + floor(e * scale / sum), e the exp
// table at top - logit (int32, 16 logits a gather); the quotient as a
// reciprocal guess corrected by one with exact comparisons (e * scale < 2^36).
MBZ_AVX512 void byte_table_avx512(const int32_t* l, const int32_t* lut, int64_t lut_len, double scale, uint32_t* out) {
  __m512i top = _mm512_loadu_si512(l);
  for (int t = 16; t < 256; t += 16) top = _mm512_max_epi32(top, _mm512_loadu_si512(l + t));
  // |logit| <= 2^24 (requant_to_i32's clamp), so top - logit fits int32.
  const __m512i vtop = _mm512_set1_epi32(_mm512_reduce_max_epi32(top)),
                cap = _mm512_set1_epi32(static_cast<int32_t>(std::min<int64_t>(lut_len - 1, INT32_MAX)));
  __m512i e[16];
  __m512i sum = _mm512_setzero_si512();
  for (int b = 0; b < 16; ++b) {
    e[b] = _mm512_i32gather_epi32(_mm512_min_epi32(_mm512_sub_epi32(vtop, _mm512_loadu_si512(l + 16 * b)), cap), lut, 4);
    sum = _mm512_add_epi64(sum, _mm512_add_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(e[b])),
                                                 _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(e[b], 1))));
  }
  const double total = static_cast<double>(_mm512_reduce_add_epi64(sum));
  const __m512d den = _mm512_set1_pd(total), inv = _mm512_set1_pd(1.0 / total), vs = _mm512_set1_pd(scale);
  for (int b = 0; b < 16; ++b)
    for (int half = 0; half < 2; ++half) {
      const __m256i x = half ? _mm512_extracti64x4_epi64(e[b], 1) : _mm512_castsi512_si256(e[b]);
      const __m512d q = floor_quotient(_mm512_mul_pd(_mm512_cvtepi32_pd(x), vs), den, inv);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 16 * b + 8 * half),
                          _mm256_add_epi32(_mm512_cvtpd_epi32(q), _mm256_set1_epi32(1)));
    }
}

// cumulative_tables' AVX-512 form: each vector of 16 summed in four
// shifted adds, plus the running total (a decoding step's 256 dependent
// adds were a chain of ~256 cycles).
MBZ_AVX512 void cumulative_avx512(const uint32_t* freq, uint32_t* cum) {
  const __m512i zero = _mm512_setzero_si512();
  __m512i carry = zero;
  cum[0] = 0;
  for (int t = 0; t < 256; t += 16) {
    __m512i v = _mm512_loadu_si512(freq + t);
    v = _mm512_add_epi32(v, _mm512_alignr_epi32(v, zero, 15));  // lane i += lane i-1
    v = _mm512_add_epi32(v, _mm512_alignr_epi32(v, zero, 14));  // += lane i-2
    v = _mm512_add_epi32(v, _mm512_alignr_epi32(v, zero, 12));  // += lane i-4
    v = _mm512_add_epi32(v, _mm512_alignr_epi32(v, zero, 8));   // += lane i-8
    v = _mm512_add_epi32(v, carry);
    _mm512_storeu_si512(cum + t + 1, v);
    carry = _mm512_permutexvar_epi32(_mm512_set1_epi32(15), v);
  }
}

}  // namespace

void cumulative_tables(const uint32_t* freq, int rows, uint32_t* cum, kernels::Isa isa) {
  for (int r = 0; r < rows; ++r) {
    const uint32_t* f = freq + static_cast<size_t>(r) * 256;
    uint32_t* c = cum + static_cast<size_t>(r) * 257;
    if (kernels::wide_vectors(isa)) {
      cumulative_avx512(f, c);
      continue;
    }
    c[0] = 0;
    for (int t = 0; t < 256; ++t) c[t + 1] = c[t] + f[t];
  }
}

void byte_tables(const CpuModel& m, const int32_t* x, int rows, uint32_t* freq) {
  const int dl = static_cast<int>(m.cfg.l_dim);
  Scratch& sc = scratch_of_thread();
  int8_t* h = scratch(sc.h, static_cast<size_t>(rows) * dl);
  int32_t* logit = scratch(sc.acc, static_cast<size_t>(rows) * 256);
  rms_norm(x, rows, dl, m.cfg.norm_scale, h, m.isa);
  m.out.multiply(h, rows, logit);
  requant_to_i32(logit, rows, 256, m.out_m, -(1 << 24), 1 << 24, logit, m.wide_requant);
  const int64_t lo = static_cast<int64_t>(m.out_lut.size());
  const double scale = static_cast<double>(m.cfg.freq_total - 256);
  for (int r = 0; r < rows; ++r) {
    const int32_t* l = logit + static_cast<size_t>(r) * 256;
    uint32_t* out = freq + static_cast<size_t>(r) * 256;
    if (kernels::wide_vectors(m.isa)) {
      byte_table_avx512(l, m.out_lut.data(), lo, scale, out);
      continue;
    }
    const int32_t top = *std::max_element(l, l + 256);
    int64_t e[256], sum = 0;
    for (int t = 0; t < 256; ++t) sum += (e[t] = m.out_lut[std::min<int64_t>(int64_t(top) - l[t], lo - 1)]);
    const double den = static_cast<double>(sum);
    for (int t = 0; t < 256; ++t)  // e * scale < 2^36
      out[t] = 1 + static_cast<uint32_t>(std::floor(static_cast<double>(e[t]) * scale / den));
  }
}

}  // namespace mbz
