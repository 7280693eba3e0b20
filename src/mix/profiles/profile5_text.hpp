// profile5_text.hpp — mixer profile 5, bytes (mbz 0.9): bit histories in
// nibble slots, eighteen contexts, six weight sets and a final mixer, an
// SSE chain, and the model's probability as three inputs and two selectors.
//
// Profile 1 keeps one pair of counters per context and bit in its own cache
// line and mixes 24 inputs in two weight sets averaged with a fixed half.
// This profile keeps, per context and nibble, one 16-byte slot of
// bit-history states (nibble_table.hpp), turns each state into a
// probability learned per context (state_map.hpp), adds indirect, column,
// word-triple and character-class contexts, finds repeats of 6 bytes or
// more, and lets a second mixer learn how to weigh six weight sets chosen by
// the partial byte, the match, the model's probability, how many contexts
// know the bit, and the previous two bytes. Four probability maps refine the
// result (by partial byte; with the last byte; with a hash of the last two;
// with the model's probability and whether a match predicts).
//
// Frozen since mbz 0.9.0. Specified in docs/FORMAT.md "Mixed segments",
// "Profile 5". Do not edit this unit or a building block it includes
// (tests/frozen-units.sha256): a change is a new profile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/nibble_table.hpp"
#include "mix/blocks/probability_map.hpp"
#include "mix/blocks/state_map.hpp"
#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

class Profile5Text {
 public:
  static constexpr int kContexts = 18;
  // Legend of the inputs: 2 per context (its state's stretched probability,
  // then a confidence form), the match (2), the model (3), the bias.
  static constexpr int kMatchInputs = 2 * kContexts;      // 36, 37
  static constexpr int kModelInputs = kMatchInputs + 2;   // 38 stretched, 39 linear, 40 refined
  static constexpr int kBiasInput = kModelInputs + 3;     // 41
  static constexpr int kInputs = kBiasInput + 1;          // 42
  static constexpr int kSets = 6;

  Profile5Text(size_t segment_len, SampleShape shape);
  Profile5Text(const Profile5Text&) = delete;
  Profile5Text& operator=(const Profile5Text&) = delete;

  // P(next bit = 1) in [1, 4095] of 4096, given the model's counts for it.
  int predict(NodeCounts model);
  // The bit that was coded; after the 8th, the byte joins the history.
  void update(int bit);

 private:
  void begin_byte();
  void end_byte(uint8_t byte);
  void find_slots(uint32_t nibble);
  int node() const;
  void prefetch_rows() const;

  // Byte history and the contexts' hashes.
  std::vector<uint8_t> history_;
  uint32_t c0_ = 1, c4_ = 0, c8_ = 0;
  int bit_pos_ = 0;
  uint32_t word_ = 0, word1_ = 0, word2_ = 0;  // the word being read, the two before
  uint32_t line_ = 0, prev_line_ = 0;          // where the current and the previous line start
  std::vector<uint8_t> follow2_, follow3_;     // the byte that last followed two bytes, a hash of three
  std::array<uint32_t, kContexts> base_{};
  uint32_t order2_bucket_ = 0;  // 10 bits of a hash of the last two bytes (apm2)

  // Bit histories.
  NibbleTable table_;
  std::array<uint8_t*, kContexts> slot_{};  // this nibble's 15 states, per context
  std::array<uint8_t*, kContexts> state_{}; // this decision's state, per context
  std::vector<StateMap> maps_;
  int known_ = 0;                           // contexts whose state is not empty

  // Match model.
  std::vector<uint32_t> match_table_;
  uint32_t match_ptr_ = 0, match_len_ = 0;
  StateMap match_map_;
  int match_ctx_ = -1;  // the match map's entry this decision, -1: none

  // Mixing.
  std::array<int32_t, kInputs> x_{};
  std::array<std::vector<int32_t>, kSets> sets_;
  std::array<int32_t*, kSets> w_{};
  std::array<int, kSets> dot_{}, p_set_{};
  std::vector<int32_t> final_;  // 256 x kSets, by c0
  int32_t* fw_ = nullptr;
  int p_mix_ = 2048;
  ProbabilityMap model_map_, apm0_, apm1_, apm2_, apm3_;
};

}  // namespace mbz::mix
