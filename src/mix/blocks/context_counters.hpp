// context_counters.hpp — the counters of the ten byte contexts, inputs 0..9
// and 14..23 of every profile (docs/FORMAT.md "Mixed segments", "Coding a
// segment": predict, update). Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "mix/blocks/counter_tables.hpp"
#include "mix/context_hash.hpp"

namespace mbz::mix {

constexpr int kContexts = 10;        // hashed context counters
constexpr int kCounterLimit = 6;     // their fast probabilities adapt at 1/(n+1.5), n <= this
using ByteContexts = std::array<uint32_t, kContexts>;  // base[0..9]: the byte's contexts

class ContextCounters {
 public:
  explicit ContextCounters(uint32_t table_bits) : tables_(kContexts, table_bits) {}

  // The next bit's slot in every table, and a prefetch of each. Order 1
  // indexes directly (c1, c0) and checks with c1; the rest hash.
  void begin_bit(const ByteContexts& base, uint32_t c0, uint32_t c1) {
    slot_hash_[0] = base[0] | c0 | (c1 << 24);
    const uint32_t bit_hash = mix32(c0 * 0x2545F491u);
    for (int i = 1; i < kContexts; ++i) slot_hash_[i] = base[i] ^ bit_hash;
    for (int i = 0; i < kContexts; ++i) tables_.prefetch(i, slot_hash_[i]);
  }
  // x[i] = st_fast, x[kContexts + 4 + i] = st_slow of context i's counter.
  void read(int32_t* x) {
    for (int i = 0; i < kContexts; ++i) live_[i] = &tables_.at(i, slot_hash_[i]);
    for (int i = 0; i < kContexts; ++i) x[i] = live_[i]->stretched(), x[kContexts + 4 + i] = live_[i]->stretched_slow();
  }
  void train(int bit) {
    for (int i = 0; i < kContexts; ++i) live_[i]->train(bit, kCounterLimit);
  }

 private:
  CounterTables tables_;
  std::array<uint32_t, kContexts> slot_hash_{};  // of the next bit's context in each table (begin_bit)
  std::array<Counter*, kContexts> live_{};
};

}  // namespace mbz::mix
