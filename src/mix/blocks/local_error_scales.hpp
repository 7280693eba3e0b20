// local_error_scales.hpp — profile 6's error scales: each predictor's mean
// absolute error per channel, M[ch][k] (as profile 3's, one set a
// channel), blended with its errors at the sample's neighbours, so that the
// scale follows an edge or a flat patch at once (docs/FORMAT.md "Profile
// 6", "Error scales").
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "mix/blocks/error_scales.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/sample_ring.hpp"

namespace mbz::mix {

// z / d truncated toward zero, as C divides, given reciprocal_of(d) (d >= 2):
// speed only, as the error scales divide every bit and change every sample.
// ceil(2^64 / d) gives floor(a / d) = (r a) >> 64 exactly for a, d < 2^32
// (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019);
// larger |z| divide.
inline uint64_t reciprocal_of(int32_t d) { return ~uint64_t{0} / static_cast<uint64_t>(d) + 1; }
inline int64_t divide_by(int64_t z, int32_t d, uint64_t reciprocal) {
  const uint64_t a = static_cast<uint64_t>(z < 0 ? -z : z);
  const uint64_t q = a >> 32 ? a / static_cast<uint64_t>(d)
                             : static_cast<uint64_t>((static_cast<unsigned __int128>(reciprocal) * a) >> 64);
  return z < 0 ? -static_cast<int64_t>(q) : static_cast<int64_t>(q);
}

template <int kPredictors>
class LocalErrorScales {
 public:
  static constexpr size_t kN = kPredictors;
  static constexpr int32_t kStart = 16 << 4;  // every M and every stored error start at 16

  explicit LocalErrorScales(const SampleGrid& g)
      : ring_(g), avg_(kN * static_cast<size_t>(g.channels), kStart), err_(kN * ring_.slots, kStart) {}

  // Of the sample g is at: scale[k] = max((M + 3 l) / 4, 4), l the weighted
  // mean of its errors at w, n (x2 each), nw, ne, ww, nn; and their ilog2.
  void begin(const SampleGrid& g) {
    const size_t c = static_cast<size_t>(g.channels), r = g.up, s = g.sample;
    set_ = static_cast<size_t>(g.channel) * kN;
    const int32_t* ew = &err_[ring_(s - c) * kN];
    const int32_t* en = &err_[ring_(s - r) * kN];
    const int32_t* enw = &err_[ring_(s - r - c) * kN];
    const int32_t* ene = &err_[ring_(s - r + c) * kN];
    const int32_t* eww = &err_[ring_(s - 2 * c) * kN];
    const int32_t* enn = &err_[ring_(s - 2 * r) * kN];
    for (size_t k = 0; k < kN; ++k) {
      // Each error is at most 2^28 (|e| <= 2^24, in 1/16): the sum of eight needs 64 bits.
      const int64_t local = (int64_t{2} * ew[k] + 2 * en[k] + enw[k] + ene[k] + eww[k] + enn[k]) / 8;
      scale[k] = static_cast<int32_t>(std::max<int64_t>((avg_[set_ + k] + 3 * local) / 4, 4));
      scale_log[k] = ilog2_u64(static_cast<uint64_t>(scale[k]));
      reciprocal[k] = reciprocal_of(scale[k]);
    }
  }
  // z / scale[k], as C divides.
  int64_t divide(int64_t z, size_t k) const { return divide_by(z, scale[k], reciprocal[k]); }
  // The sample's value v against predictions pred[0..kN-1].
  void update(const SampleGrid& g, int32_t v, const int64_t* pred) {
    int32_t* e = &err_[ring_(g.sample) * kN];
    for (size_t k = 0; k < kN; ++k) {
      const int32_t a = static_cast<int32_t>(std::min<int64_t>(std::abs(v - pred[k]), 1 << 24)) << 4;
      int32_t& m = avg_[set_ + k];
      m += (a - m) >> 4;
      e[k] = a;
    }
  }

  std::array<int32_t, kN> scale{};
  std::array<int, kN> scale_log{};
  std::array<uint64_t, kN> reciprocal{};  // ceil(2^64 / scale[k]) (divide)

 private:
  SampleRing ring_;
  std::vector<int32_t> avg_;  // M[ch][k], mean |error| in 1/16
  std::vector<int32_t> err_;  // |error| in 1/16 of the recent samples (ring_) and every predictor
  size_t set_ = 0;
};

}  // namespace mbz::mix
