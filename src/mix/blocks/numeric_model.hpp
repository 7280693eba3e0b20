// numeric_model.hpp — what the numeric profiles (3 and 4) add to the mixer
// (docs/FORMAT.md "Mixed segments", "Numeric model (profiles 3 and 4)").
//
// The byte contexts see a residual's bytes, not its value: they cannot tell
// that 0x00FF and 0x0100 are neighbours, nor follow a signal's correlations
// beyond a fixed predictor. When the adapter says the payload's samples are
// integers stored most significant byte first, this model reads each
// finished sample back as a number, predicts the next one with the
// profile's predictors (P0..P(NP-1)), and turns every prediction into three
// inputs for each binary decision: adaptive probabilities that the value
// lies in the upper half of the interval the bits so far leave, in the
// context of where the prediction falls relative to that interval, in units
// of the predictor's recent error (interval_contexts.hpp). It also chooses
// the second weight set and the contexts of APM1 and APM2: the Side of a
// SegmentMixer (segment_mixer.hpp). Integer arithmetic only
// (docs/EXACTNESS.md §6). Frozen: listed in tests/frozen-units.sha256.
//
// Predictors (one a profile, in its unit) provides:
//   static constexpr int kCount;              NP, the predictors: 6 or 10
//   static constexpr uint32_t kWeightSets;    WB's size
//   Predictors(SampleShape, const SampleGrid&)
//   static size_t scale_sets(const SampleGrid&)      how many sets of error scales
//   size_t scale_set(const SampleGrid&) const        the sample's set
//   int weight_set(const SampleGrid&, int set) const WB's set from dd*16 + qw[0]
//   void predict(const SampleGrid&, int64_t* pred)   P0..P(NP-1) of the sample
//   void update(const SampleGrid&, int32_t v, const int64_t* pred)
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "mix/blocks/error_scales.hpp"
#include "mix/blocks/interval_contexts.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

template <class Predictors>
class NumericModel {
 public:
  static constexpr int kInputs = 3 * Predictors::kCount;
  static constexpr uint32_t kWeightSets = Predictors::kWeightSets;
  static constexpr uint32_t kStageContexts = 1024;

  // shape.value_format must be valid (value_format_ok).
  NumericModel(SampleShape shape, size_t segment_len)
      : grid_(shape, segment_len),
        scales_(Predictors::scale_sets(grid_)),
        intervals_(Predictors::kCount),
        predictors_(shape, grid_) {
    begin_sample();
    intervals_.begin_bit(grid_, pred_.data(), scales_);
  }
  NumericModel(const NumericModel&) = delete;
  NumericModel& operator=(const NumericModel&) = delete;

  // x[24 .. 24 + kInputs): stretched probabilities of a 1 for the next bit.
  void inputs(int32_t* x) const { intervals_.inputs(x); }
  // WB's set, known before predict.
  int early_weight_set() const { return predictors_.weight_set(grid_, depth() * 16 + intervals_.qw(0)); }
  int weight_set(int /*match_state*/, int /*model_stretched*/, int /*bit_pos*/) const { return early_weight_set(); }
  // APM1 by P0's interval context on images, P2's on audio; APM2 (audio
  // only) by P5's.
  uint32_t apm1_context(uint32_t /*c0*/, uint32_t /*c1*/) const {
    return static_cast<uint32_t>(depth() * 64 + intervals_.qd(grid_.row_samples ? 0 : 2) + 32);
  }
  int apm2_context() const { return grid_.row_samples ? -1 : depth() * 64 + intervals_.qd(5) + 32; }
  // The bit; after a sample's last, the next sample's predictions. Also
  // finds the next bit's interval contexts.
  void update(int bit) {
    const int up = intervals_.up(bit);
    intervals_.train(up);
    if (grid_.push_bit(up)) end_sample();
    intervals_.begin_bit(grid_, pred_.data(), scales_);
  }

 private:
  int depth() const { return std::min(grid_.depth, 15); }
  void begin_sample() {
    grid_.begin_sample();
    scales_.begin(predictors_.scale_set(grid_), Predictors::kCount);
    predictors_.predict(grid_, pred_.data());
  }
  void end_sample() {
    const int32_t v = grid_.end_sample();
    scales_.update(v, pred_.data(), Predictors::kCount);
    predictors_.update(grid_, v, pred_.data());
    grid_.next_sample();
    begin_sample();
  }

  SampleGrid grid_;
  ErrorScales scales_;
  IntervalContexts intervals_;
  std::array<int64_t, kMaxPredictors> pred_{};  // of the sample being coded
  Predictors predictors_;
};

}  // namespace mbz::mix
