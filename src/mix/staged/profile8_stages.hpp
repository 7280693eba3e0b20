// profile8_stages.hpp — profile 8's unit (profiles/profile8_audio.cpp,
// frozen) cut in two stages for an encoder with a spare core
// (staged_run.hpp; the idea in profile13_stages.hpp).
//
// The front is the numeric side: the fourteen predictors and their cascade,
// the error scales, the interval contexts, the signs, and the byte contexts'
// hashes. The back is the rest: the byte contexts' counters, the match
// model, the seven weight sets, the final mixer and the APMs. The frozen
// unit stays the oracle (tests/test_staged_encode.cpp).
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
#include "mix/blocks/signal_cascade.hpp"
#include "mix/blocks/signal_predictors.hpp"
#include "mix/blocks/weight_sets.hpp"
#include "mix/blocks/wide_interval_contexts.hpp"
#include "mix/node_counts.hpp"
#include "mix/profiles/profile8_audio.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix::p8 {

using Unit = Profile8Audio;

// What the back needs of one decision, in the fewest bits that hold it (a
// decision crosses from one core to the other): the model's two inputs and
// the predictors' interval inputs (slots 11, 12 and 24..65 of the unit's
// legend of inputs; each a stretched probability or less), each weight
// set's row (legend Unit::Set, at most 4,096 rows; the final mixer's row is
// set B's), the contexts of APMs 1..3 (APM 0's is the partial byte, the
// back's; at most 9,216 contexts); and at a byte's first decision the byte's
// contexts (the counters' base).
struct Decision {
  std::array<int16_t, 2> model;
  std::array<int16_t, Unit::kInputs - kByteInputs> numeric;
  std::array<uint16_t, Unit::kSets> set;
  std::array<uint16_t, 3> apm;
  ByteContexts base;
};

class Front {
 public:
  Front(size_t segment_len, SampleShape shape);
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;

  // The next decision's inputs and selectors, given the model's counts for it.
  void describe(NodeCounts model, Decision& out);
  // The bit that was coded (the unit's update(), its numeric part).
  void update(int bit);

 private:
  int depth() const;
  void begin_sample();
  void end_sample();
  uint32_t set_of(Unit::Set s) const;
  int signs2() const;
  int signs3() const;
  int best_scale() const;

  SampleGrid grid_;
  ChannelErrorScales<Unit::kPredictors, 5> scales_;
  WideIntervalContexts<Unit::kPredictors> intervals_;
  std::array<int64_t, Unit::kPredictors> pred_{};
  AudioPredictors audio_;
  SignalPredictors signal_;
  SignalCascade cascade_;
  int best_ = 0;
  std::vector<uint32_t> signs_;
  SampledContexts contexts_;
  ByteState bytes_;
  ByteContexts base_{};
};

class Back {
 public:
  explicit Back(size_t segment_len);
  Back(const Back&) = delete;
  Back& operator=(const Back&) = delete;

  // P(1) of the decision d, as the unit's predict().
  int predict(const Decision& d);
  // The bit of the decision predict() was last given.
  void update(int bit);
  // The rows and cells a coming decision reads.
  void prefetch(const Decision& d) const;

 private:
  ByteState bytes_;
  ByteContexts base_{};
  ContextCounters counters_;
  MatchModel match_;
  std::array<int32_t, Unit::kInputs> x_{};
  std::vector<WeightSets> sets_;
  std::array<int32_t*, Unit::kSets> w_{};
  std::array<int, Unit::kSets> p_set_{};
  std::array<int32_t, Unit::kFinalInputs> fx_{};
  std::vector<int32_t> final_;
  int32_t* fw_ = nullptr;
  int p_final_ = 2048;
  ProbabilityMap apm0_, apm1_, apm2_, apm3_;
};

}  // namespace mbz::mix::p8
