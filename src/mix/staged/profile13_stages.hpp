// profile13_stages.hpp — profile 13's unit (profiles/profile13_image.cpp,
// frozen) cut in two stages, for an encoder with a spare core (staged_run.hpp).
//
// A decision's probability comes from two kinds of state. The front's (the
// pixels' predictors, error scales, textures, the byte contexts' counters,
// the match model) moves with the coded bits alone; the back's (the nine
// weight sets, the final mixer, the APMs) moves with the bits and with what
// the front gave it. An encoder knows every bit before it codes it, so the
// front can run ahead on one core, handing the back each decision's inputs
// and selectors (a Decision), while the back mixes them on the other: the
// same integers in the same order as the frozen unit, which stays the
// oracle (tests/test_staged_encode.cpp compares every probability). A
// decoder cannot: it learns a bit only from the back's probability.
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
#include "mix/blocks/weight_prior.hpp"
#include "mix/blocks/weight_sets.hpp"
#include "mix/blocks/wide_interval_contexts.hpp"
#include "mix/node_counts.hpp"
#include "mix/profiles/profile13_image.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix::p13 {

using Unit = Profile13Image;

// What the back needs of one decision (a decision crosses from one core to
// the other, and its size is most of the cost, so values travel in the
// fewest bits that hold them): the mixer's inputs but the match model's and
// the texture contexts' (slots 0..9, 11, 12, 14..65 of the legend
// Unit::kInputs; each a stretched probability or less, |x| <= kStretchMax;
// slot 13, the bias, is 256), each weight set's row (legend Unit::Set, at
// most 8,192 rows; the final mixer's row is set B's), each APM's context
// (legend Unit::Apm); and at a byte's first decision its texture contexts'
// hashes.
struct Decision {
  std::array<int16_t, Unit::kTextureInputs> x;
  std::array<uint16_t, Unit::kSets> set;
  std::array<uint32_t, Unit::kApms> apm;
  std::array<uint32_t, Unit::kTextures> texture_byte;
};

// The front: the unit's numeric side (the pixels' predictors, error scales,
// textures and interval contexts) and its byte contexts' counters.
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
  void begin_byte();
  uint32_t set_of(Unit::Set s) const;
  uint32_t apm_context(Unit::Apm a) const;

  SampleGrid grid_;
  LocalErrorScales<Unit::kPredictors> scales_;
  WideIntervalContexts<Unit::kPredictors> intervals_;
  std::array<int64_t, Unit::kPredictors> pred_{};
  ImageEnsemble ensemble_;
  ImageTextures textures_;
  SampledContexts contexts_;
  ByteState bytes_;
  ByteContexts base_{};
  ContextCounters counters_;
  std::array<uint32_t, Unit::kTextures> texture_byte_{};
};

// The back: the unit's match model, texture counters, weight sets, final
// mixer and APMs.
class Back {
 public:
  Back(size_t segment_len, SampleShape shape, const WeightPrior* prior = &profile13_prior());
  Back(const Back&) = delete;
  Back& operator=(const Back&) = delete;

  // P(1) of the decision d, as the unit's predict().
  int predict(const Decision& d);
  // The bit of the decision predict() was last given.
  void update(int bit);
  // The rows and cells a coming decision reads.
  void prefetch(const Decision& d) const;

 private:
  void find_textures(uint32_t nibble);

  ByteState bytes_;
  MatchModel match_;
  NibbleCounters texture_table_;
  std::array<uint32_t, Unit::kTextures> texture_byte_{};
  std::array<uint16_t*, Unit::kTextures> texture_slot_{};
  std::array<uint16_t*, Unit::kTextures> texture_counter_{};
  std::array<int32_t, Unit::kInputs> x_{};
  std::vector<WeightSets> sets_;
  std::array<int32_t*, Unit::kSets> w_{};
  std::array<int, Unit::kSets> p_set_{};
  std::array<int32_t, Unit::kFinalInputs> fx_{};
  std::vector<int32_t> final_;
  int32_t* fw_ = nullptr;
  int p_final_ = 2048;
  std::vector<OffsetProbabilityMap> apms_;
};

}  // namespace mbz::mix::p13
