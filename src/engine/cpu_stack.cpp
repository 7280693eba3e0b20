// cpu_stack.cpp — the CPU backend's transformer stack and element-wise steps;
// see cpu_stack.hpp. Element-wise loops are written so the compiler can
// vectorize them (clones for AVX-512 and AVX2, chosen at run time); every
// division is floor(a / b) in float64 with |a| < 2^52, exact by
// docs/EXACTNESS.md §3.
#include "engine/cpu_stack.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

#include "engine/int_ops.hpp"

namespace mbz {

#define MBZ_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

namespace {

constexpr int32_t kR = kResidualMax;

template <class T>
T* scratch(std::vector<T>& buf, size_t n) {
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

// Per-thread work buffers of stack_forward (grown, never shrunk).
struct Scratch {
  std::vector<int8_t> h, qkv, att;
  std::vector<int32_t> acc;
  std::vector<int64_t> score;
  std::vector<int32_t> p, avi;
  std::vector<float> dots, q, av;
};
Scratch& scratch_of_thread() {
  thread_local Scratch s;
  return s;
}

MBZ_VECTOR_CLONES
void requant_i8(const int32_t* y, int rows, int n, const int64_t* mant, const int64_t* round, const int32_t* shift,
                int8_t* out) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) {
      const int64_t v = (int64_t(y[size_t(r) * n + j]) * mant[j] + round[j]) >> shift[j];
      out[size_t(r) * n + j] = static_cast<int8_t>(std::clamp<int64_t>(v, -127, 127));
    }
}

MBZ_VECTOR_CLONES
void residual_add(int32_t* x, const int32_t* y, int rows, int n, const int64_t* mant, const int64_t* round,
                  const int32_t* shift) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) {
      const size_t i = size_t(r) * n + j;
      const int64_t v = std::clamp<int64_t>((int64_t(y[i]) * mant[j] + round[j]) >> shift[j], -kR, kR);
      x[i] = static_cast<int32_t>(std::clamp<int64_t>(x[i] + v, -kR, kR));
    }
}

void activation(const int32_t* y, int rows, int n, const Multipliers& m, int32_t g, const int32_t* lut, int8_t* out) {
  requant_rows(y, rows, n, m, -g, g, const_cast<int32_t*>(y));
  for (size_t i = 0, e = size_t(rows) * n; i < e; ++i) out[i] = static_cast<int8_t>(lut[y[i] + g]);
}

// out[i] = q . k_i for `count` consecutive keys of one head: kt [dh][stride]
// transposed, keys at columns [0, count). Exact float sums (< 2^24).
MBZ_VECTOR_CLONES
void dot_keys(const float* q, const float* kt, int stride, int count, int dh, float* out) {
  constexpr int kBlock = 64;  // keys per register block (4 zmm / 8 ymm accumulators)
  int i0 = 0;
  for (; i0 + kBlock <= count; i0 += kBlock) {
    float acc[kBlock] = {};
    for (int j = 0; j < dh; ++j) {
      const float qj = q[j];
      const float* row = kt + static_cast<size_t>(j) * stride + i0;
      for (int t = 0; t < kBlock; ++t) acc[t] += qj * row[t];
    }
    for (int t = 0; t < kBlock; ++t) out[i0 + t] = acc[t];
  }
  std::fill(out + i0, out + count, 0.0f);
  for (int j = 0; j < dh; ++j) {
    const float qj = q[j];
    const float* row = kt + static_cast<size_t>(j) * stride;
    for (int i = i0; i < count; ++i) out[i] += qj * row[i];
  }
}

// av += sum_i p_i * v_i over `count` value rows (stride apart), each dh wide;
// |sum| <= 127 * (2^16 + W/2) < 2^24, so every float partial sum is exact.
MBZ_VECTOR_CLONES
void weighted_rows(const int32_t* p, const float* v, int stride, int count, int dh, float* av) {
  for (int i = 0; i < count; ++i) {
    if (p[i] == 0) continue;
    const float pi = static_cast<float>(p[i]);
    const float* row = v + static_cast<size_t>(i) * stride;
    for (int j = 0; j < dh; ++j) av[j] += pi * row[j];
  }
}

// Attention weights of n keys from their dot products (in place in `s`):
// score = rq(dot, mscore) - slope * distance (distance n-1-i for key i),
// e = lut[min(top - score, la - 1)], p = floor((e * 2^(pb+1) + sum) / (2 sum)).
MBZ_VECTOR_CLONES
void attention_weights(const float* dots, int64_t* s, int n, int64_t mant, int64_t round, int32_t shift, int64_t slope,
                       const int64_t* lut, int64_t la, double one, int32_t* p) {
  int64_t top = INT64_MIN;
  for (int i = 0; i < n; ++i) {
    s[i] = ((static_cast<int64_t>(dots[i]) * mant + round) >> shift) - slope * (n - 1 - i);
    top = std::max(top, s[i]);
  }
  int64_t sum = 0;
  for (int i = 0; i < n; ++i) sum += (s[i] = lut[std::min(top - s[i], la - 1)]);
  const double den = 2.0 * static_cast<double>(sum), half = static_cast<double>(sum);
  for (int i = 0; i < n; ++i) p[i] = static_cast<int32_t>(std::floor((static_cast<double>(s[i]) * one + half) / den));
}

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

