// byte_side.hpp — the Side of the byte profiles (1 and 2) in a SegmentMixer:
// no inputs of its own; the second weight set by match state, the model's
// confidence and the bit position; APM1 by (c0, c1); no APM2
// (docs/FORMAT.md "Mixed segments", "Coding a segment": predict, "profile 1
// or 2"). Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mix/sample_shape.hpp"

namespace mbz::mix {

struct ByteSide {
  static constexpr int kInputs = 0;
  static constexpr uint32_t kWeightSets = 7 * 8 * 8;  // match state x model confidence x bit
  static constexpr uint32_t kStageContexts = 0;

  ByteSide(SampleShape, size_t) {}
  void inputs(int32_t*) const {}
  // match_state 0..6 (MatchModel::state); model_stretched: x[11].
  int weight_set(int match_state, int model_stretched, int bit_pos) const {
    const int confidence = std::min(7, std::abs(model_stretched) / 256);  // the model's certainty
    return (match_state * 8 + confidence) * 8 + bit_pos;
  }
  int early_weight_set() const { return -1; }  // the match state is known in predict only
  uint32_t apm1_context(uint32_t c0, uint32_t c1) const { return c0 | (c1 << 8); }
  int apm2_context() const { return -1; }
  void update(int) {}
};

}  // namespace mbz::mix
