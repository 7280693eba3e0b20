// fused_cpu.cpp — one-pass element-wise loops; see fused_cpu.hpp.
#include "engine/fused_cpu.hpp"

#include "engine/int_ops.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

namespace mbz::fused {

namespace {

inline double acc_at(const float* a32, const double* a64, int64_t i) { return a64 ? a64[i] : static_cast<double>(a32[i]); }

inline double rq(double acc, double m, double lo, double hi) { return requant_round(acc, m, lo, hi); }

template <class F>
void rows_parallel(ParallelFor pf, int64_t rows, int64_t cols, F&& f) {
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, cols));
  pf(rows, grain, &f, [](void* ctx, int64_t b, int64_t e) { (*static_cast<F*>(ctx))(b, e); });
}

}  // namespace

void requant(const float* a32, const double* a64, Rows s, const double* m, double lo, double hi, float* out,
             ParallelFor pf) {
  rows_parallel(pf, s.rows, s.cols, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r)
      for (int64_t j = 0; j < s.cols; ++j) out[r * s.cols + j] = static_cast<float>(rq(acc_at(a32, a64, r * s.cols + j), m[j], lo, hi));
  });
}

void residual_add(float* x, const float* a32, const double* a64, Rows s, const double* m, double r, ParallelFor pf) {
  rows_parallel(pf, s.rows, s.cols, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row)
      for (int64_t j = 0, i = row * s.cols; j < s.cols; ++j, ++i) {
        const double v = static_cast<double>(x[i]) + rq(acc_at(a32, a64, i), m[j], -r, r);
        x[i] = static_cast<float>(std::clamp(v, -r, r));
      }
  });
}

void activation(const float* a32, const double* a64, Rows s, const double* m, int32_t g, const int32_t* lut, float* out,
                ParallelFor pf) {
  rows_parallel(pf, s.rows, s.cols, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row)
      for (int64_t j = 0, i = row * s.cols; j < s.cols; ++j, ++i)
        out[i] = static_cast<float>(lut[static_cast<int64_t>(rq(acc_at(a32, a64, i), m[j], -g, g)) + g]);
  });
}

void rmsnorm(const float* x, Rows s, int64_t norm_scale, float* out, ParallelFor pf) {
  rows_parallel(pf, s.rows, s.cols, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* row = x + r * s.cols;
      int64_t ss = 0;
      for (int64_t j = 0; j < s.cols; ++j) ss += static_cast<int64_t>(row[j]) * static_cast<int64_t>(row[j]);
      const int64_t root = std::max<int64_t>(1, isqrt(ss / s.cols));
      for (int64_t j = 0; j < s.cols; ++j) {
        const int64_t q = floor_div(2 * norm_scale * static_cast<int64_t>(row[j]) + root, 2 * root);
        out[r * s.cols + j] = static_cast<float>(std::clamp<int64_t>(q, -127, 127));
      }
    }
  });
}

void attention_weights(const float* scores, int64_t groups, int64_t heads, int64_t c, int64_t t, double mscore,
                       const int64_t* slopes, int64_t qpos0, int64_t kpos0, int64_t window, const int32_t* lut,
                       int64_t lut_len, int prob_bits, float* p, ParallelFor pf) {
  const int64_t one = int64_t{1} << (prob_bits + 1);
  rows_parallel(pf, groups * c, t, [&](int64_t b, int64_t e) {
    std::vector<int64_t> s(static_cast<size_t>(t)), w(static_cast<size_t>(t));
    for (int64_t row = b; row < e; ++row) {
      const int64_t h = (row / c) % heads, i = qpos0 + row % c;
      const float* acc = scores + row * t;
      float* out = p + row * t;
      // Keys in reach: i - window < j <= i, i.e. t in [lo, hi).
      const int64_t lo = std::max<int64_t>(0, i - window + 1 - kpos0), hi = std::min<int64_t>(t, i - kpos0 + 1);
      int64_t top = INT64_MIN;
      for (int64_t k = lo; k < hi; ++k) {
        s[k] = static_cast<int64_t>(rq(static_cast<double>(acc[k]), mscore, -kScoreBound, kScoreBound)) - slopes[h] * (i - kpos0 - k);
        top = std::max(top, s[k]);
      }
      int64_t sum = 0;
      for (int64_t k = lo; k < hi; ++k) sum += (w[k] = lut[std::min(top - s[k], lut_len - 1)]);
      std::fill(out, out + t, 0.0f);
      for (int64_t k = lo; k < hi; ++k) out[k] = static_cast<float>((w[k] * one + sum) / (2 * sum));
    }
  });
}

void byte_tables(const float* a32, const double* a64, int64_t rows, const double* m, const int32_t* lut, int64_t lut_len,
                 int64_t freq_total, double* freq, ParallelFor pf) {
  const double bound = static_cast<double>(1 << 24);
  rows_parallel(pf, rows, 256, [&](int64_t b, int64_t e) {
    int64_t logit[256], ex[256];
    for (int64_t r = b; r < e; ++r) {
      int64_t top = INT64_MIN, sum = 0;
      for (int s = 0; s < 256; ++s) top = std::max(top, logit[s] = static_cast<int64_t>(rq(acc_at(a32, a64, r * 256 + s), m[s], -bound, bound)));
      for (int s = 0; s < 256; ++s) sum += (ex[s] = lut[std::min(top - logit[s], lut_len - 1)]);
      for (int s = 0; s < 256; ++s) freq[r * 256 + s] = static_cast<double>(1 + ex[s] * (freq_total - 256) / sum);
    }
  });
}

}  // namespace mbz::fused
