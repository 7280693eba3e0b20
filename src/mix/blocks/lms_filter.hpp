// lms_filter.hpp — the normalized LMS filter of the numeric profiles
// (docs/FORMAT.md "Mixed segments", "Shared primitives": "LMS filters").
// Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mbz::mix {

// The filters' loops: plain 64-bit integer sums (exact in any order), which
// the compiler vectorizes; cloned for AVX-512 and AVX2 like the engine's
// kernels, as baseline x86-64 has no signed 32x32->64 multiply.
int64_t lms_dot(const int32_t* w, const int32_t* x, size_t n);
int64_t lms_energy(const int32_t* x, size_t n);            // 64 + sum of x[i]^2
void lms_step(int32_t* w, const int32_t* x, size_t n, int64_t g, int shift);  // w += g * x / 2^shift, clamped to +-2^24

// Normalized LMS in integers: weights in 1/65536, step 2^-shift of the
// error over the inputs' energy.
class Lms {
 public:
  Lms(int order, int shift) : w_(static_cast<size_t>(order), 0), shift_(shift) {}
  int64_t predict(const int32_t* x) const { return lms_dot(w_.data(), x, w_.size()) >> 16; }
  void update(const int32_t* x, int64_t err) {
    const int64_t energy = lms_energy(x, w_.size());
    err = std::clamp<int64_t>(err, -(int64_t{1} << 24), int64_t{1} << 24);
    const int64_t g = err * (int64_t{1} << 28) / energy;  // truncated toward zero; |g * x| < 2^49
    lms_step(w_.data(), x, w_.size(), g, 12 + shift_);
  }

 private:
  std::vector<int32_t> w_;
  int shift_;
};

}  // namespace mbz::mix
