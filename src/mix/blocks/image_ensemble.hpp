// image_ensemble.hpp — P0..P13 of profile 6 on images of MED residuals:
// profile 3's image predictors, with GAP in P3's place, and eight more
// predictions of the pixel (docs/FORMAT.md "Profile 6", "Predictors").
//
// Legend of the predictions (all of the residual: a pixel prediction minus
// the MED prediction, wrapped; "p" is the pixel's previous sample, its
// previous channel, and pw, pn ... that sample's neighbours):
//   P0, P1   LMS over neighbouring residuals (profile 3's)
//   P2       the pixel LMS (profile 3's)
//   P3       CALIC's GAP, from the horizontal and vertical gradients
//   P4, P5   profile 3's cross-channel (or one-channel) gradients
//   P6       JPEG XL's self-correcting weighted predictor (x8 internally)
//   P7..P9   cross-channel: n + (p - pn), w + (p - pw), ne + (p - pne);
//            one channel: (w + ne) / 2, 2n - nn, w + ne - nne
//   P10, P11 cross-channel: nn + (p - pnn), (2w - ww) + (p - (2pw - pww));
//            one channel: 3n - 2nn, w + nw - nww
//   P12      nw + ne - nn
//   P13      least squares per channel over 12 neighbours (and 3-4 of the
//            channels before, at and around the same pixel), refitted every
//            4th pixel (int_ols.hpp)
// Beside them two small contexts of the pixel: the weighted predictor's
// error at the neighbours (te, 16 levels with its sign) and GAP's activity
// (act, 8 levels). Integer arithmetic only.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "mix/blocks/image_predictors.hpp"
#include "mix/blocks/int_ols.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/sample_ring.hpp"

namespace mbz::mix {

class ImageEnsemble {
 public:
  static constexpr int kCount = 14;

  // g.row_samples > 0; the samples are MED residuals.
  explicit ImageEnsemble(const SampleGrid& g);
  // P0..P13 of the sample g is at; also te() and act().
  void predict(const SampleGrid& g, int64_t* pred);
  // After the sample's value v, with the predictions predict() gave.
  void update(const SampleGrid& g, int32_t v, const int64_t* pred);

  int te() const { return te_; }    // 0..15: 2 x log2 bucket of the neighbours' largest |error| + its sign
  int act() const { return act_; }  // 0..7: log2 bucket of GAP's (dh + dv) / 4

 private:
  int64_t as_residual(const SampleGrid& g, int64_t q) const;
  int64_t gap(int64_t w, int64_t n, int64_t nw, int64_t ne, int64_t ww, int64_t nn, int64_t nne);
  int64_t weighted(const SampleGrid& g, size_t j, bool first_row, bool first_col);
  void weighted_update(size_t j, int32_t x);
  int64_t least_squares(const SampleGrid& g, size_t j);

  ImagePredictors base_;       // P0..P5 of profile 3 (its P3 is replaced)
  SampleRing ring_;            // where pix_ and the weighted predictor's errors keep a sample
  std::vector<int32_t> pix_;   // the recent pixels, rebuilt as base_ rebuilds them
  int32_t med_here_ = 0;
  // The weighted predictor (values x8): its error per sample, each
  // sub-predictor's error per sample; this sample's sub-predictions and result.
  std::vector<int32_t> wp_err_;
  std::array<std::vector<int32_t>, 4> wp_sub_err_;
  std::array<int64_t, 4> wp_sub_{};
  int64_t wp_pred8_ = 0;
  std::vector<IntOls> ols_;    // one a channel
  size_t ols_channel_ = 0;     // of the sample predicted
  int te_ = 0, act_ = 0;
};

}  // namespace mbz::mix
