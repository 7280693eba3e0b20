// Mixer profile 11: profile 6 whose weights start from a frozen prior
// (src/mix/data/profile11.prior; weight_prior.hpp). The golden files
// (test_golden_variants.cpp) pin its probabilities and the spec decoder reads
// the same prior; these check the prior's format, that the library carries
// the very file, and that without a prior the unit is profile 6.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "codecs/adapter.hpp"
#include "container/format.hpp"
#include "mbz/mbz.hpp"
#include "mix/blocks/weight_prior.hpp"
#include "mix/data/embedded_priors.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profiles/profile11_image.hpp"
#include "mix/profiles/profile6_image.hpp"
#include "mix/weight_prior_builder.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

Options profile11_options(uint32_t segment_size) {
  Options o;
  o.segment_size = segment_size;
  o.force_model = true;
  o.image_profile = mix::kProfileImage11;
  return o;
}

// The library's prior is the file in the tree, and fits the unit.
TEST(Profile11, CarriesThePriorFile) {
  const auto file = test::read_file(test::data_path("src/mix/data/profile11.prior"));
  ASSERT_EQ(mix::kProfile11PriorSize, file.size());
  EXPECT_TRUE(std::equal(file.begin(), file.end(), mix::kProfile11Prior));
  const mix::WeightPrior& p = mix::profile11_prior();
  EXPECT_EQ(p.profile, mix::kProfileImage11);
  EXPECT_EQ(p.rows(), 5617u);
  EXPECT_EQ(p.set_rows, mix::Profile11Image::set_rows());
  EXPECT_EQ(p.row_bytes, mix::kProfile11Prior + 24 + 4 * 8);  // the rows read in place
}

// Without a prior the unit decides as profile 6, decision by decision: the
// prior is its only difference.
TEST(Profile11, WithoutAPriorItIsProfile6) {
  const auto ppm = test::read_file(test::data_path("tests/golden/photo-32x24.ppm"));
  codecs::Flattened f;
  std::string why;
  ASSERT_TRUE(codecs::flatten(ppm.data(), ppm.size(), codecs::AdapterOptions{}, f, &why)) << why;
  mix::Profile11Image p11(f.payload.size(), f.shape, nullptr);
  mix::Profile6Image p6(f.payload.size(), f.shape);
  mix::Profile11Image primed(f.payload.size(), f.shape);
  size_t differ = 0;
  for (uint8_t byte : f.payload)
    for (int d = 0; d < 8; ++d) {
      const int bit = (byte >> (7 - d)) & 1;
      const int a = p11.predict(mix::kNoModel), b = p6.predict(mix::kNoModel);
      ASSERT_EQ(a, b);
      differ += primed.predict(mix::kNoModel) != a;
      p11.update(bit);
      p6.update(bit);
      primed.update(bit);
    }
  EXPECT_GT(differ, f.payload.size());  // and with its prior it is not
}

// A prior's file as the builder writes it and the decoder reads it back,
// and a malformed one refused, not read.
TEST(Profile11, MalformedPriorsAreRefused) {
  mix::WeightPriorSums sums(11, 3, {2, 4}, 2, 1);
  sums.add({1, 2, 3, 4, 5, 6,   0, 0, 0, 8, 8, 8, 0, 0, 0, 0, 0, 0,   7, 9});
  sums.add({1, 2, 3, 4, 5, 6,   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   7, 9});
  const std::vector<uint8_t> bytes = sums.prior_file(std::vector<int32_t>(20, 0));
  mix::WeightPrior w;
  std::string why;
  ASSERT_TRUE(mix::parse_weight_prior(bytes.data(), bytes.size(), w, &why)) << why;
  // The averages, to multiples of 4 away from zero at halves: rows (0,0),
  // (0,1) and (1,1) moved; (1,0), (1,2) and (1,3) did not.
  ASSERT_EQ(w.rows(), 3u);
  EXPECT_EQ(w.row_set, (std::vector<uint16_t>{0, 0, 1}));
  EXPECT_EQ(w.row_index, (std::vector<uint32_t>{0, 1, 1}));
  std::vector<int32_t> weights(9);
  for (size_t r = 0; r < 3; ++r) w.copy_row(r, &weights[3 * r]);
  EXPECT_EQ(weights, (std::vector<int32_t>{0, 4, 4, 4, 4, 8, 4, 4, 4}));
  EXPECT_EQ(w.final_weights, (std::vector<int32_t>{7, 9}));
  const auto refused = [&](const std::vector<uint8_t>& b, size_t n) {
    mix::WeightPrior out;
    std::string reason;
    return !mix::parse_weight_prior(b.data(), n, out, &reason) && !reason.empty();
  };
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_TRUE(refused(bytes, n)) << n << " bytes";
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_TRUE(refused(longer, longer.size()));
  auto swapped = bytes;  // rows (0,1) and (1,1): now (0,1) after (1,1)
  const size_t first = 20 + 4 * 2 + 4, row = 8 + 2 * 3;
  std::swap_ranges(swapped.begin() + static_cast<std::ptrdiff_t>(first + row), swapped.begin() + static_cast<std::ptrdiff_t>(first + 2 * row),
                   swapped.begin() + static_cast<std::ptrdiff_t>(first + 2 * row));
  EXPECT_TRUE(refused(swapped, swapped.size()));
  auto past = bytes;  // row 4 of set 0, which has 2
  past[first + 4] = 4;
  EXPECT_TRUE(refused(past, past.size()));
  mix::WeightPriorSums big(11, 3, {2, 4}, 2, 1);  // a set's weight that 16 bits of quarters cannot hold
  big.add({1 << 18, 0, 0, 0, 0, 0,   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   0, 0});
  EXPECT_THROW(big.prior_file(std::vector<int32_t>(20, 0)), Error);
}

TEST(Profile11, ImagesOfEveryWidthRoundTrip) { test::expect_every_width_round_trips(mix::kProfileImage11); }

// What it is for: small photographs. Three 64 x 64 crops of a held-out
// photograph, each coded alone (inside it: the second crop was 8 rows past
// its end until 0.21). Measured 2026-12-04: 0.7% smaller than profile 6
// (24,283 against 24,452 bytes; held-out crops: 1.0% at 64 px in colour;
// bench/RESULTS.md "Images — profile 11").
TEST(Profile11, SmallerThanProfile6OnSmallPhotographs) {
  if (test::under_sanitizer()) GTEST_SKIP() << "a ratio, measured in the release tree";
  size_t p11 = 0, p6 = 0;
  for (const auto& at : {std::pair{40, 40}, std::pair{160, 180}, std::pair{300, 100}}) {
    const auto crop = test::photo_crop(at.first, at.second, 64);
    Options o = profile11_options(1 << 20);
    p11 += compress(crop.data(), crop.size(), *Model::none(), o).size();
    o.image_profile = mix::kProfileImage6;
    p6 += compress(crop.data(), crop.size(), *Model::none(), o).size();
  }
  EXPECT_LT(static_cast<double>(p11), 0.995 * static_cast<double>(p6)) << p11 << " vs " << p6;
}

}  // namespace
}  // namespace mbz
