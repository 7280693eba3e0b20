// interval_contexts.hpp — the numeric profiles' inputs: for every predictor,
// where its prediction falls from the middle of the interval the sample's
// bits so far leave, in units of its error scale, and the counters of those
// contexts (docs/FORMAT.md "Mixed segments", "Numeric model (profiles 3 and
// 4)": "Interval counters", "Interval contexts", numeric_inputs). Frozen:
// listed in tests/frozen-units.sha256.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/error_scales.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/counter.hpp"

namespace mbz::mix {

// Signed log-scale bucket of z: exact up to 8, then two buckets an octave
// (fine: four); |q| <= 31.
int quantize(int64_t z, bool fine);

class IntervalContexts {
 public:
  // Interval contexts: the interval's width over the error scale, and where
  // the prediction falls from the interval's middle (quantize()).
  static constexpr int kQw = 16, kQd = 64;

  explicit IntervalContexts(int predictors)
      : n_(predictors), fine_(static_cast<size_t>(n_) * kQw * kQd), coarse_(static_cast<size_t>(n_) * kQw * 16 * 4) {}

  // The next bit's contexts and their counters, found as soon as the bit
  // before is known so that the counters can be fetched while the mixer
  // trains: inputs() then only reads them.
  void begin_bit(const SampleGrid& g, const int64_t* pred, const ErrorScales& scales);
  // Three stretched probabilities of a 1 a predictor.
  void inputs(int32_t* in) const {
    const int sign = flip_ ? -1 : 1;
    for (int i = 0; i < n_; ++i) {
      const size_t k = static_cast<size_t>(i);
      in[3 * i] = sign * live_[2 * k]->stretched();
      in[3 * i + 1] = sign * live_[2 * k]->stretched_slow();
      in[3 * i + 2] = sign * live_[2 * k + 1]->stretched();
    }
  }
  // The bit as offset binary: 1 is the upper half (the sign bit is flipped).
  int up(int bit) const { return bit ^ (flip_ ? 1 : 0); }
  void train(int up) {
    for (int i = 0; i < 2 * n_; ++i) live_[static_cast<size_t>(i)]->train(up, 30);
  }
  int qd(size_t k) const { return qd_[k]; }
  int qw(size_t k) const { return qw_[k]; }

 private:
  int n_;
  std::vector<Counter> fine_, coarse_;
  std::array<Counter*, 2 * kMaxPredictors> live_{};
  std::array<int, kMaxPredictors> qd_{}, qw_{};
  bool flip_ = false;  // the sign bit: 1 is the lower half
};

}  // namespace mbz::mix
