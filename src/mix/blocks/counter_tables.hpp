// counter_tables.hpp — the ten hashed counter tables T[0..9] of every profile
// and their size b (docs/FORMAT.md "Mixed segments": "Lifetime", "Hashed
// counter tables"). Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mix/counter.hpp"
#include "common/huge_pages.hpp"

namespace mbz::mix {

// b: the least of 16..19 with 2^b >= 2 * segment_len, else 20.
inline uint32_t table_bits(size_t segment_len) {
  uint32_t bits = 16;
  while (bits < 20 && (size_t{1} << bits) < segment_len * 2) ++bits;
  return bits;
}

// Hashed tables of counters, `count` of 2^bits slots each, in one block of
// huge pages; a slot whose check differs is taken over.
class CounterTables {
 public:
  CounterTables(int count, uint32_t bits)
      : slots_(size_t{static_cast<uint32_t>(count)} << bits), bits_(bits), mask_((1u << bits) - 1) {}
  Counter& at(int table, uint32_t h) {
    Counter& c = slots_.data()[slot(table, h)];
    const uint8_t check = static_cast<uint8_t>(h >> 24);
    if (c.check != check) c = Counter{32768, 32768, 0, check};
    return c;
  }
  // Starts loading the slot of h into the cache: the tables are far larger
  // than it, so every lookup would otherwise wait for memory.
  void prefetch(int table, uint32_t h) const { __builtin_prefetch(&slots_.data()[slot(table, h)], 1); }

 private:
  size_t slot(int table, uint32_t h) const { return (size_t{static_cast<uint32_t>(table)} << bits_) + (h & mask_); }
  HugePageArray<Counter> slots_;
  uint32_t bits_, mask_;
};

}  // namespace mbz::mix
