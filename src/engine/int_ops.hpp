// int_ops.hpp — exact integer primitives of docs/EXACTNESS.md §3 shared by
// the CPU backend and the libtorch reference, so that both apply one rule.
#pragma once

#include <cmath>
#include <cstdint>

namespace mbz {

// A model multiplier (mantissa, shift) as the exact double mantissa * 2^-shift.
inline double dyadic_value(const int32_t* pair) { return std::ldexp(static_cast<double>(pair[0]), -pair[1]); }

// The exact integer square root of n >= 0.
inline int64_t isqrt(int64_t n) {
  int64_t r = static_cast<int64_t>(std::sqrt(static_cast<double>(n)));
  while (r * r > n) --r;
  while ((r + 1) * (r + 1) <= n) ++r;
  return r;
}

}  // namespace mbz
