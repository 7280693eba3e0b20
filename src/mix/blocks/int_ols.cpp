// The integer least squares (int_ols.hpp; docs/FORMAT.md "Profile 6", "The
// least squares").
#include "mix/blocks/int_ols.hpp"

#include <algorithm>
#include <cstdlib>

namespace mbz::mix {

namespace {

using i128 = __int128;
constexpr int kSolveBits = 40;  // R and B are shifted below 2^40 before a solve
constexpr int kLBits = 30;      // L in Q30
constexpr int kWeightBits = 16; // w in Q16
constexpr int64_t kWeightMax = int64_t{1} << 24;
// Beyond these a fit is too near singular to trust, and its integers would
// leave their types: |L| (Q30) over 2^43 (8192), |y| over 2^62 keep the last
// weights, as a small pivot does. With them every product fits 128 bits and
// every stored value 64: the arithmetic is the same on any machine, and in
// the Python spec decoder's unbounded integers.
constexpr i128 kLMax = i128{1} << 43;
constexpr i128 kYMax = i128{1} << 62;

int bit_length(uint64_t v) { return v ? 64 - __builtin_clzll(v) : 0; }

}  // namespace

IntOls::IntOls(int taps, int decay_shift) : n_(std::clamp(taps, 1, kMaxTaps)), decay_(decay_shift) {
  for (size_t i = 0; i < static_cast<size_t>(n_); ++i) r_[i * kMax + i] = 1;
}

// LDL^T of A = R >> s, then L y = B >> s, z = y / D (Q16), L^T w = z.
void IntOls::solve() {
  const size_t n = static_cast<size_t>(n_);
  uint64_t top = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) top |= static_cast<uint64_t>(std::abs(r_[i * kMax + j]));
    top |= static_cast<uint64_t>(std::abs(b_[i]));
  }
  const int s = std::max(0, bit_length(top) - kSolveBits);
  std::array<int64_t, kMax * kMax> l{};  // L below the diagonal
  std::array<int64_t, kMax> d{}, t{}, inv{}, y{};
  for (size_t j = 0; j < n; ++j) {
    i128 dj = r_[j * kMax + j] >> s;
    for (size_t k = 0; k < j; ++k) {
      t[k] = static_cast<int64_t>((static_cast<i128>(l[j * kMax + k]) * d[k]) >> kLBits);
      dj -= (static_cast<i128>(l[j * kMax + k]) * t[k]) >> kLBits;
    }
    if (dj < 16) return;  // not positive definite enough: keep the last weights
    d[j] = static_cast<int64_t>(dj);
    inv[j] = static_cast<int64_t>((static_cast<i128>(1) << (2 * kLBits)) / dj);
    for (size_t i = j + 1; i < n; ++i) {
      i128 num = r_[i * kMax + j] >> s;
      for (size_t k = 0; k < j; ++k) num -= (static_cast<i128>(l[i * kMax + k]) * t[k]) >> kLBits;
      const i128 lij = (num * inv[j]) >> kLBits;
      if (lij > kLMax || lij < -kLMax) return;
      l[i * kMax + j] = static_cast<int64_t>(lij);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    i128 v = b_[i] >> s;
    for (size_t k = 0; k < i; ++k) v -= (static_cast<i128>(l[i * kMax + k]) * y[k]) >> kLBits;
    if (v > kYMax || v < -kYMax) return;
    y[i] = static_cast<int64_t>(v);
  }
  for (size_t i = n; i-- > 0;) {
    i128 v = (static_cast<i128>(y[i]) * inv[i]) >> (2 * kLBits - kWeightBits);
    for (size_t k = i + 1; k < n; ++k) v -= (static_cast<i128>(l[k * kMax + i]) * w_[k]) >> kLBits;
    w_[i] = static_cast<int64_t>(std::clamp<i128>(v, -kWeightMax, kWeightMax));
  }
}

int64_t IntOls::predict() const {
  i128 q = 0;
  for (size_t i = 0; i < static_cast<size_t>(n_); ++i) q += static_cast<i128>(w_[i]) * x_[i];
  return static_cast<int64_t>((q + (int64_t{1} << (kWeightBits - 1))) >> kWeightBits);
}

void IntOls::update(int64_t v) {
  const size_t n = static_cast<size_t>(n_);
  for (size_t i = 0; i < n; ++i) {
    const int64_t xi = x_[i];
    for (size_t j = 0; j < n; ++j) {
      int64_t& e = r_[i * kMax + j];
      e += xi * x_[j] - (e >> decay_);
    }
    b_[i] += xi * v - (b_[i] >> decay_);
  }
}

}  // namespace mbz::mix