// Attention of every row's query over its sequence's ring; out [S*C, D] int8.
void attend(const CpuModel& m, const CpuStack& s, const CpuLayer& l, StackState& st, int layer, const int8_t* qkv,
            int sequences, int c, int64_t pos0, int8_t* out, Scratch& sc) {
  const int d = s.d, dh = s.dh, w = s.window, cap = st.cap();
  const int64_t la = static_cast<int64_t>(m.attn_lut.size());
  const double one = std::ldexp(1.0, static_cast<int>(m.cfg.attn_prob_bits) + 1);
  int64_t* score = scratch(sc.score, static_cast<size_t>(w));
  float* dots = scratch(sc.dots, static_cast<size_t>(w));
  int32_t* p = scratch(sc.p, static_cast<size_t>(w));
  float* q = scratch(sc.q, static_cast<size_t>(d));
  float* av = scratch(sc.av, static_cast<size_t>(d));
  int32_t* avi = scratch(sc.avi, static_cast<size_t>(d));
  for (int seq = 0; seq < sequences; ++seq)
    for (int ci = 0; ci < c; ++ci) {
      const int64_t pos = pos0 + ci, first = std::max<int64_t>(0, pos - w + 1);
      const int n = static_cast<int>(pos - first + 1);
      const RingRuns runs = ring_runs(first, n, cap);
      const int8_t* qrow = qkv + (static_cast<size_t>(seq) * c + ci) * 3 * d;
      for (int j = 0; j < d; ++j) q[j] = qrow[j];
      std::fill(av, av + d, 0.0f);
      for (int h = 0; h < s.heads; ++h) {
        const float* kt = st.keys(layer, seq, h);
        for (int r = 0, done = 0; r < 2; done += runs.count[r], ++r)
          if (runs.count[r] > 0) dot_keys(q + h * dh, kt + runs.slot[r], cap, runs.count[r], dh, dots + done);
        attention_weights(dots, score, n, l.mscore.mant[0], l.mscore.round[0], l.mscore.shift[0], l.slopes[h],
                          m.attn_lut.data(), la, one, p);
        for (int r = 0, done = 0; r < 2; done += runs.count[r], ++r)
          if (runs.count[r] > 0)
            weighted_rows(p + done, st.values(layer, seq, runs.slot[r]) + h * dh, d, runs.count[r], dh, av + h * dh);
      }
      for (int j = 0; j < d; ++j) avi[j] = static_cast<int32_t>(av[j]);
      requant_i8(avi, 1, d, l.mav.mant.data(), l.mav.round.data(), l.mav.shift.data(),
                 out + (static_cast<size_t>(seq) * c + ci) * d);
    }
}

}  // namespace

StackState::StackState(const CpuStack& stack, int sequences, int cap)
    : s_(sequences), cap_(cap), d_(stack.d), h_(stack.heads), dh_(stack.dh) {
  const size_t n = stack.layers.size() * static_cast<size_t>(sequences) * cap * stack.d;
  k_.assign(n, 0.0f);
  v_.assign(n, 0.0f);
}

void StackState::store(int layer, int seq, int64_t pos, const int8_t* k, const int8_t* v) {
  const int64_t slot = pos % cap_;
  for (int h = 0; h < h_; ++h) {
    float* kt = keys(layer, seq, h) + slot;
    for (int j = 0; j < dh_; ++j) kt[static_cast<size_t>(j) * cap_] = k[h * dh_ + j];
  }
  float* vr = values(layer, seq, slot);
  for (int j = 0; j < d_; ++j) vr[j] = v[j];
}

MBZ_VECTOR_CLONES
void rms_norm(const int32_t* x, int rows, int d, int64_t norm_scale, int8_t* h) {
  for (int r = 0; r < rows; ++r) {
    const int32_t* row = x + static_cast<size_t>(r) * d;
    int64_t ss = 0;
    for (int j = 0; j < d; ++j) ss += int64_t(row[j]) * row[j];
    const int64_t root = std::max<int64_t>(1, isqrt(ss / d));
    // floor(a / den) for |a| < 2^24: a guess from the reciprocal, corrected
    // by exact integer comparisons (all values below 2^53).
    const double den = static_cast<double>(2 * root), inv = 1.0 / den;
    const double nq2 = static_cast<double>(2 * norm_scale), add = static_cast<double>(root);
    int8_t* out = h + static_cast<size_t>(r) * d;
    for (int j = 0; j < d; ++j) {
      const double a = nq2 * static_cast<double>(row[j]) + add;
      double q = std::floor(a * inv);
      q = q * den > a ? q - 1.0 : q;
      q = (q + 1.0) * den <= a ? q + 1.0 : q;
      out[j] = static_cast<int8_t>(static_cast<int32_t>(std::min(std::max(q, -127.0), 127.0)));
    }
  }
}

