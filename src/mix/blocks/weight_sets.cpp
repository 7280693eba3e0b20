// The mixer's dot product and training, cloned for AVX2 (weight_sets.hpp).
#include "mix/blocks/weight_sets.hpp"

#include <algorithm>

namespace mbz::mix {

__attribute__((target_clones("avx2", "default")))
int mixer_dot(const int32_t* x, const int32_t* w, size_t n) {
  int32_t high = 0, low = 0;
  for (size_t i = 0; i < n; ++i) {
    high += x[i] * (w[i] >> 12);
    low += x[i] * (w[i] & 4095);
  }
  const int64_t s = int64_t{high} * 4096 + low;
  return static_cast<int>(std::clamp<int64_t>(s >> 16, -kStretchMax, kStretchMax));
}

__attribute__((target_clones("avx2", "default")))
void mixer_train(const int32_t* x, int32_t* w, size_t n, int32_t err) {
  for (size_t i = 0; i < n; ++i) w[i] = std::clamp(w[i] + ((x[i] * err) >> 16), -kWeightMax, kWeightMax);
}

}  // namespace mbz::mix
