// The integer least squares for up to 48 taps (wide_int_ols.hpp): the
// arithmetic of int_ols.cpp with the matrix n x n instead of 16 x 16.
#include "mix/blocks/wide_int_ols.hpp"

#include <algorithm>
#include <cstdlib>

namespace mbz::mix {

namespace {

using i128 = __int128;
// As int_ols.cpp (docs/FORMAT.md "Profile 6", "The least squares").
constexpr int kSolveBits = 40;
constexpr int kLBits = 30;
constexpr int kWeightBits = 16;
constexpr int64_t kWeightLimit = int64_t{1} << 24;
constexpr i128 kLLimit = i128{1} << 43;
constexpr i128 kYLimit = i128{1} << 62;

int bit_length(uint64_t v) { return v ? 64 - __builtin_clzll(v) : 0; }

}  // namespace

WideIntOls::WideIntOls(int taps, int decay_shift)
    : n_(static_cast<size_t>(std::clamp(taps, 1, kMaxTaps))),
      decay_(decay_shift),
      r_(n_ * n_, 0),
      b_(n_, 0),
      w_(n_, 0),
      x_(n_, 0),
      l_(n_ * n_, 0),
      d_(n_, 0),
      t_(n_, 0),
      inv_(n_, 0),
      y_(n_, 0) {
  for (size_t i = 0; i < n_; ++i) r_[i * n_ + i] = 1;
}

// R is symmetric (it starts as the identity and takes x x^T): only its lower
// triangle is kept, updated and read, which changes no integer.
//
// LDL^T of A = R >> s, then L y = B >> s, z = y / D (Q16), L^T w = z.
void WideIntOls::solve() {
  const size_t n = n_;
  uint64_t top = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j <= i; ++j) top |= static_cast<uint64_t>(std::abs(r_[i * n + j]));
    top |= static_cast<uint64_t>(std::abs(b_[i]));
  }
  const int s = std::max(0, bit_length(top) - kSolveBits);
  for (size_t j = 0; j < n; ++j) {
    i128 dj = r_[j * n + j] >> s;
    for (size_t k = 0; k < j; ++k) {
      t_[k] = static_cast<int64_t>((static_cast<i128>(l_[j * n + k]) * d_[k]) >> kLBits);
      dj -= (static_cast<i128>(l_[j * n + k]) * t_[k]) >> kLBits;
    }
    if (dj < 16) return;  // not positive definite enough: keep the last weights
    d_[j] = static_cast<int64_t>(dj);
    inv_[j] = static_cast<int64_t>((static_cast<i128>(1) << (2 * kLBits)) / dj);
    for (size_t i = j + 1; i < n; ++i) {
      i128 num = r_[i * n + j] >> s;
      for (size_t k = 0; k < j; ++k) num -= (static_cast<i128>(l_[i * n + k]) * t_[k]) >> kLBits;
      const i128 lij = (num * inv_[j]) >> kLBits;
      if (lij > kLLimit || lij < -kLLimit) return;
      l_[i * n + j] = static_cast<int64_t>(lij);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    i128 v = b_[i] >> s;
    for (size_t k = 0; k < i; ++k) v -= (static_cast<i128>(l_[i * n + k]) * y_[k]) >> kLBits;
    if (v > kYLimit || v < -kYLimit) return;
    y_[i] = static_cast<int64_t>(v);
  }
  for (size_t i = n; i-- > 0;) {
    i128 v = (static_cast<i128>(y_[i]) * inv_[i]) >> (2 * kLBits - kWeightBits);
    for (size_t k = i + 1; k < n; ++k) v -= (static_cast<i128>(l_[k * n + i]) * w_[k]) >> kLBits;
    w_[i] = static_cast<int64_t>(std::clamp<i128>(v, -kWeightLimit, kWeightLimit));
  }
}

int64_t WideIntOls::predict() const {
  i128 q = 0;
  for (size_t i = 0; i < n_; ++i) q += static_cast<i128>(w_[i]) * x_[i];
  return static_cast<int64_t>((q + (int64_t{1} << (kWeightBits - 1))) >> kWeightBits);
}

void WideIntOls::update(int64_t v) {
  const size_t n = n_;
  for (size_t i = 0; i < n; ++i) {
    const int64_t xi = x_[i];
    int64_t* row = &r_[i * n];
    for (size_t j = 0; j <= i; ++j) row[j] += xi * x_[j] - (row[j] >> decay_);
    b_[i] += xi * v - (b_[i] >> decay_);
  }
}

}  // namespace mbz::mix
