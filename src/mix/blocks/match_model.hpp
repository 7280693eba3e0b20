// match_model.hpp — the match model of every profile, input 10 (docs/FORMAT.md
// "Mixed segments", "Match model (all profiles)"). Frozen: listed in
// tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/counter.hpp"

namespace mbz::mix {

class MatchModel {
 public:
  explicit MatchModel(uint32_t table_bits);

  // The input: the bit the repeated string predicts, if the byte still agrees.
  int input(const std::vector<uint8_t>& history, uint32_t c0, int bit_pos) {
    live_ = nullptr;
    expected_ = 0;
    if (len_ == 0) return 0;
    const uint32_t predicted = history[ptr_] | 256u;
    if ((predicted >> (8 - bit_pos)) != c0) return 0;
    expected_ = (predicted >> (7 - bit_pos)) & 1;
    live_ = &counters_[static_cast<size_t>(bucket_ * 2 + expected_)];
    return live_->n == 0 ? (expected_ ? 512 : -512) : live_->stretched();
  }
  // 0 without a prediction, else 1..6 by length and expected bit (profiles 1, 2).
  int state() const { return live_ ? 1 + std::min(bucket_, 14) / 5 * 2 + expected_ : 0; }
  void train(int bit) {
    if (live_) live_->train(bit, 255);
  }
  // After a byte, in two steps: extend() follows the current match and starts
  // fetching the slot of the last kMatchMin bytes; find() then looks for a
  // new match there and records this position.
  void extend(const std::vector<uint8_t>& history);
  void find(const std::vector<uint8_t>& history);

 private:
  std::vector<uint32_t> table_;  // last position after each hash of kMatchMin bytes
  uint32_t ptr_ = 0, len_ = 0;
  uint32_t* slot_ = nullptr;     // of the bytes just coded, between extend() and find()
  std::vector<Counter> counters_;  // by length bucket and expected bit
  Counter* live_ = nullptr;
  int bucket_ = 0, expected_ = 0;
};

}  // namespace mbz::mix
