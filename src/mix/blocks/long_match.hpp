// long_match.hpp — profile 7's second match model: repeats of 12 bytes or
// more, in a table of its own, verified up to 1024 bytes back and followed
// up to 65535.
//
// Profile 5's match model (kept in profile 7 as it is) looks up the last 6
// bytes, so in text it mostly finds short, recent repeats and keeps the
// first it finds until it breaks; this one looks up the last 12, so it finds
// the long repeats (a copied line, a repeated block) that a short match
// misses or loses, and tells them apart by length up to 65535 bytes. The
// verification stops at 1024 bytes so that input built to break and re-find
// a long repeat at every byte costs at most 1024 compares a byte, not 65535;
// a longer repeat still reaches its length by being followed.
//
// Inputs (2): the stretched probability its state map gives the predicted
// bit by length bucket, and the predicted bit signed with strength
// min(2047, 32 * length); both 0 while no repeat is followed or the byte has
// left it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/state_map.hpp"
#include "mix/context_hash.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix {

class LongMatch {
 public:
  static constexpr uint32_t kMinLen = 12;       // bytes that must repeat before it predicts
  static constexpr uint32_t kMaxLen = 65535;    // lengths stop here
  static constexpr uint32_t kVerifyLen = 1024;  // bytes compared back when a candidate is found
  static constexpr uint32_t kTableSalt = 55;    // its table's hash differs from the first match model's
  static constexpr int kInputs = 2;

  // entries: a power of two (profile 5's match table's size).
  explicit LongMatch(size_t entries) : table_(entries, 0), map_(64) {}

  // Writes its kInputs inputs for the next bit of the byte whose partial
  // byte is c0 (1 followed by bit_pos bits).
  void predict(const std::vector<uint8_t>& history, uint32_t c0, int bit_pos, int32_t* x) {
    ctx_ = -1;
    x[0] = x[1] = 0;
    if (len_ == 0) return;
    const uint32_t predicted = history[ptr_] | 256u;
    if ((predicted >> (8 - bit_pos)) != c0) return;
    const int expected = static_cast<int>(predicted >> (7 - bit_pos)) & 1;
    // Lengths 12..15 one bucket each, then one a power of two (16..65535: 16..27).
    const int bucket = len_ < 16 ? static_cast<int>(len_) : std::min(31, ilog2(len_) + 12);
    ctx_ = bucket * 2 + expected;
    x[0] = stretch(map_.p(static_cast<size_t>(ctx_)));
    const int strength = static_cast<int>(std::min<uint32_t>(2047, len_ * 32));
    x[1] = expected ? strength : -strength;
  }

  void update(int bit) {
    if (ctx_ >= 0) map_.update(bit);
  }

  // The length of the repeat followed; 0: none.
  uint32_t length() const { return len_; }

  // After a byte joined history: follow the repeat, or look for one ending
  // with the last kMinLen bytes.
  void end_byte(const std::vector<uint8_t>& history) {
    const uint32_t pos = static_cast<uint32_t>(history.size());
    const uint8_t byte = history[pos - 1];
    if (len_ > 0 && history[ptr_] == byte) {
      ++ptr_;
      if (len_ < kMaxLen) ++len_;
    } else {
      len_ = 0;
    }
    if (pos < kMinLen) return;
    uint32_t h = 0;
    for (uint32_t i = pos - kMinLen; i < pos; ++i) h = hash2(h, history[i]);
    uint32_t& slot = table_[hash2(h, kTableSalt) & (table_.size() - 1)];
    if (len_ == 0 && slot > 0) {
      uint32_t len = 0;
      while (len < kVerifyLen && len < slot && history[slot - 1 - len] == history[pos - 1 - len]) ++len;
      if (len >= kMinLen) len_ = len, ptr_ = slot;
    }
    slot = pos;
  }

 private:
  static int ilog2(uint32_t v) {
    int r = 0;
    while (v >>= 1) ++r;
    return r;
  }

  std::vector<uint32_t> table_;  // where the bytes after a hashed 12 last ended (a position; 0: none)
  uint32_t ptr_ = 0, len_ = 0;   // the byte the repeat predicts next, and its length; 0: none
  StateMap map_;                 // by length bucket (0..31) x predicted bit
  int ctx_ = -1;                 // the map's entry this decision; -1: none
};

}  // namespace mbz::mix
