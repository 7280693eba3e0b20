// audio_predictors.hpp — P0..P5 of profiles 3 and 4 on audio: LMS cascades
// over the channel's own past and the other channels' newest samples
// (docs/FORMAT.md "Mixed segments", "Numeric model (profiles 3 and 4)":
// "Audio", end_sample). Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <cstdint>
#include <vector>

#include "mix/blocks/lms_filter.hpp"
#include "mix/blocks/sample_grid.hpp"

namespace mbz::mix {

class AudioPredictors {
 public:
  // g.row_samples == 0.
  explicit AudioPredictors(const SampleGrid& g);
  // P0..P5 of the sample g is at.
  void predict(const SampleGrid& g, int64_t* pred);
  // After the sample's value v, with the predictions predict() gave.
  void update(const SampleGrid& g, int32_t v, const int64_t* pred);

 private:
  void gather(const SampleGrid& g, std::vector<int32_t>& x, int own) const;

  // All on the channel's own past, plus kCross taps on the other channels:
  // a fast short one, a slow long one, a second stage on the long one's
  // errors, a middle one, a third stage on the second's errors. Step sizes
  // 2^-2, 2^-4, 2^-3, 2^-3, 2^-3.
  static constexpr int kOwnShort = 16;
  static constexpr int kOwnLong = kHistoryTaps;
  static constexpr int kStage2 = 16;
  static constexpr int kOwnMid = 32;
  static constexpr int kStage3 = 32;
  static constexpr int kCross = 3;
  Lms la0_{kOwnShort + kCross, 2}, la1_{kOwnLong + kCross, 4}, la2_{kStage2, 3}, la3_{kOwnMid + kCross, 3},
      la4_{kStage3, 3};
  std::vector<int32_t> errs_;   // the long predictor's errors, indexed as the grid's values
  std::vector<int32_t> errs2_;  // the second stage's errors
  std::vector<int32_t> x_short_, x_long_, x_err_, x_mid_, x_err2_;
};

}  // namespace mbz::mix
