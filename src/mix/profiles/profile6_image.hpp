// profile6_image.hpp — mixer profile 6, images of MED residuals (mbz 0.10):
// fourteen predictors of each pixel, error scales that follow the
// neighbourhood, eight weight sets chosen by what the predictors say, and a
// learned final mixer.
//
// Profile 3 predicts an image's samples with six predictors (LMS filters and
// gradients) and mixes in two weight sets averaged with a fixed half. This
// profile adds GAP, JPEG XL's weighted predictor, cross-channel and longer
// gradients and a least-squares fit refitted every 4th pixel, in integers
// (image_ensemble.hpp, int_ols.hpp); scales each predictor's contexts by its
// error at the pixel's neighbours as well as on average
// (local_error_scales.hpp); chooses six more weight sets by depth, channel,
// GAP's activity, the weighted predictor's errors and where the predictions
// fall; and learns the final mix of the eight sets' outputs. Two byte
// contexts hash predictions instead of bytes.
//
// Frozen since mbz 0.10.0. Specified in docs/FORMAT.md "Mixed segments",
// "Profile 6". Do not edit this unit or a building block it includes
// (tests/frozen-units.sha256): a change is a new profile.
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
#include "mix/blocks/weight_sets.hpp"
#include "mix/blocks/wide_interval_contexts.hpp"
#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

class Profile6Image {
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
  Profile6Image(size_t segment_len, SampleShape shape);
  Profile6Image(const Profile6Image&) = delete;
  Profile6Image& operator=(const Profile6Image&) = delete;

  // P(next bit = 1) in [1, 4095] of 4096, given the model's counts for it.
  int predict(NodeCounts model);
  // The bit that was coded; after a sample's last, the next sample's
  // predictions; after a byte's 8th, the byte joins the history.
  void update(int bit);

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
