// profile7_text.hpp — mixer profile 7, bytes with structure contexts:
// profile 5 plus nine contexts of the text's layout and a second match
// model of long repeats.
//
// Profile 5 (profile5_text.hpp) predicts from eighteen contexts of the last
// bytes and words, a 6-byte match model and the model's probability. Code,
// markup and tables also repeat by where a byte stands: how deep inside
// brackets, in which kind of line (its first two bytes), at which column or
// field. This profile adds nine contexts that hash that layout
// (text_structure.hpp) with the last bytes, in the same nibble table, and a
// match model of repeats of 12 bytes or more (long_match.hpp); everything
// else is profile 5's, computed the same way. On the p7 lab's text (prose,
// code, structured; notes/p7-lab.md) 2-4% smaller than profile 5, with the
// model and without, for 27 nibble lookups a nibble instead of 18: about
// 1.4 times profile 5's time.
//
// Frozen since mbz 0.11.0. Specified in docs/FORMAT.md "Profile 7". Never
// edit this file or its new blocks (tests/frozen-units.sha256): a change is
// a new profile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/long_match.hpp"
#include "mix/blocks/nibble_table.hpp"
#include "mix/blocks/probability_map.hpp"
#include "mix/blocks/state_map.hpp"
#include "mix/blocks/text_structure.hpp"
#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

class Profile7Text {
 public:
  static constexpr int kBaseContexts = 18;       // profile 5's, 0..17
  static constexpr int kStructureContexts = 9;   // 18..26 (legend in begin_byte())
  static constexpr int kContexts = kBaseContexts + kStructureContexts;
  // Legend of the inputs: profile 5's 42 in its order, then the new ones.
  //   0..35   2 per base context (its state's stretched probability, then a confidence form)
  //   36, 37  the match; 38 the model stretched, 39 linear, 40 refined; 41 the bias
  //   42..59  2 per structure context, as the base contexts'
  //   60, 61  the long match (long_match.hpp)
  static constexpr int kMatchInputs = 2 * kBaseContexts;          // 36, 37
  static constexpr int kModelInputs = kMatchInputs + 2;           // 38, 39, 40
  static constexpr int kBiasInput = kModelInputs + 3;             // 41
  static constexpr int kStructureInputs = kBiasInput + 1;         // 42..59
  static constexpr int kLongMatchInputs = kStructureInputs + 2 * kStructureContexts;  // 60, 61
  static constexpr int kInputs = kLongMatchInputs + LongMatch::kInputs;               // 62
  static constexpr int kSets = 6;

  Profile7Text(size_t segment_len, SampleShape shape);
  Profile7Text(const Profile7Text&) = delete;
  Profile7Text& operator=(const Profile7Text&) = delete;

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
  TextStructure structure_;
  std::array<uint32_t, kContexts> base_{};
  uint32_t order2_bucket_ = 0;  // 10 bits of a hash of the last two bytes (apm2)

  // Bit histories.
  NibbleTable table_;
  std::array<uint8_t*, kContexts> slot_{};  // this nibble's 15 states, per context
  std::array<uint8_t*, kContexts> state_{}; // this decision's state, per context
  std::vector<StateMap> maps_;
  int known_ = 0;                           // base contexts whose state is not empty

  // Match models.
  std::vector<uint32_t> match_table_;
  uint32_t match_ptr_ = 0, match_len_ = 0;
  StateMap match_map_;
  int match_ctx_ = -1;  // the match map's entry this decision, -1: none
  LongMatch long_match_;

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
