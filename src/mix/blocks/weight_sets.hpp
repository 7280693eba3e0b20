// weight_sets.hpp — the logistic mixer's weight sets, their dot product and
// training (docs/FORMAT.md "Mixed segments", "Shared primitives": "Weight
// sets"). Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/prefetch.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix {

constexpr int kMaxMixerInputs = 54;      // N_in of every profile: 24, 42 or 54
constexpr size_t kModelInput = 11;       // the model's stretched probability: weight 1.0 at the start
constexpr int kLearningRate = 24;        // mixer step: w += x * err * 24 / 2^16
constexpr int32_t kWeightMax = 1 << 24;  // |weight| <= 256.0 keeps every sum in range

// The mixer's arithmetic in 32 bits, exactly as in 64: every input is a
// stretched probability or less, |x| <= kStretchMax (the model's linear
// input is (p - 2048) / 2, the bias 256), so
//   dot:   w = (w >> 12) * 4096 + (w & 4095) with |w >> 12| <= 4096 splits
//          the sum of x * w into two sums of at most 54 terms under
//          2047 * 4096 each, below 2^31;
//   train: |err| <= 4095 * kLearningRate, so |x * err| < 2047 * 98280 < 2^31,
//          and the clamped weight plus its step fits too.
// Plain int32 loops vectorize.
static_assert(int64_t{kMaxMixerInputs} * kStretchMax * 4096 < (int64_t{1} << 31), "dot's halves fit 32 bits");
static_assert(int64_t{kStretchMax} * (kProbOne - 1) * kLearningRate < (int64_t{1} << 31), "train's steps fit 32 bits");

// sum(x[i] * w[i]) / 2^16 in stretch units, clamped.
int mixer_dot(const int32_t* x, const int32_t* w, size_t n);
// w += x * err / 2^16, each weight clamped to +-kWeightMax.
void mixer_train(const int32_t* x, int32_t* w, size_t n, int32_t err);

// `sets` weight sets of n inputs each, every one starting as the model alone.
class WeightSets {
 public:
  WeightSets(size_t sets, size_t n) : w_(sets * n, 0), n_(n) {
    for (size_t set = 0; set < sets; ++set) w_[set * n + kModelInput] = 65536;
  }
  int32_t* set(size_t k) { return &w_[k * n_]; }
  void prefetch(size_t k) const { prefetch_span(&w_[k * n_], n_ * sizeof(int32_t)); }
  // squash(dot(W, x)).
  int predict(const int32_t* x, const int32_t* w) const { return squash(mixer_dot(x, w, n_)); }
  // p: what predict() gave for w.
  void train(const int32_t* x, int32_t* w, int p, int bit) const {
    mixer_train(x, w, n_, ((bit << kProbBits) - p) * kLearningRate);
  }

 private:
  std::vector<int32_t> w_;
  size_t n_;
};

}  // namespace mbz::mix
