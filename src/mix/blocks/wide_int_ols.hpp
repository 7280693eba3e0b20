// wide_int_ols.hpp — the integer online least squares of int_ols.hpp for up
// to 48 taps: profile 8 fits 32 taps of a channel's own signal and 16 of
// the other channel's, and the frozen block holds 16 (docs/FORMAT.md
// "Profile 8", "The cascade"). The arithmetic is int_ols.cpp's, step for
// step: R = sum of x x^T and B = sum of x v, decayed by 2^-decay_shift a
// sample (int64, R starting as the identity); a solve shifts R and B below
// 2^40, factors R = L D L^T (L in Q30, a reciprocal 2^60 / D_j a column,
// int128 products, floor shifts) and solves for Q16 weights; a pivot under
// 16, an entry of L past 2^43 or of y past 2^62 keeps the last weights.
//
// On audio the inputs are the rebuilt signal, |x| <= 2^25 (signal_cascade.hpp):
// x x^T <= 2^50, and a sum decayed by 2^-9 stays below 2^50 * 2^9 + 2^50 < 2^63.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mbz::mix {

class WideIntOls {
 public:
  static constexpr int kMaxTaps = 48;

  WideIntOls(int taps, int decay_shift);
  int taps() const { return n_; }
  // The inputs of the sample being predicted: x(0) .. x(taps - 1).
  int32_t& x(int i) { return x_[static_cast<size_t>(i)]; }
  // Refits the weights to R and B (keeps the old ones if the fit is unsafe).
  void solve();
  // round(w . x) = (sum w_i x_i + 2^15) >> 16.
  int64_t predict() const;
  // After the sample's value v: R and B decay and take x x^T and x v.
  void update(int64_t v);

 private:
  size_t n_;
  int decay_;
  std::vector<int64_t> r_;  // row-major n_ x n_, its lower triangle used (R is symmetric)
  std::vector<int64_t> b_, w_;
  std::vector<int32_t> x_;
  // The solve's scratch, kept to spare allocations: L below the diagonal, D,
  // L D's row, the reciprocals, y.
  std::vector<int64_t> l_, d_, t_, inv_, y_;
};

}  // namespace mbz::mix
