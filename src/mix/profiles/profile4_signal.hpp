// profile4_signal.hpp — mixer profile 4, audio whose samples are residuals
// of the delta2 predictor: profile 3's audio, plus the signal rebuilt from
// the residuals and predicted by four more predictors; error scales and the
// second weight set by channel.
//
// Frozen since mbz 0.5.0. Specified in docs/FORMAT.md "Mixed segments":
// "Coding a segment", "Byte contexts: profiles 2, 3 and 4", "Match model
// (all profiles)", "Numeric model (profiles 3 and 4)", "Profile 4: the
// signal rebuilt". Do not edit this unit or a building block it includes
// (tests/frozen-units.sha256): a change is a new profile.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "mix/blocks/audio_predictors.hpp"
#include "mix/blocks/byte_contexts.hpp"
#include "mix/blocks/numeric_model.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/segment_mixer.hpp"
#include "mix/blocks/signal_predictors.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

// P0..P5 of the samples (audio_predictors.hpp), P6..P9 of the signal
// (signal_predictors.hpp); error scales a channel; WB by depth and qw[0] and
// whether the channel is the first.
class Profile4Predictors {
 public:
  static constexpr int kCount = 10;
  static constexpr uint32_t kWeightSets = 512;

  Profile4Predictors(SampleShape, const SampleGrid& g) : audio_(g), signal_(g) {}
  static size_t scale_sets(const SampleGrid& g) { return static_cast<size_t>(g.channels); }
  size_t scale_set(const SampleGrid& g) const { return static_cast<size_t>(g.channel); }
  int weight_set(const SampleGrid& g, int set) const { return set + 256 * std::min(g.channel, 1); }
  void predict(const SampleGrid& g, int64_t* pred) {
    audio_.predict(g, pred);
    signal_.predict(g, pred);
  }
  void update(const SampleGrid& g, int32_t v, const int64_t* pred) {
    audio_.update(g, v, pred);
    signal_.update(g, v);
  }

 private:
  AudioPredictors audio_;
  SignalPredictors signal_;
};

class Profile4Signal final : public SegmentMixer<SampledContexts, NumericModel<Profile4Predictors>> {
 public:
  using SegmentMixer::SegmentMixer;
};

}  // namespace mbz::mix
