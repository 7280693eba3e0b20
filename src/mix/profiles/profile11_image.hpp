// profile11_image.hpp — mixer profile 11, small images of MED residuals
// (mbz 0.20): profile 6 whose weight sets and final mixer start from a
// prior, the weights profile 6 ends with on the training split's
// photographs, averaged (src/mix/data/profile11.prior, weight_prior.hpp).
//
// Profile 6 starts its sets at zero (the model's input at 1); on an image of
// a few thousand pixels most of its decisions are coded while the sets still
// learn what every photograph teaches them. Everything else, every context,
// rate and table, is profile 6's: on a large image the prior fades.
//
// Frozen since mbz 0.20.0. Specified in docs/FORMAT.md "Mixed segments",
// "Profile 11". Do not edit this unit, its prior or a building block it
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
#include "mix/blocks/local_error_scales.hpp"
#include "mix/blocks/match_model.hpp"
#include "mix/blocks/probability_map.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/segment_mixer.hpp"
#include "mix/blocks/weight_prior.hpp"
#include "mix/blocks/weight_sets.hpp"
#include "mix/blocks/wide_interval_contexts.hpp"
#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

// The prior profile 11 starts from: src/mix/data/profile11.prior, built into
// the library, parsed and checked against the unit's shape once
// (src/mix/data/embedded_priors.cpp; a library whose prior does not fit
// throws Error(internal) at the first profile-11 segment).
const WeightPrior& profile11_prior();

class Profile11Image {
 public:
  static constexpr int kPredictors = ImageEnsemble::kCount;  // 14
  // Legend of the inputs: as profiles 1-4 (segment_mixer.hpp: 0..9 the
  // contexts' fast probabilities, 10 the match, 11 and 12 the model, 13 the
  // bias, 14..23 the contexts' slow ones), then three a predictor.
  static constexpr size_t kInputs = kByteInputs + 3 * kPredictors;  // 66
  // Legend of the first-layer weight sets (their selectors in set_of()).
  enum Set { kSetA, kSetB, kSetC, kSetD, kSetGap, kSetOls, kSetOlsWidth, kSetDisagree, kSets };
  // Legend of the final mixer's inputs: the sets' stretched outputs with
  // the bias at slot 3.
  static constexpr size_t kFinalInputs = kSets + 1;  // 9

  // shape: an image's (row > 0) of MED residuals (value_format has kValueMed, not kValueDelta2).
  // prior: the weights to start from, profile11_prior() (null: profile 6's
  // start, for building a prior).
  Profile11Image(size_t segment_len, SampleShape shape, const WeightPrior* prior = &profile11_prior());
  Profile11Image(const Profile11Image&) = delete;
  Profile11Image& operator=(const Profile11Image&) = delete;

  // P(next bit = 1) in [1, 4095] of 4096, given the model's counts for it.
  int predict(NodeCounts model);
  // The bit that was coded; after a sample's last, the next sample's
  // predictions; after a byte's 8th, the byte joins the history.
  void update(int bit);

  // Every weight of every set's rows in order, then the final mixer's (the
  // sums a prior is built from: weight_prior_builder.hpp).
  std::vector<int32_t> dense_weights();
  // The rows of each first-layer set (kSets of them), as a prior must have them.
  static std::vector<uint32_t> set_rows();

 private:
  // The numeric side (as NumericModel, numeric_model.hpp).
  int depth() const;
  void begin_sample();
  void end_sample();
  void begin_byte();
  size_t set_of(Set s) const;
  uint32_t apm1_context() const;
  uint32_t apm2_context() const;
  void prefetch_rows() const;

  SampleGrid grid_;
  LocalErrorScales<kPredictors> scales_;
  WideIntervalContexts<kPredictors> intervals_;
  std::array<int64_t, kPredictors> pred_{};  // of the sample being coded
  ImageEnsemble ensemble_;

  // The bytes (as SegmentMixer, segment_mixer.hpp).
  SampledContexts contexts_;
  ByteState bytes_;
  ByteContexts base_{};
  ContextCounters counters_;
  MatchModel match_;

  // Mixing.
  std::array<int32_t, kInputs> x_{};
  std::vector<WeightSets> sets_;
  std::array<int32_t*, kSets> w_{};
  std::array<int, kSets> p_set_{};
  std::array<int32_t, kFinalInputs> fx_{};
  std::vector<int32_t> final_;  // kFinalInputs a set, chosen as WB is
  int32_t* fw_ = nullptr;
  int p_final_ = 2048;
  ProbabilityMap apm0_, apm1_, apm2_;
};

}  // namespace mbz::mix
