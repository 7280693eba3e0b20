// fused_cpu.hpp — one-pass CPU versions of the engine's element-wise steps.
//
// The tensor-op versions in engine.cpp take 4-10 passes over float64
// temporaries per step; these loops compute the same integers (same float64
// requantization, exact integer norm and softmax; docs/EXACTNESS.md §3-4) in
// one pass over contiguous float32 data. Used for teacher forcing on CPU;
// tests hold them equal to the tensor path bit for bit. No libtorch here.
#pragma once

#include <cstdint>

namespace mbz::fused {

// Parallel-for hook (libtorch's pool), so these loops honour -T.
using ParallelFor = void (*)(int64_t n, int64_t grain, void* ctx, void (*body)(void* ctx, int64_t begin, int64_t end));

struct Rows {
  int64_t rows, cols;
};

// out = clamp(floor(acc * m[col] + 1/2), lo, hi); acc float32 or float64 (acc64 != nullptr).
void requant(const float* acc32, const double* acc64, Rows shape, const double* m, double lo, double hi, float* out,
             ParallelFor pf);
// x = clamp(x + clamp(floor(acc * m + 1/2), -R, R), -R, R) in place.
void residual_add(float* x, const float* acc32, const double* acc64, Rows shape, const double* m, double r,
                  ParallelFor pf);
// out = act_lut[clamp(floor(acc * m + 1/2), -g, g) + g].
void activation(const float* acc32, const double* acc64, Rows shape, const double* m, int32_t g,
                const int32_t* lut, float* out, ParallelFor pf);
// Integer RMSNorm of each row into int8 range.
void rmsnorm(const float* x, Rows shape, int64_t norm_scale, float* out, ParallelFor pf);
// Attention weights from raw scores q.k, [groups = B*H, C, T] with head h = group % H:
// p = round(e / sum e * 2^bits), e = exp_lut[min(max - s, len-1)], s = floor(acc*mscore+1/2) - slope_h*(i-j),
// keys out of reach (j > i or i - j >= window) get 0. Query c is at position qpos0 + c, key t at kpos0 + t.
void attention_weights(const float* scores, int64_t groups, int64_t heads, int64_t c, int64_t t, double mscore,
                       const int64_t* slopes, int64_t qpos0, int64_t kpos0, int64_t window, const int32_t* exp_lut,
                       int64_t lut_len, int prob_bits, float* p, ParallelFor pf);
// Byte frequencies (as float64) from output accumulators [R, 256].
void byte_tables(const float* acc32, const double* acc64, int64_t rows, const double* m, const int32_t* exp_lut,
                 int64_t lut_len, int64_t freq_total, double* freq, ParallelFor pf);

}  // namespace mbz::fused
