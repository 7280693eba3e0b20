// med_predictor.hpp — the MED (median edge detector, LOCO-I) prediction of a
// pixel, written once: the image adapter subtracts it from every sample
// (codecs/sample_layout.cpp) and the numeric model rebuilds the pixels with
// it (src/mix/blocks/image_predictors.cpp); the two must agree bit for bit,
// or the mixer's pixel predictions drift from the pixels. docs/FORMAT.md
// "Adapter side information" specifies it. Frozen with mixer profile 3:
// listed in tests/frozen-units.sha256.
#pragma once

#include <algorithm>

namespace mbz {

// w, n, nw: the left, upper and upper-left neighbours of the same channel.
// Borders: the image's first row predicts from the left (its first pixel:
// mid, the middle of the sample range), the first column from above.
template <class T>
constexpr T med_predict(T w, T n, T nw, bool first_row, bool first_col, T mid) {
  if (first_row) return first_col ? mid : w;
  if (first_col) return n;
  if (nw >= std::max(w, n)) return std::min(w, n);
  if (nw <= std::min(w, n)) return std::max(w, n);
  return w + n - nw;
}

}  // namespace mbz
