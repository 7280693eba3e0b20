// counter.hpp — the adaptive bit probability every mixer context keeps
// (docs/FORMAT.md "Mixed segments", "Shared primitives": "Counters").
// Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

#include "mix/logistic.hpp"

namespace mbz::mix {

// 65536 / (n + 1.5): the step of a counter that has seen n bits (built at compile time).
inline constexpr std::array<int32_t, 256> kCounterRates = [] {
  std::array<int32_t, 256> t{};
  for (int n = 0; n < 256; ++n) t[n] = 131072 / (2 * n + 3);
  return t;
}();
inline const std::array<int32_t, 256>& counter_rates() { return kCounterRates; }

// Two adaptive probabilities (16 bits) of one context: one follows recent
// bits (its count stops at fast_limit), one averages over up to 255; check
// tags hashed slots.
struct Counter {
  uint16_t fast = 32768;
  uint16_t slow = 32768;
  uint8_t n = 0;
  uint8_t check = 0;
  void train(int bit, int fast_limit) {
    const int32_t target = bit ? 65535 : 0;
    fast = static_cast<uint16_t>(fast + (((target - fast) * int64_t{counter_rates()[std::min<int>(n, fast_limit)]}) >> 16));
    slow = static_cast<uint16_t>(slow + (((target - slow) * int64_t{counter_rates()[n]}) >> 16));
    if (n < 255) ++n;
  }
  static int st(uint16_t p) { return stretch(std::clamp(p >> 4, 1, kProbOne - 1)); }
  int stretched() const { return n == 0 ? 0 : st(fast); }
  int stretched_slow() const { return n == 0 ? 0 : st(slow); }
};

}  // namespace mbz::mix
