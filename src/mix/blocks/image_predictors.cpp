// Profile 3's image predictors (image_predictors.hpp).
#include "mix/blocks/image_predictors.hpp"

#include <algorithm>

#include "common/med_predictor.hpp"

namespace mbz::mix {

ImagePredictors::ImagePredictors(const SampleGrid& g, bool med_residuals) : med_(med_residuals) {
  if (med_) pix_.assign(g.vals.size(), 0);
}

// Left, up, up-left, up-right, two left, two up, two up-right, the previous
// sample (the pixel's previous channel) and the one before, and the previous
// sample's left and up.
void ImagePredictors::predict(const SampleGrid& g, int64_t* pred) {
  const size_t c = static_cast<size_t>(g.channels), r = g.up, s = g.sample;
  x_.resize(kImageTaps);
  x_[0] = g.at(s - c);
  x_[1] = g.at(s - r);
  x_[2] = g.at(s - r - c);
  x_[3] = g.at(s - r + c);
  x_[4] = g.at(s - 2 * c);
  x_[5] = g.at(s - 2 * r);
  x_[6] = g.at(s - r + 2 * c);
  x_[7] = g.at(s - 1);
  x_[8] = g.at(s - 2);
  x_[9] = g.at(s - 1 - c);
  x_[10] = g.at(s - 1 - r);
  pred[0] = li0_.predict(x_.data());
  pred[1] = li1_.predict(x_.data());
  if (med_) {
    pixel_predictions(g, pred);
  } else {
    pred[2] = g.channels > 1 ? x_[7] : (int64_t{x_[0]} + x_[1]) / 2;
    pred[3] = 0;
    pred[4] = 0;
    pred[5] = 0;
  }
}

// A pixel prediction as a prediction of the residual: minus MED, wrapped.
int64_t ImagePredictors::as_residual(const SampleGrid& g, int64_t q) const {
  q = std::clamp<int64_t>(q, 0, g.mask());
  return ((q - med_here_ + g.half()) & g.mask()) - g.half();
}

// The MED prediction the adapter subtracted (codecs/sample_layout.cpp), then
// predictions of the pixel from its neighbours and the other channels.
void ImagePredictors::pixel_predictions(const SampleGrid& g, int64_t* pred) {
  const size_t c = static_cast<size_t>(g.channels), r = g.up, j = g.sample;
  const int32_t half = g.half();
  const uint64_t at = g.skip + (j - g.pad);  // in the frame grid
  const bool first_row = at < g.row_samples, first_col = at % g.row_samples < c;
  const int32_t w = pix_[j - c], n = pix_[j - r], nw = pix_[j - r - c];
  med_here_ = med_predict<int32_t>(w, n, nw, first_row, first_col, half);
  const int64_t ne = pix_[j - r + c], nne = pix_[j - 2 * r + c];
  // The previous sample: the pixel's previous channel (or the last pixel's last).
  const int64_t p = pix_[j - 1], pw = pix_[j - 1 - c], pn = pix_[j - 1 - r], pnw = pix_[j - 1 - r - c];
  x_pix_ = {w - half, n - half, nw - half, static_cast<int32_t>(ne) - half, pix_[j - 2 * c] - half,
            pix_[j - 2 * r] - half, static_cast<int32_t>(p) - half, static_cast<int32_t>(pw) - half,
            static_cast<int32_t>(pn) - half, static_cast<int32_t>(pnw) - half};
  pixel_lms_ = lp_.predict(x_pix_.data());
  pred[2] = as_residual(g, pixel_lms_ + half);
  pred[3] = as_residual(g, int64_t{w} + n - nw);
  pred[4] = c > 1 ? as_residual(g, p + (w - pw + n - pn) / 2) : as_residual(g, n + ne - nne);
  pred[5] = c > 1 ? as_residual(g, p + (int64_t{w} + n - nw) - (pw + pn - pnw)) : as_residual(g, w + ne - n);
}

void ImagePredictors::update(const SampleGrid& g, int32_t v, const int64_t* pred) {
  li0_.update(x_.data(), v - pred[0]);
  li1_.update(x_.data(), v - pred[1]);
  if (med_) {
    const int32_t x = (v + med_here_) & g.mask();
    pix_[g.sample] = x;
    lp_.update(x_pix_.data(), (x - g.half()) - pixel_lms_);
  }
}

}  // namespace mbz::mix