MBZ_VECTOR_CLONES
void requant_rows(const int32_t* y, int rows, int n, const Multipliers& m, int32_t lo, int32_t hi, int32_t* out) {
  const int64_t* mant = m.mant.data();
  const int64_t* round = m.round.data();
  const int32_t* shift = m.shift.data();
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) {
      const size_t i = size_t(r) * n + j;
      out[i] = static_cast<int32_t>(std::clamp<int64_t>((int64_t(y[i]) * mant[j] + round[j]) >> shift[j], lo, hi));
    }
}

void stack_forward(const CpuModel& m, const CpuStack& s, StackState& st, int32_t* x, int sequences, int c, int64_t pos0) {
  const int d = s.d, f = s.ffn, rows = sequences * c;
  const int32_t g = static_cast<int32_t>(m.cfg.act_half);
  Scratch& sc = scratch_of_thread();
  int8_t* h = scratch(sc.h, static_cast<size_t>(rows) * std::max(d, f));
  int8_t* qkv = scratch(sc.qkv, static_cast<size_t>(rows) * 3 * d);
  int8_t* att = scratch(sc.att, static_cast<size_t>(rows) * d);
  int32_t* acc = scratch(sc.acc, static_cast<size_t>(rows) * std::max(3 * d, f));
  for (size_t li = 0; li < s.layers.size(); ++li) {
    const CpuLayer& l = s.layers[li];
    const int layer = static_cast<int>(li);
    rms_norm(x, rows, d, m.cfg.norm_scale, h);
    l.wqkv.multiply(h, rows, acc);
    requant_i8(acc, rows, 3 * d, l.mqkv.mant.data(), l.mqkv.round.data(), l.mqkv.shift.data(), qkv);
    for (int seq = 0; seq < sequences; ++seq)
      for (int ci = 0; ci < c; ++ci) {
        const int8_t* row = qkv + (static_cast<size_t>(seq) * c + ci) * 3 * d;
        st.store(layer, seq, pos0 + ci, row + d, row + 2 * d);
      }
    attend(m, s, l, st, layer, qkv, sequences, c, pos0, att, sc);
    l.wo.multiply(att, rows, acc);
    residual_add(x, acc, rows, d, l.mo.mant.data(), l.mo.round.data(), l.mo.shift.data());
    rms_norm(x, rows, d, m.cfg.norm_scale, h);
    l.w1.multiply(h, rows, acc);
    activation(acc, rows, f, l.m1, g, m.act_lut.data(), h);
    l.w2.multiply(h, rows, acc);
    residual_add(x, acc, rows, d, l.m2.mant.data(), l.m2.round.data(), l.m2.shift.data());
  }
}

void byte_tables(const CpuModel& m, const int32_t* x, int rows, uint32_t* freq) {
  const int dl = static_cast<int>(m.cfg.l_dim);
  Scratch& sc = scratch_of_thread();
  int8_t* h = scratch(sc.h, static_cast<size_t>(rows) * dl);
  int32_t* logit = scratch(sc.acc, static_cast<size_t>(rows) * 256);
  rms_norm(x, rows, dl, m.cfg.norm_scale, h);
  m.out.multiply(h, rows, logit);
  requant_rows(logit, rows, 256, m.out_m, -(1 << 24), 1 << 24, logit);
  const int64_t lo = static_cast<int64_t>(m.out_lut.size());
  const double scale = static_cast<double>(m.cfg.freq_total - 256);
  for (int r = 0; r < rows; ++r) {
    const int32_t* l = logit + static_cast<size_t>(r) * 256;
    uint32_t* out = freq + static_cast<size_t>(r) * 256;
    const int32_t top = *std::max_element(l, l + 256);
    int64_t e[256], sum = 0;
    for (int t = 0; t < 256; ++t) sum += (e[t] = m.out_lut[std::min<int64_t>(int64_t(top) - l[t], lo - 1)]);
    const double den = static_cast<double>(sum);
    for (int t = 0; t < 256; ++t)  // e * scale < 2^36
      out[t] = 1 + static_cast<uint32_t>(std::floor(static_cast<double>(e[t]) * scale / den));
  }
}

}  // namespace mbz
