// bit_history.hpp — the bit-history states of profile 5's context slots
// (docs/FORMAT.md "Mixed segments", "Profile 5: bit histories").
//
// A state stands for what a context has seen of one binary decision: a
// count of zeros n0 and of ones n1, and, while both are small and nonzero,
// which came last. Seeing a bit y adds one to n_y; the other count, if above
// 2, is halved (rounding up), because a context that changes its mind is
// less sure of its old answer; n_y is then held to a cap that shrinks as the
// other count grows, so the table stays under 256 states and a long run
// ends in a saturated state. The table is built at compile time by that
// rule, states numbered in the order a breadth-first walk from the empty
// history first reaches them (state 0 = nothing seen), so a second
// implementation derives exactly the same numbers from the rule.
// Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <array>
#include <cstdint>

namespace mbz::mix {

struct BitHistory {
  uint8_t n0, n1, last;  // last: the latest bit while 0 < n0, n1 and n0 + n1 <= 8, else 0
};

constexpr int kBitHistoryStates = 245;

struct BitHistoryTable {
  std::array<BitHistory, kBitHistoryStates> state{};
  std::array<std::array<uint8_t, 2>, kBitHistoryStates> next{};  // next[s][bit]
};

// The largest n_y allowed while the other count is `other`.
constexpr int bit_history_cap(int other) {
  constexpr int caps[5] = {60, 30, 14, 8, 5};
  return caps[other < 4 ? other : 4];
}

inline constexpr BitHistoryTable kBitHistories = [] {
  BitHistoryTable t{};
  int count = 1;  // state 0: {0, 0, 0}
  for (int s = 0; s < count; ++s) {
    for (int y = 0; y < 2; ++y) {
      int n[2] = {t.state[s].n0, t.state[s].n1};
      n[y] += 1;
      if (n[1 - y] > 2) n[1 - y] = (n[1 - y] + 1) / 2;
      if (n[y] > bit_history_cap(n[1 - y])) n[y] = bit_history_cap(n[1 - y]);
      const int last = (n[0] > 0 && n[1] > 0 && n[0] + n[1] <= 8) ? y : 0;
      int k = 0;
      while (k < count && !(t.state[k].n0 == n[0] && t.state[k].n1 == n[1] && t.state[k].last == last)) ++k;
      if (k == count) {
        if (count == kBitHistoryStates) throw "more bit-history states than kBitHistoryStates";
        t.state[count++] = BitHistory{static_cast<uint8_t>(n[0]), static_cast<uint8_t>(n[1]), static_cast<uint8_t>(last)};
      }
      t.next[s][y] = static_cast<uint8_t>(k);
    }
  }
  if (count != kBitHistoryStates) throw "fewer bit-history states than kBitHistoryStates";
  return t;
}();

}  // namespace mbz::mix
