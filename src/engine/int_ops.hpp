// int_ops.hpp — the exact integer primitives of docs/EXACTNESS.md §3, shared by
// the fused CPU loops and the decoding kernel so that both apply one rule.
#pragma once

#include <cmath>
#include <cstdint>

namespace mbz {

// A model multiplier (mantissa, shift) as the exact double mantissa * 2^-shift.
inline double dyadic_value(const int32_t* pair) { return std::ldexp(static_cast<double>(pair[0]), -pair[1]); }

// clamp(floor(acc * m + 1/2), lo, hi) for integer lo, hi; acc * m + 1/2 is exact
// in float64. No libm call: below lo or at/above hi the clamp decides, in
// between truncate and adjust.
inline double requant_round(double acc, double m, double lo, double hi) {
  const double v = acc * m + 0.5;
  if (!(v >= lo)) return lo;
  if (v >= hi) return hi;
  const double t = static_cast<double>(static_cast<int64_t>(v));
  return t > v ? t - 1 : t;
}

// Clamp for attention scores: |q.k| <= 127^2 * 1040 and |mscore| < 2^24 keep
// them far inside it, so it never acts; it only makes the conversion safe.
constexpr double kScoreBound = 9007199254740992.0;  // 2^53

// floor(a / b) for b > 0 (C++ division truncates toward zero).
inline int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// The exact integer square root of n >= 0.
inline int64_t isqrt(int64_t n) {
  int64_t r = static_cast<int64_t>(std::sqrt(static_cast<double>(n)));
  while (r * r > n) --r;
  while ((r + 1) * (r + 1) <= n) ++r;
  return r;
}

}  // namespace mbz
