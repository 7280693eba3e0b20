// numeric_model.hpp — the mixer's inputs for payloads of numbers (profiles 3 and 4).
//
// The byte contexts of the sampled profile see a residual's bytes, not its
// value: they cannot tell that 0x00FF and 0x0100 are neighbours, nor follow
// a signal's correlations beyond a fixed predictor. When the adapter says the
// payload's samples are integers stored most significant byte first, this
// model reads each finished sample back as a number, predicts the next one
// with adaptive integer linear predictors (normalized LMS over earlier
// samples of the channel, the other channels and, for images, the row
// above), and turns every prediction into inputs for each binary decision:
// an adaptive probability that the value lies in the upper half of the
// interval the bits so far leave, in the context of where the prediction
// falls relative to that interval, in units of the predictor's recent error.
// Audio given as delta2 residuals (profile 4) is also rebuilt into its
// signal, because filters over residuals cannot undo the second difference
// where a signal is nearly white — above all the small difference between
// two nearly equal channels, which is then predicted directly.
// Integer arithmetic only (docs/EXACTNESS.md §6).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "mix/context_mixer.hpp"

namespace mbz::mix {

class NumericModel {
 public:
  static constexpr int kMaxPredictors = 10;
  static constexpr int kMaxInputs = 3 * kMaxPredictors;

  // shape.value_format must be valid (value_format_ok).
  NumericModel(SampleShape shape, size_t segment_len);
  ~NumericModel();
  NumericModel(const NumericModel&) = delete;
  NumericModel& operator=(const NumericModel&) = delete;

  // How many inputs predict() writes: 18, or 30 for audio given as delta2
  // residuals (kValueDelta2), whose samples are also predicted as signals.
  int inputs() const;
  // Writes inputs() stretched probabilities of a 1 for the next bit.
  void predict(int32_t* in);
  // Selects the mixer's weight set for the next bit: 0..weight_sets()-1.
  int weight_set() const;
  int weight_sets() const;
  // A context for the order-1 probability map: 0..1023.
  int refine_context() const;
  // Audio: a context for a third probability map, by the last stage's
  // prediction (0..1023); images: -1, none.
  int stage_context() const;
  void update(int bit);

 private:
  struct State;
  std::unique_ptr<State> st_;
};

}  // namespace mbz::mix
