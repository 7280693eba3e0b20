// Mixer profile 12: profile 10 whose weights start from a frozen prior
// (src/mix/data/profile12.prior; weight_prior.hpp). The golden files
// (test_golden_variants.cpp) pin its probabilities and the spec decoder reads
// the same prior; these check that the library carries the very file, that
// without a prior the unit is profile 10, and what the prior is for.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mbz/mbz.hpp"
#include "mix/blocks/weight_prior.hpp"
#include "mix/data/embedded_priors.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profiles/profile10_text.hpp"
#include "mix/profiles/profile12_text.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

TEST(Profile12, CarriesThePriorFile) {
  const auto file = test::read_file(test::data_path("src/mix/data/profile12.prior"));
  ASSERT_EQ(mix::kProfile12PriorSize, file.size());
  EXPECT_TRUE(std::equal(file.begin(), file.end(), mix::kProfile12Prior));
  const mix::WeightPrior& p = mix::profile12_prior();
  EXPECT_EQ(p.profile, mix::kProfileText12);
  EXPECT_EQ(p.rows(), 2555u);
  EXPECT_EQ(p.set_rows, mix::Profile12Text::set_rows());
  EXPECT_EQ(p.final_weights.size(), 256u * mix::Profile12Text::kSets);
}

// Without a prior the unit decides as profile 10, decision by decision, with
// the model's input and without: the prior is its only difference.
TEST(Profile12, WithoutAPriorItIsProfile10) {
  const auto text = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  for (const bool model : {false, true}) {
    mix::Profile12Text p12(text.size(), mix::SampleShape{}, nullptr), primed(text.size(), mix::SampleShape{});
    mix::Profile10Text p10(text.size(), mix::SampleShape{});
    size_t differ = 0;
    for (uint8_t byte : text)
      for (int d = 0; d < 8; ++d) {
        const int bit = (byte >> (7 - d)) & 1;
        // a made-up model: 3/4 on the byte's own bit, some of the time
        const mix::NodeCounts m = !model ? mix::kNoModel : (byte + d) % 3 ? mix::NodeCounts{bit ? 3u : 1u, 4u} : mix::NodeCounts{1, 2};
        const int a = p12.predict(m);
        ASSERT_EQ(a, p10.predict(m));
        differ += primed.predict(m) != a;
        p12.update(bit);
        p10.update(bit);
        primed.update(bit);
      }
    EXPECT_GT(differ, text.size()) << "model " << model;  // and with its prior it is not
  }
}

// What it is for: small texts. Six 10 KB pieces of the shipped GPL (not
// text the prior was built from), each coded alone by profile 12,
// without a model (as levels 3-5) and with the golden tiny model. Measured
// 2026-12-04: 0.35% smaller than profile 10 without a model (15,271 against
// 15,325 bytes), 0.8% with the tiny one (held-out pieces of the text corpus
// with text-small-v4: 0.9%, without a model 0.5%; bench/RESULTS.md "Text —
// profile 12").
TEST(Profile12, SmallerThanProfile10OnSmallTexts) {
  if (test::under_sanitizer()) GTEST_SKIP() << "a ratio, measured in the release tree";
  const auto gpl = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  for (const bool with_model : {false, true}) {
    const auto model = with_model ? test::golden_model() : Model::none();
    size_t p12 = 0, p10 = 0;
    for (size_t at = 0; at < 6 * 5120 && at + 10240 <= gpl.size(); at += 5120) {
      const std::vector<uint8_t> piece(gpl.begin() + static_cast<std::ptrdiff_t>(at), gpl.begin() + static_cast<std::ptrdiff_t>(at + 10240));
      Options o;
      o.force_model = true;
      o.byte_profile = mix::kProfileText12;  // without a model the default is 14 since 0.21
      p12 += compress(piece.data(), piece.size(), *model, o).size();
      o.byte_profile = mix::kProfileText10;
      p10 += compress(piece.data(), piece.size(), *model, o).size();
    }
    EXPECT_LT(static_cast<double>(p12), 0.998 * static_cast<double>(p10)) << "model " << with_model << ": " << p12 << " vs " << p10;
  }
}

}  // namespace
}  // namespace mbz
