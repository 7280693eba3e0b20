// state_map.hpp — adaptive probabilities of small contexts, such as a
// context's bit-history state (docs/FORMAT.md "Mixed segments", "Profile 5:
// state maps"). Each entry holds a 22-bit probability of a 1 and how often
// it was used (up to a limit); it moves toward each coded bit by
// 2/(2n + 3) of the distance, so it starts as an average and ends as a
// slowly moving one. Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/bit_history.hpp"

namespace mbz::mix {

// 131072 / (2n + 3) for n < 1024: the step of an entry used n times, /2^16.
inline constexpr std::array<int32_t, 1024> kStateMapRates = [] {
  std::array<int32_t, 1024> t{};
  for (int n = 0; n < 1024; ++n) t[static_cast<size_t>(n)] = 131072 / (2 * n + 3);
  return t;
}();

class StateMap {
 public:
  static constexpr uint32_t kLimit = 1023;  // n stops here

  // Every entry starts at 1/2.
  explicit StateMap(size_t contexts) : e_(contexts, uint32_t{2048} << 20) {}

  // Entries 0..kBitHistoryStates-1 start at (2 n1 + 1) / (2 (n0 + n1) + 2) of their state.
  static StateMap for_bit_histories() {
    StateMap m(256);
    for (int s = 0; s < kBitHistoryStates; ++s) {
      const uint32_t n0 = kBitHistories.state[static_cast<size_t>(s)].n0, n1 = kBitHistories.state[static_cast<size_t>(s)].n1;
      m.e_[static_cast<size_t>(s)] = ((2 * n1 + 1) * 4096 / (2 * (n0 + n1) + 2)) << 20;
    }
    return m;
  }

  // P(1) in [0, 4095] of 4096; remembers the entry for update().
  int p(size_t ctx) {
    at_ = &e_[ctx];
    return static_cast<int>(*at_ >> 20);
  }
  void update(int bit) {
    const uint32_t e = *at_, n = e & 1023;
    const int64_t p = e >> 10;  // 22 bits
    const int64_t target = bit ? (int64_t{4095} << 10) : 0;
    const int64_t q = p + (((target - p) * kStateMapRates[n]) >> 16);
    *at_ = static_cast<uint32_t>(q << 10) | (n < kLimit ? n + 1 : n);
  }

 private:
  std::vector<uint32_t> e_;
  uint32_t* at_ = nullptr;
};

}  // namespace mbz::mix
