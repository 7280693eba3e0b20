// Profile 6's image predictors (image_ensemble.hpp; docs/FORMAT.md "Profile
// 6", "Predictors"). Divisions are C's: truncated toward zero.
#include "mix/blocks/image_ensemble.hpp"

#include <algorithm>
#include <cstdlib>

#include "common/med_predictor.hpp"

namespace mbz::mix {

namespace {

constexpr int kOlsDecayShift = 11;  // R and B decay by 2^-11 a pixel
// The least squares refit every 4th pixel of the frame grid: a seventh of the
// profile's time for 0.01% of the size (held-out photos).
constexpr uint64_t kOlsSolveEvery = 4;

// 0 for a < 1, else 1 + floor(log2 a), at most 7.
int activity_level(int64_t a) {
  int lv = 0;
  while (lv < 7 && (int64_t{1} << lv) <= a) ++lv;
  return lv;
}

}  // namespace

ImageEnsemble::ImageEnsemble(const SampleGrid& g)
    : base_(g, true), ring_(g), pix_(ring_.slots, 0), wp_err_(ring_.slots, 0) {
  for (auto& e : wp_sub_err_) e.assign(ring_.slots, 0);
  ols_.reserve(static_cast<size_t>(g.channels));
  for (int ch = 0; ch < g.channels; ++ch) ols_.emplace_back(12 + (ch > 0 ? 3 : 0) + (ch > 1 ? 1 : 0), kOlsDecayShift);
}

int64_t ImageEnsemble::as_residual(const SampleGrid& g, int64_t q) const {
  q = std::clamp<int64_t>(q, 0, g.mask());
  return ((q - med_here_ + g.half()) & g.mask()) - g.half();
}

void ImageEnsemble::predict(const SampleGrid& g, int64_t* pred) {
  base_.predict(g, pred);
  const size_t c = static_cast<size_t>(g.channels), r = g.up, j = g.sample;
  const uint64_t at = g.skip + (j - g.pad);  // in the frame grid
  const bool first_row = at < g.row_samples, first_col = at % g.row_samples < c;
  const int64_t w = pix_[ring_(j - c)], n = pix_[ring_(j - r)], nw = pix_[ring_(j - r - c)], ne = pix_[ring_(j - r + c)];
  const int64_t ww = pix_[ring_(j - 2 * c)], nn = pix_[ring_(j - 2 * r)], nne = pix_[ring_(j - 2 * r + c)], nww = pix_[ring_(j - r - 2 * c)];
  med_here_ = med_predict<int32_t>(pix_[ring_(j - c)], pix_[ring_(j - r)], pix_[ring_(j - r - c)], first_row, first_col, g.half());
  pred[3] = as_residual(g, gap(w, n, nw, ne, ww, nn, nne));
  pred[6] = as_residual(g, weighted(g, j, first_row, first_col));
  const int64_t p = pix_[ring_(j - 1)], pw = pix_[ring_(j - 1 - c)], pn = pix_[ring_(j - 1 - r)], pne = pix_[ring_(j - 1 - r + c)];
  if (c > 1) {
    const int64_t pnn = pix_[ring_(j - 1 - 2 * r)], pww = pix_[ring_(j - 1 - 2 * c)];
    pred[7] = as_residual(g, n + (p - pn));
    pred[8] = as_residual(g, w + (p - pw));
    pred[9] = as_residual(g, ne + (p - pne));
    pred[10] = as_residual(g, nn + (p - pnn));
    pred[11] = as_residual(g, (2 * w - ww) + (p - (2 * pw - pww)));
  } else {
    pred[7] = as_residual(g, (w + ne) / 2);
    pred[8] = as_residual(g, 2 * n - nn);
    pred[9] = as_residual(g, w + ne - nne);
    pred[10] = as_residual(g, 3 * n - 2 * nn);
    pred[11] = as_residual(g, w + nw - nww);
  }
  pred[12] = as_residual(g, nw + ne - nn);
  pred[13] = as_residual(g, least_squares(g, j));
}

// CALIC's gradient-adjusted prediction; act_ from the gradients' sum.
int64_t ImageEnsemble::gap(int64_t w, int64_t n, int64_t nw, int64_t ne, int64_t ww, int64_t nn, int64_t nne) {
  const int64_t dh = std::abs(w - ww) + std::abs(n - nw) + std::abs(ne - n);
  const int64_t dv = std::abs(w - nw) + std::abs(n - nn) + std::abs(ne - nne);
  act_ = activity_level((dh + dv) >> 2);
  if (dv - dh > 80) return w;
  if (dh - dv > 80) return n;
  int64_t q = (w + n) / 2 + (ne - nw) / 4;
  if (dv - dh > 32) q = (q + w) / 2;
  else if (dv - dh > 8) q = (3 * q + w) / 4;
  else if (dh - dv > 32) q = (q + n) / 2;
  else if (dh - dv > 8) q = (3 * q + n) / 4;
  return q;
}

// JPEG XL's weighted predictor (its modular mode's predictor 6): four
// sub-predictions in pixel values x8, weighted by the inverse of their
// errors at the neighbours, clamped to the neighbours' range unless the
// neighbours' errors agree in sign. Out-of-image neighbours fall back as
// JPEG XL's do; their errors read 0. Also sets te_.
int64_t ImageEnsemble::weighted(const SampleGrid& g, size_t j, bool first_row, bool first_col) {
  const size_t c = static_cast<size_t>(g.channels), r = g.up;
  const uint64_t col = (g.skip + (j - g.pad)) % g.row_samples;
  const bool last_col = col + c >= g.row_samples;
  const int64_t w = pix_[ring_(j - c)], n = pix_[ring_(j - r)], ne = pix_[ring_(j - r + c)];
  const int64_t W = 8 * (first_col ? n : w), N = 8 * (first_row ? (first_col ? 0 : w) : n);
  const int64_t NE = first_row || last_col ? N : 8 * ne;
  const bool has_w = !first_col, has_n = !first_row, has_nw = has_n && has_w, has_ne = has_n && !last_col;
  const bool has_ww = col >= 2 * c;
  auto te = [&](size_t k, bool ok) -> int64_t { return ok ? wp_err_[ring_(k)] : 0; };
  const int64_t teW = te(j - c, has_w), teN = te(j - r, has_n), teNW = te(j - r - c, has_nw), teNE = te(j - r + c, has_ne);
  wp_sub_[0] = W + NE - N;
  wp_sub_[1] = N - (((teW + teN + teNE) * 16) >> 5);
  wp_sub_[2] = W - (((teW + teN + teNW) * 10) >> 5);
  wp_sub_[3] = N - ((7 * teNW + 7 * teN + 7 * teNE) >> 5);
  static constexpr int64_t kMaxWeight[4] = {13, 12, 12, 12};
  int64_t sum_w = 0, sum_wp = 0;
  for (size_t i = 0; i < 4; ++i) {
    const std::vector<int32_t>& e = wp_sub_err_[i];
    auto err = [&](size_t k, bool ok) -> int64_t { return ok ? e[ring_(k)] : 0; };
    const int64_t s = err(j - r, has_n) + err(j - c, has_w) + err(j - r - c, has_nw) + err(j - 2 * c, has_ww) +
                      err(j - r + c, has_ne);
    const int64_t wi = 4 + (kMaxWeight[i] << 24) / (s + 1);
    sum_w += wi;
    sum_wp += wi * wp_sub_[i];
  }
  // te: the neighbours' error of largest magnitude (the first in W, N, NW, NE on ties).
  int64_t m = teW;
  for (int64_t t : {teN, teNW, teNE})
    if (std::abs(t) > std::abs(m)) m = t;
  int lv = 0;
  while (lv < 7 && (int64_t{1} << (lv + 1)) <= std::abs(m)) ++lv;
  te_ = lv * 2 + (m < 0 ? 1 : 0);
  int64_t q = (sum_wp + sum_w / 2) / sum_w;
  if (!((teN ^ teW) >= 0 && (teN ^ teNW) >= 0)) q = std::clamp(q, std::min({W, N, NE}), std::max({W, N, NE}));
  wp_pred8_ = q;
  return (q + 3) >> 3;
}

void ImageEnsemble::weighted_update(size_t j, int32_t x) {
  wp_err_[ring_(j)] = static_cast<int32_t>(wp_pred8_ - 8 * int64_t{x});
  for (size_t i = 0; i < 4; ++i) wp_sub_err_[i][ring_(j)] = static_cast<int32_t>((std::abs(wp_sub_[i] - 8 * int64_t{x}) + 3) >> 3);
}

// Taps: w, n, nw, ne, ww, nn, nww, nnw, nne, nee, nnww, nnee, then (channels
// after the first) the previous channel at this pixel, at w and at n, and
// (after the second) the one before it at this pixel; centred on half().
// Refitted at every 4th pixel, for all its channels.
int64_t ImageEnsemble::least_squares(const SampleGrid& g, size_t j) {
  const size_t c = static_cast<size_t>(g.channels), r = g.up;
  const int32_t half = g.half();
  ols_channel_ = static_cast<size_t>(g.channel);
  IntOls& o = ols_[ols_channel_];
  const size_t at[12] = {j - c,         j - r,         j - r - c,     j - r + c,         j - 2 * c,         j - 2 * r,
                         j - r - 2 * c, j - 2 * r - c, j - 2 * r + c, j - r + 2 * c, j - 2 * r - 2 * c, j - 2 * r + 2 * c};
  for (int i = 0; i < 12; ++i) o.x(i) = pix_[ring_(at[i])] - half;
  if (o.taps() > 12) {
    o.x(12) = pix_[ring_(j - 1)] - half;
    o.x(13) = pix_[ring_(j - 1 - c)] - half;
    o.x(14) = pix_[ring_(j - 1 - r)] - half;
  }
  if (o.taps() > 15) o.x(15) = pix_[ring_(j - 2)] - half;
  if ((g.skip + (j - g.pad)) / c % kOlsSolveEvery == 0) o.solve();
  return o.predict() + half;
}

void ImageEnsemble::update(const SampleGrid& g, int32_t v, const int64_t* pred) {
  base_.update(g, v, pred);
  const int32_t x = (v + med_here_) & g.mask();
  pix_[ring_(g.sample)] = x;
  ols_[ols_channel_].update(x - g.half());
  weighted_update(g.sample, x);
}

}  // namespace mbz::mix
