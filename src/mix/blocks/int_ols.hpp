// int_ols.hpp — online least squares in integers only: a predictor that
// refits its weights to the recent past every sample, exact on every
// machine and mirrored by the Python spec decoder with Python integers
// (docs/FORMAT.md "Profile 6", "The least squares").
//
// R = sum of x x^T and B = sum of x v over the samples so far, each decayed
// by 2^-decay_shift per sample (int64; R starts as the identity). A solve
// brings R and B below 2^40 by one shift, factors R = L D L^T in fixed point
// (L in Q30 with a unit diagonal, one reciprocal 2^60 / D_j a column, every
// product int128, every shift a floor) and solves for Q16 weights; a pivot
// under 16, or a fit so near singular that an entry of L passes 2^43 (Q30)
// or one of y 2^62, keeps the weights of the last solve (so no value leaves
// its type; 5.1 million solves on 38 photographs never came near). No
// floating point, no division but the reciprocals' (of positive numbers).
// Up to kMaxTaps taps.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mbz::mix {

class IntOls {
 public:
  static constexpr int kMaxTaps = 16;

  IntOls(int taps, int decay_shift);
  int taps() const { return n_; }
  // The inputs of the sample being predicted: x(0) .. x(taps - 1).
  int32_t& x(int i) { return x_[static_cast<size_t>(i)]; }
  // Refits the weights to R and B (keeps the old ones if a pivot is under 16).
  void solve();
  // round(w . x) = (sum w_i x_i + 2^15) >> 16.
  int64_t predict() const;
  // After the sample's value v: R and B decay and take x x^T and x v.
  void update(int64_t v);

 private:
  static constexpr size_t kMax = kMaxTaps;
  int n_;
  int decay_;
  std::array<int64_t, kMax * kMax> r_{};  // row-major, n_ x n_ used
  std::array<int64_t, kMax> b_{}, w_{};
  std::array<int32_t, kMax> x_{};
};

}  // namespace mbz::mix
