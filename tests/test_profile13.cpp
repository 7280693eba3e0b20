// Mixer profile 13: profile 9 whose weights start from a frozen prior
// (src/mix/data/profile13.prior; weight_prior.hpp). The golden files
// (test_golden_variants.cpp) pin its probabilities and the spec decoder reads
// the same prior; these check that the library carries the very file, that
// without a prior the unit is profile 9, and what it is for. The prior's
// format is profile 11's (test_profile11.cpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "codecs/adapter.hpp"
#include "mbz/mbz.hpp"
#include "mix/blocks/weight_prior.hpp"
#include "mix/data/embedded_priors.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profiles/profile13_image.hpp"
#include "mix/profiles/profile9_image.hpp"
#include "mix/weight_prior_builder.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

// The library's prior is the file in the tree, and fits the unit.
TEST(Profile13, CarriesThePriorFile) {
  const auto file = test::read_file(test::data_path("src/mix/data/profile13.prior"));
  ASSERT_EQ(mix::kProfile13PriorSize, file.size());
  EXPECT_TRUE(std::equal(file.begin(), file.end(), mix::kProfile13Prior));
  const mix::WeightPrior& p = mix::profile13_prior();
  EXPECT_EQ(p.profile, mix::kProfileImage13);
  EXPECT_EQ(p.rows(), 9713u);
  EXPECT_EQ(p.set_rows, mix::Profile13Image::set_rows());
  EXPECT_EQ(p.inputs, mix::Profile13Image::kInputs);
  EXPECT_EQ(p.row_bytes, mix::kProfile13Prior + 24 + 4 * 9);  // the rows read in place
}

// Without a prior the unit decides as profile 9, decision by decision (its
// APMs, stored as offsets from the identity, give profile 9's values): the
// prior is its only difference.
TEST(Profile13, WithoutAPriorItIsProfile9) {
  for (const char* name : {"tests/golden/photo-32x24.ppm", "tests/golden/grey16-28x28.pgm"}) {
    const auto image = test::read_file(test::data_path(name));
    codecs::Flattened f;
    std::string why;
    ASSERT_TRUE(codecs::flatten(image.data(), image.size(), codecs::AdapterOptions{}, f, &why)) << why;
    mix::Profile13Image p13(f.payload.size(), f.shape, nullptr);
    mix::Profile9Image p9(f.payload.size(), f.shape);
    mix::Profile13Image primed(f.payload.size(), f.shape);
    size_t differ = 0;
    for (uint8_t byte : f.payload)
      for (int d = 0; d < 8; ++d) {
        const int bit = (byte >> (7 - d)) & 1;
        const int a = p13.predict(mix::kNoModel), b = p9.predict(mix::kNoModel);
        ASSERT_EQ(a, b) << name;
        differ += primed.predict(mix::kNoModel) != a;
        p13.update(bit);
        p9.update(bit);
        primed.update(bit);
      }
    EXPECT_GT(differ, f.payload.size()) << name;  // and with its prior it is not
  }
}

// The builder stores a set's weight past the 16 bits of quarters as the
// range's end when asked to (profile 13's prior has one), and counts it.
TEST(Profile13, TheBuilderClampsWhenAsked) {
  mix::WeightPriorSums big(13, 3, {2, 4}, 2, 1);
  big.add({1 << 18, -(1 << 18), 12, 0, 0, 0,   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   0, 0});
  EXPECT_THROW(big.prior_file(std::vector<int32_t>(20, 0)), Error);
  size_t clamped = 0;
  const std::vector<uint8_t> bytes = big.prior_file(std::vector<int32_t>(20, 0), &clamped);
  EXPECT_EQ(clamped, 2u);
  mix::WeightPrior w;
  std::string why;
  ASSERT_TRUE(mix::parse_weight_prior(bytes.data(), bytes.size(), w, &why)) << why;
  ASSERT_EQ(w.rows(), 1u);
  std::vector<int32_t> row(3);
  w.copy_row(0, row.data());
  EXPECT_EQ(row, (std::vector<int32_t>{32767 * 4, -32768 * 4, 12}));
}

TEST(Profile13, ImagesOfEveryWidthRoundTrip) { test::expect_every_width_round_trips(mix::kProfileImage13); }

// What it is for: photographs a prior still helps, from a few thousand
// pixels to a few hundred thousand. Three 128 x 128 crops of a held-out
// photograph, each coded alone. Measured 2026-12-04: 0.34% smaller than
// profile 9 (92,291 against 92,610 bytes; held-out 128 px crops of the
// media corpus: 0.5%; bench/RESULTS.md "Images — profile 13").
TEST(Profile13, SmallerThanProfile9OnHeldOutPhotographs) {
  if (test::under_sanitizer()) GTEST_SKIP() << "a ratio, measured in the release tree";
  size_t p13 = 0, p9 = 0;
  for (const auto& at : {std::pair{0, 0}, std::pair{200, 100}, std::pair{120, 128}}) {
    const auto crop = test::photo_crop(at.first, at.second, 128);
    Options o;
    o.force_model = true;
    o.image_profile = mix::kProfileImage13;
    p13 += compress(crop.data(), crop.size(), *Model::none(), o).size();
    o.image_profile = mix::kProfileImage9;
    p9 += compress(crop.data(), crop.size(), *Model::none(), o).size();
  }
  EXPECT_LT(static_cast<double>(p13), 0.998 * static_cast<double>(p9)) << p13 << " vs " << p9;
}

}  // namespace
}  // namespace mbz
