// logistic.hpp — the integer logistic pair of the context mixer.
//
// squash(x) = 4096 / (1 + e^(-x/256)) and stretch(p) = its inverse, in
// integers only: squash interpolates a 33-point table, stretch is the table
// of the smallest x with squash(x) >= p. No libm, so every platform computes
// the same probabilities (docs/EXACTNESS.md §6). Frozen: listed in
// tests/frozen-units.sha256.
#pragma once

#include <array>
#include <cstdint>

namespace mbz::mix {

constexpr int kProbBits = 12;
constexpr int kProbOne = 1 << kProbBits;  // probabilities are in (0, 4096)
constexpr int kStretchMax = 2047;

inline constexpr int32_t kSquashKnots[33] = {1,    2,    4,    6,    10,   17,   27,   45,   74,   120,  194,
                                             311,  488,  747,  1102, 1546, 2048, 2550, 2994, 3349, 3608, 3785,
                                             3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095};

// x in stretch units (1/256 of a natural log-odds); returns p in [1, 4095].
constexpr int squash(int x) {
  if (x > kStretchMax) x = kStretchMax;
  if (x < -kStretchMax) x = -kStretchMax;
  const int w = x & 127;
  const int i = (x >> 7) + 16;  // arithmetic shift: floor division for negative x
  return (kSquashKnots[i] * (128 - w) + kSquashKnots[i + 1] * w + 64) >> 7;
}

// stretch()'s table, built at compile time (no guard to test on every call).
inline constexpr std::array<int16_t, kProbOne> kStretchTable = [] {
  std::array<int16_t, kProbOne> t{};
  int pi = 0;
  for (int x = -kStretchMax; x <= kStretchMax; ++x) {
    const int v = squash(x);
    for (int j = pi; j <= v; ++j) t[j] = static_cast<int16_t>(x);
    pi = v + 1;
  }
  for (int j = pi; j < kProbOne; ++j) t[j] = kStretchMax;
  return t;
}();

// p in [0, 4095]; returns x in [-2047, 2047] with squash(x) close to p.
inline int stretch(int p) { return kStretchTable[p]; }

}  // namespace mbz::mix
