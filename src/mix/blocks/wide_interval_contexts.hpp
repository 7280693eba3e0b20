// wide_interval_contexts.hpp — the interval contexts and their counters
// (profiles 3 and 4's, interval_contexts.hpp) for up to 16 predictors:
// profile 6 has 14, and the frozen block's arrays hold 10. Everything else
// is as there (docs/FORMAT.md "Numeric model (profiles 3 and 4)": "Interval
// counters", "Interval contexts", numeric_inputs; "Profile 6").
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/interval_contexts.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/counter.hpp"

namespace mbz::mix {

template <int kPredictors>
class WideIntervalContexts {
 public:
  static constexpr size_t kN = kPredictors;
  static constexpr int kQw = IntervalContexts::kQw, kQd = IntervalContexts::kQd;
  static_assert(kPredictors <= 16, "the profile's inputs are sized for 16 predictors at most");

  WideIntervalContexts() : fine_(kN * kQw * kQd), coarse_(kN * kQw * 16 * 4) {}

  // The next bit's contexts and their counters (prefetched), from the
  // predictions and the sample's error scales (Scales: scale_log[k] and
  // divide(z, k) = z / scale[k] as C divides).
  template <class Scales>
  void begin_bit(const SampleGrid& g, const int64_t* pred, const Scales& scales) {
    flip_ = g.is_signed && g.depth == 0;
    const int left = g.bits - g.depth;  // bits still to code: the interval is 2^left wide
    const int64_t lo = (int64_t{g.prefix} << left) - (g.is_signed ? (int64_t{1} << (g.bits - 1)) : 0);
    const int64_t mid = lo + (int64_t{1} << (left - 1));
    const bool fine_q = g.row_samples == 0;
    const size_t coarse_ch = static_cast<size_t>(g.channel & 3);
    for (size_t k = 0; k < kN; ++k) {
      qd_[k] = quantize(scales.divide((mid - pred[k]) * 64, k), fine_q);
      qw_[k] = std::clamp(left - scales.scale_log[k] + 4 + 3, 0, kQw - 1);
      live_[2 * k] = &fine_[(k * kQw + static_cast<size_t>(qw_[k])) * kQd + static_cast<size_t>(qd_[k] + 32)];
      const int qc = std::clamp(qd_[k] / 4, -7, 7) + 8;
      live_[2 * k + 1] = &coarse_[((k * kQw + static_cast<size_t>(qw_[k])) * 16 + static_cast<size_t>(qc)) * 4 + coarse_ch];
      __builtin_prefetch(live_[2 * k]);
      __builtin_prefetch(live_[2 * k + 1]);
    }
  }
  // Three stretched probabilities of a 1 a predictor.
  void inputs(int32_t* in) const {
    const int sign = flip_ ? -1 : 1;
    for (size_t k = 0; k < kN; ++k) {
      in[3 * k] = sign * live_[2 * k]->stretched();
      in[3 * k + 1] = sign * live_[2 * k]->stretched_slow();
      in[3 * k + 2] = sign * live_[2 * k + 1]->stretched();
    }
  }
  // The bit as offset binary: 1 is the upper half (the sign bit is flipped).
  int up(int bit) const { return bit ^ (flip_ ? 1 : 0); }
  void train(int up) {
    for (size_t i = 0; i < 2 * kN; ++i) live_[i]->train(up, 30);
  }
  int qd(size_t k) const { return qd_[k]; }
  int qw(size_t k) const { return qw_[k]; }

 private:
  std::vector<Counter> fine_, coarse_;
  std::array<Counter*, 2 * kN> live_{};
  std::array<int, kN> qd_{}, qw_{};
  bool flip_ = false;  // the sign bit: 1 is the lower half
};

}  // namespace mbz::mix
