// image_predictors.hpp — P0..P5 of profile 3 on images: two LMS filters over
// neighbouring residuals and, for MED residuals, the pixels rebuilt and
// predicted (docs/FORMAT.md "Mixed segments", "Numeric model (profiles 3 and
// 4)": "Images", end_sample). Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <cstdint>
#include <vector>

#include "mix/blocks/lms_filter.hpp"
#include "mix/blocks/sample_grid.hpp"

namespace mbz::mix {

class ImagePredictors {
 public:
  // g.row_samples > 0.
  explicit ImagePredictors(const SampleGrid& g, bool med_residuals);
  // P0..P5 of the sample g is at.
  void predict(const SampleGrid& g, int64_t* pred);
  // After the sample's value v, with the predictions predict() gave.
  void update(const SampleGrid& g, int32_t v, const int64_t* pred);

 private:
  void pixel_predictions(const SampleGrid& g, int64_t* pred);
  int64_t as_residual(const SampleGrid& g, int64_t q) const;

  // Two over neighbouring residuals (steps 2^-2 and 2^-5), one over
  // neighbouring pixels (2^-7).
  static constexpr int kImageTaps = 11;
  static constexpr int kPixelTaps = 10;
  Lms li0_{kImageTaps, 2}, li1_{kImageTaps, 5}, lp_{kPixelTaps, 7};
  std::vector<int32_t> x_;  // the image taps (gather)
  // Images whose samples are MED residuals: the pixels, rebuilt (exact when
  // the segment starts at the image's start), and the current MED prediction.
  bool med_;
  std::vector<int32_t> pix_;
  int32_t med_here_ = 0;
  std::vector<int32_t> x_pix_;
  int64_t pixel_lms_ = 0;  // the pixel LMS's prediction, centred on half()
};

}  // namespace mbz::mix
