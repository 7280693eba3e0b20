// Committed .mbz files that must decode, byte for byte, with every later version.
// tests/golden/README.md says how they were made; they are never regenerated.
#include <gtest/gtest.h>

#include "mix/mixed_coding.hpp"
#include "same_frame.hpp"
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
TEST(GoldenFiles, MixerNumericImageV1) {
  expect_decodes_to("tests/golden/v1-mixer-numeric-photo.mbz", "tests/golden/photo-32x24.ppm");
}
TEST(GoldenFiles, MixerNumericPcmV1) {
  expect_decodes_to("tests/golden/v1-mixer-numeric-speech.mbz", "tests/golden/speech-0.5s.wav");
}
TEST(GoldenFiles, MixerSignalPcmV1) {
  expect_decodes_to("tests/golden/v1-mixer-signal-speech.mbz", "tests/golden/speech-0.5s.wav");
  expect_decodes_to("tests/golden/v1-mixer-signal-music-stereo.mbz", "tests/golden/music-0.1s-stereo.wav");
}

// Not a format requirement (decoding is), but a change here means the
// engine's or the mixer's integers changed, which old files could not survive.
// features: what the encoder declares today (the profile's bit, or 0 without the mixer).
// Bytes were coded with profile 1 until mbz 0.9, which still writes it with
// byte_profile 1; profile 5's files name their segment size. Images of MED
// residuals were coded with profile 3 until mbz 0.10, which still writes it
// with image_profile 3.
void expect_encodes_to(const std::string& original, const std::string& mbz, bool mix, uint16_t features,
                       const std::shared_ptr<const Model>& model = test::golden_model(), int byte_profile = 1,
                       uint32_t segment_size = 1024) {
  const auto data = test::read_file(test::data_path(original));
  Options o;
  o.segment_size = segment_size;
  o.force_model = true;
  o.mix = mix;
  o.byte_profile = byte_profile;
  o.image_profile = mix::kProfileNumeric;
  o.audio_profile = mix::kProfileSignal;  // every file here is older than profile 8
  test::expect_same_frame(compress(data.data(), data.size(), *model, o), test::read_file(test::data_path(mbz)), features, mbz);
}
constexpr uint16_t kBytes = 1, kNumeric = 4, kSignal = 8, kBytes5 = 16;  // the features of profiles 1, 3, 4 and 5

// The context mixer alone (model none, mbz 0.7.0): profiles 1, 3 and 4.
TEST(GoldenFiles, NoModelV1) {
  expect_decodes_to("tests/golden/v1-none-gpl3-4k.mbz", "tests/golden/gpl3-4k.txt");
  expect_decodes_to("tests/golden/v1-none-numeric-photo.mbz", "tests/golden/photo-32x24.ppm");
  expect_decodes_to("tests/golden/v1-none-signal-speech.mbz", "tests/golden/speech-0.5s.wav");
}
TEST(GoldenFiles, NoModelEncoderStillProducesTheSameBytes) {
  expect_encodes_to("tests/golden/gpl3-4k.txt", "tests/golden/v1-none-gpl3-4k.mbz", true, kBytes, Model::none());
  expect_encodes_to("tests/golden/photo-32x24.ppm", "tests/golden/v1-none-numeric-photo.mbz", true, kNumeric, Model::none());
  expect_encodes_to("tests/golden/speech-0.5s.wav", "tests/golden/v1-none-signal-speech.mbz", true, kSignal, Model::none());
}

TEST(GoldenFiles, EncoderStillProducesTheSameBytes) {
  expect_encodes_to("tests/golden/gpl3-4k.txt", "tests/golden/v1-model-gpl3-4k.mbz", false, 0);  // the model alone
}
TEST(GoldenFiles, MixerEncoderStillProducesTheSameBytes) {
  expect_encodes_to("tests/golden/gpl3-4k.txt", "tests/golden/v1-mixer-gpl3-4k.mbz", true, kBytes);
}
// Since mbz 0.4 the encoder codes this image with profile 3, so the profile-2
// file above is pinned by decoding only (the decoder runs the same mixer);
// since mbz 0.5 it codes delta2 audio with profile 4, so the same holds for
// the profile-3 speech file.
TEST(GoldenFiles, MixerNumericEncoderStillProducesTheSameBytes) {
  expect_encodes_to("tests/golden/photo-32x24.ppm", "tests/golden/v1-mixer-numeric-photo.mbz", true, kNumeric);
}
TEST(GoldenFiles, MixerSignalEncoderStillProducesTheSameBytes) {
  expect_encodes_to("tests/golden/speech-0.5s.wav", "tests/golden/v1-mixer-signal-speech.mbz", true, kSignal);
  expect_encodes_to("tests/golden/music-0.1s-stereo.wav", "tests/golden/v1-mixer-signal-music-stereo.mbz", true, kSignal);
}

// Format version 2 (mbz 0.8.0): the header declares the mixer profile the
// frame's segments need (profile 1 for bytes, 4 for delta2 audio), or none.
TEST(GoldenFiles, RequiredFeaturesV2) {
  expect_decodes_to("tests/golden/v2-none-gpl3-4k.mbz", "tests/golden/gpl3-4k.txt");
  expect_decodes_to("tests/golden/v2-none-signal-speech.mbz", "tests/golden/speech-0.5s.wav");
  expect_decodes_to("tests/golden/v2-model-gpl3-4k.mbz", "tests/golden/gpl3-4k.txt");
}
TEST(GoldenFiles, RequiredFeaturesEncoderStillProducesTheSameBytes) {
  expect_encodes_to("tests/golden/gpl3-4k.txt", "tests/golden/v2-none-gpl3-4k.mbz", true, kBytes, Model::none());
  expect_encodes_to("tests/golden/speech-0.5s.wav", "tests/golden/v2-none-signal-speech.mbz", true, kSignal, Model::none());
  // A frame without mixed segments is written as version 1 again (v1-model-gpl3-4k.mbz
  // above); v2-model-gpl3-4k.mbz stays a decoding check of a version-2 header declaring nothing.
}

// Mixer profile 5 (mbz 0.9.0), the default for bytes: without a model and
// with the tiny model, two 2 KiB segments each.
TEST(GoldenFiles, Profile5V2) {
  expect_decodes_to("tests/golden/v2-none-p5-gpl3-4k.mbz", "tests/golden/gpl3-4k.txt");
  expect_decodes_to("tests/golden/v2-mixer-p5-gpl3-4k.mbz", "tests/golden/gpl3-4k.txt");
}
TEST(GoldenFiles, Profile5EncoderStillProducesTheSameBytes) {
  expect_encodes_to("tests/golden/gpl3-4k.txt", "tests/golden/v2-none-p5-gpl3-4k.mbz", true, kBytes5, Model::none(), 5, 2048);
  expect_encodes_to("tests/golden/gpl3-4k.txt", "tests/golden/v2-mixer-p5-gpl3-4k.mbz", true, kBytes5, test::golden_model(), 5,
                    2048);
}

}  // namespace
}  // namespace mbz
