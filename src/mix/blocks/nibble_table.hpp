// nibble_table.hpp — profile 5's hashed bit histories, one cache line per
// lookup (docs/FORMAT.md "Mixed segments", "Profile 5: nibble slots").
//
// A context is looked up twice a byte, at its first bit and at its fifth
// (hashed with the first nibble). The lookup finds a 16-byte slot: a check
// byte and the bit-history states of the 15 decisions of a nibble (1 + 2 +
// 4 + 8 nodes), so the four decisions that follow cost no further miss.
// Slots come four to a 64-byte line; a line is chosen by the hash's low
// bits, a slot in it by the check (the hash's top byte, made odd so that
// 0 marks a slot never used). When no slot matches, the one whose first
// state has seen the fewest bits (the first such) is cleared and taken.
// Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "mix/blocks/bit_history.hpp"
#include "common/huge_pages.hpp"

namespace mbz::mix {

class NibbleTable {
 public:
  struct alignas(64) Line {
    uint8_t b[64];
  };

  // bytes: a power of two, at least 64.
  explicit NibbleTable(size_t bytes) : lines_(bytes / 64), mask_(static_cast<uint32_t>(bytes / 64 - 1)) {}

  // The 15 states of the slot of hash h (found or newly cleared).
  uint8_t* find(uint32_t h) {
    uint8_t* line = lines_.data()[h & mask_].b;
    const uint8_t check = static_cast<uint8_t>((h >> 24) | 1);
    for (int i = 0; i < 4; ++i)
      if (line[16 * i] == check) return line + 16 * i + 1;
    int victim = 0, least = 256;
    for (int i = 0; i < 4; ++i) {
      const BitHistory& s = kBitHistories.state[line[16 * i + 1]];
      if (s.n0 + s.n1 < least) least = s.n0 + s.n1, victim = i;
    }
    uint8_t* slot = line + 16 * victim;
    slot[0] = check;
    std::fill(slot + 1, slot + 16, uint8_t{0});
    return slot + 1;
  }
  // Starts loading the line of hash h (speed only).
  void prefetch(uint32_t h) const { __builtin_prefetch(lines_.data()[h & mask_].b, 1); }

 private:
  HugePageArray<Line> lines_;
  uint32_t mask_;
};

// The table's size for a segment: 64 bytes per byte of it, from 4 MiB up to 64 MiB.
inline size_t nibble_table_bytes(size_t segment_len) {
  size_t bytes = size_t{1} << 22;
  while (bytes < (size_t{1} << 26) && bytes < segment_len * 64) bytes <<= 1;
  return bytes;
}

}  // namespace mbz::mix
