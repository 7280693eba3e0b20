// channel_error_scales.hpp — each predictor's mean absolute error M[ch][k],
// one set a channel, for more predictors than the frozen error_scales.hpp
// holds (10) and a rate of the profile's choosing: profile 8 has 14 and
// follows at 2^-5 where profile 4 follows at 2^-4 (docs/FORMAT.md "Profile
// 8", "Error scales"). Otherwise as error_scales.hpp: M starts at 16, in
// 1/16; a sample's scale is max(M, 4).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "mix/blocks/error_scales.hpp"
#include "mix/blocks/local_error_scales.hpp"
#include "mix/blocks/sample_grid.hpp"

namespace mbz::mix {

template <int kPredictors, int kRateShift>
class ChannelErrorScales {
 public:
  static constexpr size_t kN = kPredictors;
  static constexpr int32_t kStart = 16 << 4;

  explicit ChannelErrorScales(const SampleGrid& g) : avg_(kN * static_cast<size_t>(g.channels), kStart) {}

  // Of the sample g is at: its channel's scales, max(M[k], 4), their ilog2.
  void begin(const SampleGrid& g) {
    set_ = static_cast<size_t>(g.channel) * kN;
    for (size_t k = 0; k < kN; ++k) {
      scale[k] = std::max(avg_[set_ + k], 4);
      scale_log[k] = ilog2_u64(static_cast<uint64_t>(scale[k]));
      reciprocal[k] = reciprocal_of(scale[k]);
    }
  }
  // z / scale[k], as C divides.
  int64_t divide(int64_t z, size_t k) const { return divide_by(z, scale[k], reciprocal[k]); }
  // The sample's value v against predictions pred[0..kN-1].
  void update(int32_t v, const int64_t* pred) {
    for (size_t k = 0; k < kN; ++k) {
      const int32_t a = static_cast<int32_t>(std::min<int64_t>(std::abs(v - pred[k]), 1 << 24)) << 4;
      int32_t& m = avg_[set_ + k];
      m += (a - m) >> kRateShift;
    }
  }

  std::array<int32_t, kN> scale{};
  std::array<int, kN> scale_log{};
  std::array<uint64_t, kN> reciprocal{};  // ceil(2^64 / scale[k]) (divide)

 private:
  std::vector<int32_t> avg_;  // M[ch][k], mean |error| in 1/16
  size_t set_ = 0;
};

}  // namespace mbz::mix
