// Committed .mbz files that must decode, byte for byte, with every later version.
// tests/golden/README.md says how they were made; they are never regenerated.
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace mbz {
namespace {

void expect_decodes_to(const std::string& mbz, const std::string& original) {
  const auto packed = test::read_file(test::data_path(mbz));
  const auto expected = test::read_file(test::data_path(original));
  ASSERT_FALSE(packed.empty()) << mbz;
  Options o;
  EXPECT_EQ(decompress(packed.data(), packed.size(), test::only(test::golden_model()), o), expected) << mbz;
}

TEST(GoldenFiles, ModelCodedV1) { expect_decodes_to("tests/golden/v1-model-gpl3-4k.mbz", "tests/golden/gpl3-4k.txt"); }
TEST(GoldenFiles, MixedMethodsV1) { expect_decodes_to("tests/golden/v1-mixed.mbz", "tests/golden/mixed.bin"); }
TEST(GoldenFiles, PcmAdapterV1) { expect_decodes_to("tests/golden/v1-pcm-speech.mbz", "tests/golden/speech-0.5s.wav"); }
TEST(GoldenFiles, ImageAdapterV1) { expect_decodes_to("tests/golden/v1-image-photo.mbz", "tests/golden/photo-32x24.ppm"); }
TEST(GoldenFiles, EmptyV1) { expect_decodes_to("tests/golden/v1-empty.mbz", "tests/golden/empty.bin"); }

TEST(GoldenFiles, MixerV1) { expect_decodes_to("tests/golden/v1-mixer-gpl3-4k.mbz", "tests/golden/gpl3-4k.txt"); }

TEST(GoldenFiles, MixerSampledV1) {
  expect_decodes_to("tests/golden/v1-mixer-image-photo.mbz", "tests/golden/photo-32x24.ppm");
}

TEST(GoldenFiles, MixerSampledEncoderStillProducesTheSameBytes) {
  const auto original = test::read_file(test::data_path("tests/golden/photo-32x24.ppm"));
  Options o;
  o.segment_size = 1024;
  o.force_model = true;
  EXPECT_EQ(compress(original.data(), original.size(), *test::golden_model(), o),
            test::read_file(test::data_path("tests/golden/v1-mixer-image-photo.mbz")));
}

TEST(GoldenFiles, MixerEncoderStillProducesTheSameBytes) {
  const auto original = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  Options o;
  o.segment_size = 1024;
  o.force_model = true;
  EXPECT_EQ(compress(original.data(), original.size(), *test::golden_model(), o),
            test::read_file(test::data_path("tests/golden/v1-mixer-gpl3-4k.mbz")));
}

TEST(GoldenFiles, EncoderStillProducesTheSameBytes) {
  // Not a format requirement (decoding is), but a change here means the
  // engine's integers changed, which old files could not survive.
  const auto original = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  Options o;
  o.segment_size = 1024;
  o.force_model = true;
  o.mix = false;  // the plain model's coding; the mixer has its own golden file
  EXPECT_EQ(compress(original.data(), original.size(), *test::golden_model(), o),
            test::read_file(test::data_path("tests/golden/v1-model-gpl3-4k.mbz")));
}

}  // namespace
}  // namespace mbz
