// profile13_image.hpp — mixer profile 13, images of MED residuals (mbz
// 0.21): profile 9 whose weight sets and final mixer start from a prior, the
// weights profile 9 ends with on the training split's photographs, averaged
// (src/mix/data/profile13.prior, weight_prior.hpp).
//
// Profile 9 starts its nine sets at zero (the model's input at 1) and its
// final mixer at an even mix: on an image of a few hundred thousand pixels a
// good part of its decisions is coded while they learn what every
// photograph teaches them. A prior starts them there. Everything else, every
// context, rate and table, is profile 9's: on a large image the prior fades.
// Its APMs are offset_probability_map.hpp's (the same map and arithmetic as
// profile 9's probability_map.hpp, stored as the difference from the
// identity map, so that 56 MiB of them need no set-up).
//
// Frozen since mbz 0.21.0. Specified in docs/FORMAT.md "Mixed segments",
// "Profile 13". Do not edit this unit, its prior or a building block it
// includes (tests/frozen-units.sha256): a change is a new profile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/byte_contexts.hpp"
#include "mix/blocks/byte_state.hpp"
#include "mix/blocks/context_counters.hpp"
#include "mix/blocks/image_ensemble.hpp"
#include "mix/blocks/image_textures.hpp"
#include "mix/blocks/local_error_scales.hpp"
#include "mix/blocks/match_model.hpp"
#include "mix/blocks/nibble_counters.hpp"
#include "mix/blocks/offset_probability_map.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/segment_mixer.hpp"
#include "mix/blocks/weight_prior.hpp"
#include "mix/blocks/weight_sets.hpp"
#include "mix/blocks/wide_interval_contexts.hpp"
#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

// The prior profile 13 starts from: src/mix/data/profile13.prior, built into
// the library, parsed and checked against the unit's shape once
// (src/mix/data/embedded_priors.cpp; a library whose prior does not fit
// throws Error(internal) at the first profile-13 segment).
const WeightPrior& profile13_prior();

class Profile13Image {
 public:
  static constexpr int kPredictors = ImageEnsemble::kCount;  // 14
  static constexpr int kTextures = ImageTextures::kContexts;  // 16
  // Legend of the inputs: profile 6's 66 (segment_mixer.hpp: 0..9 the
  // contexts' fast probabilities, 10 the match, 11 and 12 the model, 13 the
  // bias, 14..23 the contexts' slow ones; then three a predictor), then one
  // a texture context (66..81).
  static constexpr size_t kTextureInputs = kByteInputs + 3 * kPredictors;  // 66
  static constexpr size_t kInputs = kTextureInputs + kTextures;            // 82
  // Legend of the first-layer weight sets (their selectors in set_of()).
  enum Set { kSetA, kSetB, kSetC, kSetD, kSetGap, kSetOls, kSetOlsWidth, kSetDisagree, kSetTexture, kSets };
  // Legend of the final mixer's inputs: the sets' stretched outputs with
  // the bias at slot 3 (A, B, C, bias, D, Gap, Ols, OlsW, Dis, Texture).
  static constexpr size_t kFinalInputs = kSets + 1;  // 10
  // Legend of the APMs: profile 6's three, then four (apm_context()).
  enum Apm { kApmOrder0, kApmP0, kApmP6, kApmGap, kApmTexture, kApmWeighted, kApmOls, kApms };

  // shape: an image's (row > 0) of MED residuals (value_format has kValueMed, not kValueDelta2).
  // prior: the weights to start from, profile13_prior() (null: profile 9's
  // start, for building a prior).
  Profile13Image(size_t segment_len, SampleShape shape, const WeightPrior* prior = &profile13_prior());
  Profile13Image(const Profile13Image&) = delete;
  Profile13Image& operator=(const Profile13Image&) = delete;

  // P(next bit = 1) in [1, 4095] of 4096, given the model's counts for it.
  int predict(NodeCounts model);
  // The bit that was coded; after a sample's last, the next sample's
  // predictions and textures; after a byte's 8th, the byte joins the history.
  void update(int bit);

  // Every weight of every set's rows in order, then the final mixer's (the
  // sums a prior is built from: weight_prior_builder.hpp).
  std::vector<int32_t> dense_weights();
  // The rows of each first-layer set (kSets of them), as a prior must have them.
  static std::vector<uint32_t> set_rows();

 private:
  // The numeric side (as profile 6).
  int depth() const;
  void begin_sample();
  void end_sample();
  void begin_byte();
  void find_textures(uint32_t nibble);
  size_t set_of(Set s) const;
  uint32_t apm_context(Apm a) const;
  void prefetch_rows() const;

  SampleGrid grid_;
  LocalErrorScales<kPredictors> scales_;
  WideIntervalContexts<kPredictors> intervals_;
  std::array<int64_t, kPredictors> pred_{};  // of the sample being coded
  ImageEnsemble ensemble_;
  ImageTextures textures_;

  // The bytes (as SegmentMixer, segment_mixer.hpp).
  SampledContexts contexts_;
  ByteState bytes_;
  ByteContexts base_{};
  ContextCounters counters_;
  MatchModel match_;

  // The texture contexts' counters: the byte's hashes, their slots (found at
  // its first and fifth bit) and the counter of the bit being coded.
  NibbleCounters texture_table_;
  std::array<uint32_t, kTextures> texture_byte_{};
  std::array<uint16_t*, kTextures> texture_slot_{};
  std::array<uint16_t*, kTextures> texture_counter_{};

  // Mixing.
  std::array<int32_t, kInputs> x_{};
  std::vector<WeightSets> sets_;
  std::array<int32_t*, kSets> w_{};
  std::array<int, kSets> p_set_{};
  std::array<int32_t, kFinalInputs> fx_{};
  std::vector<int32_t> final_;  // kFinalInputs a set, chosen as WB is
  int32_t* fw_ = nullptr;
  int p_final_ = 2048;
  std::vector<OffsetProbabilityMap> apms_;  // legend: Apm
};

}  // namespace mbz::mix
