// nibble_counters.hpp — profile 9's direct probability counters in nibble
// slots (docs/FORMAT.md "Profile 9", "The texture table").
//
// Profile 5's nibble table (nibble_table.hpp) holds bit histories; an image's
// texture contexts predict better with plain adaptive probabilities in the
// same cache-friendly layout (the image lab: two thirds of the gain with bit
// histories, bench/results/image-lab-2026-12-02.md). A context is looked up
// twice a byte, at its first bit and at its fifth; its 32-byte slot holds a
// 16-bit check and the 15 counters of a nibble's decisions, so the four
// decisions after a lookup cost no further miss. Two slots a 64-byte line,
// the line chosen by the hash's low bits, the slot by the check (the hash's
// top 16 bits, made odd so that 0 marks a slot never used); on a miss the
// slot whose first counter has seen fewer bits (slot 0 on a tie) is cleared
// and taken. A counter is 16 bits: a 12-bit P(1) and a 4-bit count n; a bit
// moves it 2/(2n + 3) of the way to 0 or 4095 (rounded as below), n stopping
// at 15. Frozen with profile 9: listed in tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "common/huge_pages.hpp"

namespace mbz::mix {

class NibbleCounters {
 public:
  struct alignas(64) Line {
    uint16_t w[32];  // slot 0: w[0] check, w[1..15] counters; slot 1: w[16], w[17..31]
  };
  static constexpr uint16_t kFresh = 2048 << 4;  // P(1) = 1/2, n = 0

  // bytes: a power of two, at least 64; every slot starts unused (zero).
  explicit NibbleCounters(size_t bytes) : lines_(bytes / 64), mask_(static_cast<uint32_t>(bytes / 64 - 1)) {}

  // The 15 counters of the slot of hash h (found or newly cleared).
  uint16_t* find(uint32_t h) {
    uint16_t* line = lines_.data()[h & mask_].w;
    const uint16_t check = static_cast<uint16_t>((h >> 16) | 1);
    if (line[0] == check) return line + 1;
    if (line[16] == check) return line + 17;
    uint16_t* slot = line + (count(line[1]) <= count(line[17]) ? 0 : 16);
    slot[0] = check;
    std::fill(slot + 1, slot + 16, kFresh);
    return slot + 1;
  }
  // Starts loading the line of hash h (speed only).
  void prefetch(uint32_t h) const { __builtin_prefetch(lines_.data()[h & mask_].w, 1); }

  static int p(uint16_t c) { return c >> 4; }      // 1..4095 once trained (2048 fresh)
  static int count(uint16_t c) { return c & 15; }  // bits seen, at most 15
  // After bit: step = ((target - p) * 2 + (target > p ? 2n + 2 : 0)) / (2n + 3),
  // C division (the added 2n + 2 rounds a step up toward 4095 as one toward
  // 0 is rounded by truncation), p clamped to 1..4095.
  static void update(uint16_t& c, int bit) {
    const int p12 = c >> 4, n = c & 15;
    const int target = bit ? 4095 : 0;
    const int step = ((target - p12) * 2 + (target > p12 ? 2 * n + 2 : 0)) / (2 * n + 3);
    c = static_cast<uint16_t>(std::clamp(p12 + step, 1, 4095) << 4 | (n < 15 ? n + 1 : n));
  }

 private:
  HugePageArray<Line> lines_;
  uint32_t mask_;
};

}  // namespace mbz::mix
