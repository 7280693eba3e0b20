// profile12_text.hpp — mixer profile 12, bytes (mbz 0.20): profile 10
// whose weight sets and final mixer start from a prior, the weights profile
// 10 ends with on 10 KB pieces of the training split coded with the default
// text model, averaged (src/mix/data/profile12.prior, weight_prior.hpp).
//
// Profile 10 starts its sets with the model alone (weight 1.0 on its
// stretched probability) and its final mixer at an even mix: a file of a
// few KB is coded while they learn what every text teaches them (how far to
// trust each context's state, the match, the model). A prior starts them
// there. Everything else, every context, rate and table, is profile 10's:
// on a long segment the prior fades.
//
// Frozen since mbz 0.20.0. Specified in docs/FORMAT.md "Mixed segments",
// "Profile 12". Do not edit this unit, its prior or a building block it
// includes (tests/frozen-units.sha256): a change is a new profile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/long_match.hpp"
#include "mix/blocks/nibble_table.hpp"
#include "mix/blocks/offset_probability_map.hpp"
#include "mix/blocks/state_map.hpp"
#include "mix/blocks/text_structure.hpp"
#include "mix/blocks/weight_prior.hpp"
#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

// The nibble table's bytes and apm2's b for a segment of n bytes (above).
// The prior profile 12 starts from: src/mix/data/profile12.prior, built into
// the library, parsed and checked against the unit's shape once
// (src/mix/data/embedded_priors.cpp).
const WeightPrior& profile12_prior();

class Profile12Text {
 public:
  static constexpr int kBaseContexts = 18;       // profile 5's, 0..17
  static constexpr int kStructureContexts = 9;   // 18..26 (legend in begin_byte())
  static constexpr int kMoreContexts = 4;        // 27..30, profile 10's (legend in begin_byte())
  static constexpr int kContexts = kBaseContexts + kStructureContexts + kMoreContexts;
  // Legend of the inputs: profile 5's 42 in its order, then the new ones.
  //   0..35   2 per base context (its state's stretched probability, then a confidence form)
  //   36, 37  the match; 38 the model stretched, 39 linear, 40 refined; 41 the bias
  //   42..59  2 per structure context, as the base contexts'
  //   60, 61  the long match (long_match.hpp)
  //   62..69  2 per context 27..30, as the base contexts'
  static constexpr int kMatchInputs = 2 * kBaseContexts;          // 36, 37
  static constexpr int kModelInputs = kMatchInputs + 2;           // 38, 39, 40
  static constexpr int kBiasInput = kModelInputs + 3;             // 41
  static constexpr int kStructureInputs = kBiasInput + 1;         // 42..59
  static constexpr int kLongMatchInputs = kStructureInputs + 2 * kStructureContexts;  // 60, 61
  static constexpr int kMoreInputs = kLongMatchInputs + LongMatch::kInputs;           // 62..69
  static constexpr int kInputs = kMoreInputs + 2 * kMoreContexts;                     // 70
  static constexpr int kSets = 6;

  // prior: the weights to start from, profile12_prior() (null: profile
  // 10's start, for building a prior).
  Profile12Text(size_t segment_len, SampleShape shape, const WeightPrior* prior = &profile12_prior());
  Profile12Text(const Profile12Text&) = delete;
  Profile12Text& operator=(const Profile12Text&) = delete;

  // P(next bit = 1) in [1, 4095] of 4096, given the model's counts for it.
  int predict(NodeCounts model);
  // The bit that was coded; after the 8th, the byte joins the history.
  void update(int bit);

  // Every weight of every set's rows in order, then the final mixer's (the
  // sums a prior is built from: weight_prior_builder.hpp).
  std::vector<int32_t> dense_weights() const;
  // The rows of each set (kSets of them), as a prior must have them.
  static std::vector<uint32_t> set_rows();

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
  std::vector<uint16_t> follow1_;              // the two bytes that last followed a byte (the last in the low byte)
  TextStructure structure_;
  std::array<uint32_t, kContexts> base_{};
  uint32_t order2_bits_;        // b: apm2 has 2^(b+8) contexts (the header's comment)
  uint32_t order2_bucket_ = 0;  // b bits of a hash of the last two bytes (apm2)

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
  OffsetProbabilityMap model_map_, apm0_, apm1_, apm2_, apm3_;
};

}  // namespace mbz::mix
