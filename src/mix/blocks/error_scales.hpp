// error_scales.hpp — each predictor's mean absolute error M[k], in one set or
// one a channel, and the scales the interval contexts read from it
// (docs/FORMAT.md "Mixed segments", "Numeric model (profiles 3 and 4)":
// "Error scales", begin_sample, end_sample). Frozen: listed in
// tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "mix/blocks/sample_grid.hpp"

namespace mbz::mix {

// floor(log2(v)), 0 for v = 0.
inline int ilog2_u64(uint64_t v) { return v == 0 ? 0 : 63 - __builtin_clzll(v); }

class ErrorScales {
 public:
  explicit ErrorScales(size_t sets) : avg_(size_t{kMaxPredictors} * sets, 16 << 4) {}

  // Of the sample being coded: its set's scales, max(M[k], 4), and their ilog2.
  void begin(size_t set, int n) {
    set_ = set;
    for (size_t k = 0; k < static_cast<size_t>(n); ++k) {
      scale[k] = std::max(avg(k), 4);
      scale_log[k] = ilog2_u64(static_cast<uint64_t>(scale[k]));
    }
  }
  // The sample's value v against predictions pred[0..n-1].
  void update(int32_t v, const int64_t* pred, int n) {
    for (int i = 0; i < n; ++i) {
      const int64_t e = v - pred[i];
      const int32_t a = static_cast<int32_t>(std::min<int64_t>(std::abs(e), 1 << 24)) << 4;
      int32_t& m = avg(static_cast<size_t>(i));
      m += (a - m) >> 4;
    }
  }

  std::array<int32_t, kMaxPredictors> scale{};
  std::array<int, kMaxPredictors> scale_log{};

 private:
  int32_t& avg(size_t k) { return avg_[set_ * kMaxPredictors + k]; }
  std::vector<int32_t> avg_;  // mean |error| in 1/16
  size_t set_ = 0;
};

}  // namespace mbz::mix
