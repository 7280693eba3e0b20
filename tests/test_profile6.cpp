// Mixer profile 6's own blocks (src/mix/blocks/int_ols, local_error_scales,
// sample_ring, image_ensemble) and its images of every width: the golden
// files (test_golden_variants.cpp) pin its probabilities; these check the
// parts' arithmetic and the shapes the golden files do not reach.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "container/format.hpp"
#include "mbz/mbz.hpp"
#include "mix/blocks/int_ols.hpp"
#include "mix/blocks/local_error_scales.hpp"
#include "mix/mixed_coding.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

TEST(Profile6Blocks, DivisionByReciprocalIsCDivision) {
  std::mt19937_64 rng(6);
  std::vector<int32_t> divisors = {2, 3, 4, 5, 7, 255, 256, 4096, 65535, 1 << 20, (1 << 28) + 3};
  for (int i = 0; i < 200; ++i) divisors.push_back(static_cast<int32_t>(rng() % (1u << 29)) + 4);
  for (int32_t d : divisors) {
    const uint64_t r = mix::reciprocal_of(d);
    std::vector<int64_t> zs = {0, 1, -1, d - 1, d, d + 1, -d, -(d + 1), (int64_t{1} << 32) - 1, int64_t{1} << 32,
                               (int64_t{1} << 32) + 1, -((int64_t{1} << 32) - 1), -(int64_t{1} << 32), int64_t{1} << 45};
    for (int k = 0; k < 300; ++k) zs.push_back(static_cast<int64_t>(rng() >> (rng() % 40 + 16)) * (k % 2 ? 1 : -1));
    for (int64_t z : zs) ASSERT_EQ(mix::divide_by(z, d, r), z / d) << z << " / " << d;
  }
}

TEST(Profile6Blocks, LeastSquaresFindsALinearRule) {
  // v = 3 x0 - 2 x1 + x2 / 2 exactly: the fit's Q16 weights predict it to within rounding.
  mix::IntOls ols(3, 11);
  std::mt19937 rng(7);
  int64_t worst = 0;
  for (int i = 0; i < 2000; ++i) {
    const int32_t x0 = static_cast<int32_t>(rng() % 512) - 256, x1 = static_cast<int32_t>(rng() % 512) - 256,
                  x2 = static_cast<int32_t>(rng() % 512) - 256;
    ols.x(0) = x0, ols.x(1) = x1, ols.x(2) = x2;
    ols.solve();
    const int64_t v = 3 * x0 - 2 * x1 + x2 / 2;
    if (i >= 100) worst = std::max<int64_t>(worst, std::abs(ols.predict() - v));
    ols.update(v);
  }
  EXPECT_LE(worst, 1);
}

TEST(Profile6Blocks, LeastSquaresKeepsItsWeightsWithoutSignal) {
  // All-zero inputs leave R the identity decayed: every pivot is under 16, no
  // solve happens and the weights stay 0; nothing divides by zero.
  mix::IntOls ols(16, 11);
  for (int i = 0; i < 50; ++i) {
    for (int k = 0; k < 16; ++k) ols.x(k) = 0;
    ols.solve();
    EXPECT_EQ(ols.predict(), 0);
    ols.update(1000);
  }
}

// Hostile samples (24-bit extremes, collinear taps, values unrelated to the
// taps): every solve stays inside its integer types (the sanitizer trees
// check for overflow) and the weights inside their clamp.
TEST(Profile6Blocks, LeastSquaresStaysInRangeOnHostileSamples) {
  mix::IntOls ols(16, 11);
  std::mt19937 rng(8);
  const int32_t big = (1 << 23) - 1;
  for (int i = 0; i < 3000; ++i) {
    const int32_t base = static_cast<int32_t>(rng() % (2u * big)) - big;
    for (int k = 0; k < 16; ++k) {
      const int32_t step = i % 3 == 0 ? static_cast<int32_t>(rng() % 3) - 1 : static_cast<int32_t>(rng() % 4096) - 2048;
      ols.x(k) = std::clamp(k % 2 ? base + step : (i % 5 ? base : -base), -big, big);
    }
    ols.solve();
    const int64_t p = ols.predict();
    ASSERT_LE(std::abs(p), int64_t{16} << (24 + 23 - 16)) << i;  // 16 taps, |w| <= 2^24 (Q16), |x| < 2^23
    ols.update(i % 7 ? -big : big);
  }
}

// Images one, two and three pixels wide keep a slot a sample (sample_ring.hpp),
// wider ones a ring; segments of 1 KiB start inside rows and pixels.
TEST(Profile6, ImagesOfEveryWidthRoundTrip) { test::expect_every_width_round_trips(mix::kProfileImage6); }

}  // namespace
}  // namespace mbz
