// byte_contexts.hpp — the ten contexts of a byte, base[0..9], by profile
// (docs/FORMAT.md "Mixed segments": "Byte contexts: profile 1", "Byte
// contexts: profiles 2, 3 and 4"). Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <cstdint>

#include "mix/blocks/byte_state.hpp"
#include "mix/blocks/context_counters.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

// Profile 1: orders 1-6, words, sparse contexts. place is always 0.
class GeneralContexts {
 public:
  explicit GeneralContexts(SampleShape) {}
  uint32_t place() const { return 0; }
  void begin_byte(const ByteState& b, ByteContexts& base) const {
    const uint32_t c4 = b.c4, c8 = b.c8;
    base[0] = b.c1() << 8;  // order 1 is direct: (c1, c0) fits 16 bits
    base[1] = hash2(c4 & 0xFFFF, 2);
    base[2] = hash2(c4 & 0xFFFFFF, 3);
    base[3] = hash2(c4, 4);
    base[4] = hash2(c4, hash2(c8 & 0xFFFF, 6));
    base[5] = hash2(b.word, 7);
    base[6] = hash2((c4 >> 8) & 0xFF, 8);     // the byte before last: the same byte of a 16-bit sample
    base[7] = hash2(c4 & 0xFF00FF00u, 9);     // every other byte
    base[8] = hash2(c4, hash2(c8 & 0xFF, 5));
    base[9] = hash2(b.word, hash2(b.prev_word, 10));  // word pair
  }
};

// Profiles 2-4, sampled data: contexts of the same byte of earlier samples
// (left, and the row above for images) at this byte's place in its frame.
class SampledContexts {
 public:
  explicit SampledContexts(SampleShape shape) : shape_(shape) {}
  uint32_t place() const { return place_; }
  void begin_byte(const ByteState& b, ByteContexts& base) {
    const uint64_t at = b.history.size() + shape_.phase;
    const uint32_t s = shape_.stride;
    const uint64_t up = shape_.row ? shape_.row : 3 * uint64_t{s};
    place_ = static_cast<uint32_t>((shape_.row ? at % shape_.row : at) % s);
    const uint32_t c1 = b.back(1), c2 = b.back(2), l = b.back(s), l2 = b.back(2 * uint64_t{s}), u = b.back(up);
    const uint32_t ul = b.back(up + s), ur = up > s ? b.back(up - s) : 0;
    const uint32_t ph = place_ + 1;
    base[0] = c1 << 8;
    base[1] = hash2(ph, hash2(c1 | c2 << 8, 11));
    base[2] = hash2(ph, hash2(l, 12));
    base[3] = hash2(ph, hash2(l | l2 << 8, 13));
    base[4] = hash2(ph, hash2(u, 14));
    base[5] = hash2(ph, hash2(u | l << 8, 15));
    base[6] = hash2(ph, hash2(u | ul << 8 | ur << 16, 16));
    base[7] = hash2(ph, hash2(c1 | l << 8, 17));
    base[8] = hash2(ph, hash2(c1 | u << 8, 18));
    base[9] = hash2(ph, hash2(c1 | c2 << 8 | b.back(3) << 16, 19));
  }

 private:
  SampleShape shape_;
  uint32_t place_ = 0;  // the byte's place in its sample frame
};

}  // namespace mbz::mix
