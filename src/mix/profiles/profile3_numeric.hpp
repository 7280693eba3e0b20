// profile3_numeric.hpp — mixer profile 3, an adapter's payload of integers
// stored most significant byte first: the shared skeleton with the sampled
// byte contexts and the numeric model, whose six predictors are the image
// predictors (row > 0: LMS over neighbouring residuals, pixels rebuilt from
// MED residuals) or the audio predictors (row 0: LMS cascades).
//
// Frozen since mbz 0.4.0. Specified in docs/FORMAT.md "Mixed segments":
// "Coding a segment", "Byte contexts: profiles 2, 3 and 4", "Match model
// (all profiles)", "Numeric model (profiles 3 and 4)". Do not edit this unit
// or a building block it includes (tests/frozen-units.sha256): a change is
// a new profile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "mix/blocks/audio_predictors.hpp"
#include "mix/blocks/byte_contexts.hpp"
#include "mix/blocks/image_predictors.hpp"
#include "mix/blocks/numeric_model.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/segment_mixer.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

// P0..P5: of an image's residuals (and pixels) or of audio samples; one set
// of error scales; WB by depth and qw[0].
class Profile3Predictors {
 public:
  static constexpr int kCount = 6;
  static constexpr uint32_t kWeightSets = 256;

  Profile3Predictors(SampleShape shape, const SampleGrid& g) {
    if (g.row_samples)
      image_.emplace(g, (shape.value_format & kValueMed) != 0);
    else
      audio_.emplace(g);
  }
  static size_t scale_sets(const SampleGrid&) { return 1; }
  size_t scale_set(const SampleGrid&) const { return 0; }
  int weight_set(const SampleGrid&, int set) const { return set; }
  void predict(const SampleGrid& g, int64_t* pred) {
    if (image_)
      image_->predict(g, pred);
    else
      audio_->predict(g, pred);
  }
  void update(const SampleGrid& g, int32_t v, const int64_t* pred) {
    if (image_)
      image_->update(g, v, pred);
    else
      audio_->update(g, v, pred);
  }

 private:
  std::optional<ImagePredictors> image_;
  std::optional<AudioPredictors> audio_;
};

class Profile3Numeric final : public SegmentMixer<SampledContexts, NumericModel<Profile3Predictors>> {
 public:
  using SegmentMixer::SegmentMixer;
};

}  // namespace mbz::mix
