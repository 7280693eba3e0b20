// profile8_audio.hpp — mixer profile 8, audio of delta2 residuals (mbz
// 0.12): profile 4's predictors plus a cascade on the rebuilt signal, the
// predictor that has been best choosing weight sets and an APM, and a
// learned final mixer.
//
// Profile 4 predicts audio with LMS filters over the residuals and the
// rebuilt signal and mixes in two weight sets averaged with a fixed half.
// This profile adds, per channel, a least-squares fit over both channels'
// signal followed by a long fast LMS, a short LMS and a bias by the last
// errors' signs (signal_cascade.hpp, P10..P13); follows the error scales
// at 2^-5; picks the "best" predictor, the one whose scale is smallest,
// and chooses WB and five more weight sets by its interval context, its
// scale and the signs of its last errors; learns the final mix of the
// seven sets' outputs; and adds a fourth APM by the best predictor's
// interval context and its last two errors' signs. About twice profile
// 4's time; 3.4% smaller on recordings it was not tuned on.
//
// Frozen since mbz 0.12.0. Specified in docs/FORMAT.md "Mixed segments",
// "Profile 8". Do not edit this unit or a building block it includes
// (tests/frozen-units.sha256): a change is a new profile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/audio_predictors.hpp"
#include "mix/blocks/byte_contexts.hpp"
#include "mix/blocks/byte_state.hpp"
#include "mix/blocks/channel_error_scales.hpp"
#include "mix/blocks/context_counters.hpp"
#include "mix/blocks/match_model.hpp"
#include "mix/blocks/probability_map.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/segment_mixer.hpp"
#include "mix/blocks/signal_cascade.hpp"
#include "mix/blocks/signal_predictors.hpp"
#include "mix/blocks/weight_sets.hpp"
#include "mix/blocks/wide_interval_contexts.hpp"
#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

class Profile8Audio {
 public:
  // P0..P5 (audio_predictors.hpp), P6..P9 (signal_predictors.hpp), P10..P13 (signal_cascade.hpp).
  static constexpr int kPredictors = 14;
  // Legend of the inputs: as profiles 1-4 (segment_mixer.hpp: 0..9 the
  // contexts' fast probabilities, 10 the match, 11 and 12 the model, 13 the
  // bias, 14..23 the contexts' slow ones), then three a predictor.
  static constexpr size_t kInputs = kByteInputs + 3 * kPredictors;  // 66
  // Legend of the first-layer weight sets (their selectors in set_of()).
  enum Set { kSetA, kSetB, kSetSigns3, kSetBest, kSetSignsBest, kSetScaleBest, kSetSignsScale, kSets };
  // Legend of the final mixer's inputs: the sets' stretched outputs, then the bias.
  static constexpr size_t kFinalInputs = kSets + 1;  // 8

  // shape: audio (row 0) of delta2 residuals (value_format has kValueDelta2).
  Profile8Audio(size_t segment_len, SampleShape shape);
  Profile8Audio(const Profile8Audio&) = delete;
  Profile8Audio& operator=(const Profile8Audio&) = delete;

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
  size_t set_of(Set s) const;
  int signs2() const;
  int signs3() const;
  int best_scale() const;
  uint32_t apm1_context() const;
  uint32_t apm2_context() const;
  uint32_t apm3_context() const;
  void prefetch_rows() const;

  SampleGrid grid_;
  ChannelErrorScales<kPredictors, 5> scales_;
  WideIntervalContexts<kPredictors> intervals_;
  std::array<int64_t, kPredictors> pred_{};  // of the sample being coded
  AudioPredictors audio_;
  SignalPredictors signal_;
  SignalCascade cascade_;
  int best_ = 0;                  // the predictor of the smallest error scale for the sample being coded
  std::vector<uint32_t> signs_;   // per channel: the signs (0 -, 1 0, 2 +) of the best's last errors, 2 bits each, newest lowest

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
  ProbabilityMap apm0_, apm1_, apm2_, apm3_;
};

}  // namespace mbz::mix
