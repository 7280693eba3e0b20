// The LMS filters' loops, cloned for AVX-512 and AVX2 (lms_filter.hpp).
#include "mix/blocks/lms_filter.hpp"

namespace mbz::mix {

__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
int64_t lms_dot(const int32_t* w, const int32_t* x, size_t n) {
  int64_t s = 0;
  for (size_t i = 0; i < n; ++i) s += int64_t{w[i]} * x[i];
  return s;
}

__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
int64_t lms_energy(const int32_t* x, size_t n) {
  int64_t s = 64;
  for (size_t i = 0; i < n; ++i) s += int64_t{x[i]} * x[i];
  return s;
}

__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
void lms_step(int32_t* w, const int32_t* x, size_t n, int64_t g, int shift) {
  for (size_t i = 0; i < n; ++i)
    w[i] = static_cast<int32_t>(std::clamp<int64_t>(w[i] + ((g * x[i]) >> shift), -(1 << 24), 1 << 24));
}

}  // namespace mbz::mix
