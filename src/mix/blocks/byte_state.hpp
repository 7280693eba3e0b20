// byte_state.hpp — the byte state every profile keeps: the segment's bytes so
// far, the partial byte c0, the last 8 bytes and the word hashes
// (docs/FORMAT.md "Mixed segments", "Coding a segment": "Byte state",
// end_byte). Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/context_hash.hpp"

namespace mbz::mix {

struct ByteState {
  explicit ByteState(size_t segment_len) { history.reserve(segment_len); }

  std::vector<uint8_t> history;
  uint32_t c0 = 1, c4 = 0, c8 = 0, word = 0, prev_word = 0;
  int bit_pos = 0;

  uint32_t c1() const { return c4 & 0xFF; }
  // The byte k back in the segment (0 before its start).
  uint32_t back(uint64_t k) const { return k <= history.size() ? history[history.size() - k] : 0; }

  // The bit just coded; true when it ended a byte (then end_byte() is due).
  bool push_bit(int bit) {
    c0 = (c0 << 1) | static_cast<uint32_t>(bit);
    return ++bit_pos == 8;
  }
  void end_byte() {
    const uint8_t byte = static_cast<uint8_t>(c0 & 0xFF);
    history.push_back(byte);
    c8 = (c8 << 8) | (c4 >> 24);
    c4 = (c4 << 8) | byte;
    c0 = 1;
    bit_pos = 0;
    const uint8_t lower = (byte >= 'A' && byte <= 'Z') ? static_cast<uint8_t>(byte + 32) : byte;
    if ((lower >= 'a' && lower <= 'z') || lower >= 128) {
      word = hash2(word, lower);
    } else if (word != 0) {
      prev_word = word;
      word = 0;
    }
  }
};

}  // namespace mbz::mix
