// mixer_dot_check.hpp — the check that mix::mixer_dot (weight_sets.hpp: two
// 32-bit half sums) equals the 64-bit sum for a profile's number of inputs,
// at the extremes and at random; each wide profile's test calls it with its
// own kInputs (test_profile7.cpp, test_profile10.cpp).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "mix/blocks/weight_sets.hpp"
#include "mix/logistic.hpp"

namespace mbz::test {

inline void expect_mixer_dot_exact(int n) {
  auto reference = [n](const int32_t* x, const int32_t* w) {
    int64_t sum = 0;
    for (int i = 0; i < n; ++i) sum += int64_t{x[i]} * w[i];
    return static_cast<int>(std::clamp<int64_t>(sum >> 16, -mix::kStretchMax, mix::kStretchMax));
  };
  std::mt19937 rng(static_cast<uint32_t>(n));
  std::vector<int32_t> x(static_cast<size_t>(n)), w(static_cast<size_t>(n));
  for (int round = 0; round < 3000; ++round) {
    for (size_t i = 0; i < x.size(); ++i) {
      const int kind = round < 8 ? round : static_cast<int>(rng() % 8);
      switch (kind % 4) {
        case 0: x[i] = mix::kStretchMax, w[i] = mix::kWeightMax; break;
        case 1: x[i] = -mix::kStretchMax, w[i] = mix::kWeightMax; break;
        case 2: x[i] = mix::kStretchMax, w[i] = -mix::kWeightMax; break;
        default:
          x[i] = static_cast<int32_t>(rng() % (2 * mix::kStretchMax + 1)) - mix::kStretchMax;
          w[i] = static_cast<int32_t>(rng() % (2u * mix::kWeightMax + 1)) - mix::kWeightMax;
      }
      if (kind >= 4) w[i] >>= rng() % 24;  // small weights, where the sum is not clamped
    }
    ASSERT_EQ(mix::mixer_dot(x.data(), w.data(), n), reference(x.data(), w.data())) << n << " inputs, round " << round;
  }
}

}  // namespace mbz::test
