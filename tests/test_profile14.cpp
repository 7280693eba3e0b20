// Mixer profile 14: profile 12's unit (frozen) started from a prior built
// without a model (src/mix/data/profile14.prior), the default for bytes
// coded without the model since 0.21. The golden file
// (test_golden_variants.cpp) pins its probabilities and the spec decoder
// reads the same prior; these check that the library carries the very file,
// that the profile is that unit with that prior, when it is written, and
// what it is for.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "container/format.hpp"
#include "mbz/mbz.hpp"
#include "mix/blocks/weight_prior.hpp"
#include "mix/data/embedded_priors.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profile_units.hpp"
#include "mix/profiles/profile12_text.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

TEST(Profile14, CarriesThePriorFile) {
  const auto file = test::read_file(test::data_path("src/mix/data/profile14.prior"));
  ASSERT_EQ(mix::kProfile14PriorSize, file.size());
  EXPECT_TRUE(std::equal(file.begin(), file.end(), mix::kProfile14Prior));
  const mix::WeightPrior& p = mix::profile14_prior();
  EXPECT_EQ(p.profile, mix::kProfileText14);
  EXPECT_EQ(p.rows(), 2318u);
  EXPECT_EQ(p.set_rows, mix::Profile12Text::set_rows());
  EXPECT_EQ(p.final_weights.size(), 256u * mix::Profile12Text::kSets);
}

// A profile-14 unit is profile 12's unit with profile 14's prior, decision
// by decision; profile 12's prior decides otherwise.
TEST(Profile14, IsProfile12sUnitWithItsOwnPrior) {
  const auto text = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  mix::ProfileUnit unit = mix::make_unit(mix::kProfileText14, text.size(), mix::SampleShape{});
  auto* p14 = std::get<std::unique_ptr<mix::Profile12Text>>(unit).get();
  mix::Profile12Text same(text.size(), mix::SampleShape{}, &mix::profile14_prior()), p12(text.size(), mix::SampleShape{});
  size_t differ = 0;
  for (uint8_t byte : text)
    for (int d = 0; d < 8; ++d) {
      const int bit = (byte >> (7 - d)) & 1;
      const int a = p14->predict(mix::kNoModel);
      ASSERT_EQ(a, same.predict(mix::kNoModel));
      differ += p12.predict(mix::kNoModel) != a;
      p14->update(bit);
      same.update(bit);
      p12.update(bit);
    }
  EXPECT_GT(differ, text.size());
}

// The byte profile by the model (Options::byte_profile 0, the default):
// 14 without one, 12 with one; a named profile is kept either way.
TEST(Profile14, WrittenWithoutTheModel) {
  const auto text = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  const auto declared = [&](const Options& o, const std::shared_ptr<const Model>& m) {
    const auto packed = compress(text.data(), text.size(), *m, o);
    EXPECT_EQ(decompress(packed.data(), packed.size(), test::only(m), Options{}), text);
    FrameHeader h;
    parse_header(packed.data(), packed.size(), h, "");
    return h.features;
  };
  Options o;
  o.force_model = true;
  o.model_prefix = 0;  // the model over every byte: no prefix bit beside the profile's
  EXPECT_EQ(o.byte_profile, 0);
  EXPECT_EQ(declared(o, Model::none()), profile_feature(mix::kProfileText14));
  EXPECT_EQ(declared(o, test::golden_model()), profile_feature(mix::kProfileText12));
  o.byte_profile = mix::kProfileText12;
  EXPECT_EQ(declared(o, Model::none()), profile_feature(mix::kProfileText12));
  o.byte_profile = mix::kProfileText14;
  EXPECT_EQ(declared(o, test::golden_model()), profile_feature(mix::kProfileText14));
}

// What it is for: small texts coded without the model (levels 3-5, -m none).
// Six 10 KB pieces of the shipped GPL (not text either prior was built
// from), each coded alone. Measured 2026-12-04: 0.9% smaller than profile
// 12 (15,139 against 15,271 bytes; held-out pieces of the text corpus: 1.0% at 10 KB,
// 0.25% at 100 KB; bench/RESULTS.md "Text — profile 14").
TEST(Profile14, SmallerThanProfile12WithoutAModel) {
  if (test::under_sanitizer()) GTEST_SKIP() << "a ratio, measured in the release tree";
  const auto gpl = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  size_t p14 = 0, p12 = 0;
  for (size_t at = 0; at < 6 * 5120 && at + 10240 <= gpl.size(); at += 5120) {
    const std::vector<uint8_t> piece(gpl.begin() + static_cast<std::ptrdiff_t>(at), gpl.begin() + static_cast<std::ptrdiff_t>(at + 10240));
    Options o;
    o.force_model = true;
    p14 += compress(piece.data(), piece.size(), *Model::none(), o).size();
    o.byte_profile = mix::kProfileText12;
    p12 += compress(piece.data(), piece.size(), *Model::none(), o).size();
  }
  EXPECT_LT(static_cast<double>(p14), 0.996 * static_cast<double>(p12)) << p14 << " vs " << p12;
}

}  // namespace
}  // namespace mbz
