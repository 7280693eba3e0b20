// The image profile by the image's size (Options::image_profile 0, levels
// 3-6): profile 11 under kSmallImageBytes of samples, where profile 9's
// fixed set-up is most of its time, and 9 from there; a profile asked for
// by number is kept at every size.
#include <gtest/gtest.h>

#include <string>

#include "container/format.hpp"
#include "container/mix_plan.hpp"
#include "eval/evaluator.hpp"
#include "mbz/mbz.hpp"
#include "mix/mixed_coding.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

TEST(SmallImages, TheProfileFollowsThePayloadSize) {
  Options o;
  EXPECT_EQ(o.image_profile, 0);  // the default: by the size
  EXPECT_EQ(image_profile_for(o, 0), mix::kProfileImage11);
  EXPECT_EQ(image_profile_for(o, kSmallImageBytes - 1), mix::kProfileImage11);
  EXPECT_EQ(image_profile_for(o, kSmallImageBytes), mix::kProfileImage13);
  EXPECT_EQ(image_profile_for(o, UINT64_MAX), mix::kProfileImage13);  // unknown
  for (int asked : {3, 6, 9, 11, 13}) {
    o.image_profile = asked;
    EXPECT_EQ(image_profile_for(o, 100), asked);
    EXPECT_EQ(image_profile_for(o, uint64_t{1} << 30), asked);
  }
}

// What a frame declares and what it decodes to, for images on either side
// of the limit: one pixel row under it, and exactly at it.
uint8_t coded_profile(const std::vector<uint8_t>& image, const Options& o) {
  const auto packed = compress(image.data(), image.size(), *Model::none(), o);
  // Decoded in the release tree; under a sanitizer the profiles' decoders
  // are the round-trip tests' and the fuzz targets' to check (a 32 KiB image
  // through profile 13 takes seconds there).
  if (!test::under_sanitizer())
    EXPECT_EQ(decompress(packed.data(), packed.size(), test::only(Model::none()), Options{}), image);
  FrameHeader hd;
  parse_header(packed.data(), packed.size(), hd, "");
  for (uint8_t p : {mix::kProfileImage6, mix::kProfileImage9, mix::kProfileImage11, mix::kProfileImage13})
    if (hd.features == profile_feature(p)) return p;
  return 0;
}

TEST(SmallImages, FramesDeclareTheProfileTheirSizeGives) {
  const int w = 128;  // grey, 8 bits: 128 bytes a row
  const int rows_at = static_cast<int>(kSmallImageBytes / w);
  ASSERT_EQ(static_cast<uint32_t>(rows_at * w), kSmallImageBytes) << "the limit is whole rows of this width";
  const auto under = test::gradient_pnm(w, rows_at - 1, 1, 8, 7);
  const auto at = test::gradient_pnm(w, rows_at, 1, 8, 7);
  Options o;
  o.force_model = true;  // the mixer, even where zstd would do
  EXPECT_EQ(coded_profile(under, o), mix::kProfileImage11);
  EXPECT_EQ(coded_profile(at, o), mix::kProfileImage13);
  o.image_profile = mix::kProfileImage9;
  EXPECT_EQ(coded_profile(under, o), mix::kProfileImage9);
  o.image_profile = mix::kProfileImage6;
  EXPECT_EQ(coded_profile(at, o), mix::kProfileImage6);
  o.image_profile = mix::kProfileImage11;
  EXPECT_EQ(coded_profile(at, o), mix::kProfileImage11);
}

// eval reports what compression writes: the profile by the size, unless one
// is asked for.
TEST(SmallImages, EvalCodesAsCompressionDoes) {
  test::Scratch folder{"mbz_small_images", true};
  const std::string path = folder.path() + "/small.ppm";
  test::write_file(path, test::gradient_pnm(48, 40, 3, 8, 5));
  const auto bits = [&](int image_profile) {
    eval::EvalSettings s;
    s.model = Model::none();
    s.opts.image_profile = image_profile;
    const eval::FileRecord r = eval::Evaluator(s).run(path, 1, {});
    EXPECT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.modality, "image");
    return r.bits;
  };
  const double by_size = bits(0), p11 = bits(mix::kProfileImage11), p9 = bits(mix::kProfileImage9);
  EXPECT_EQ(by_size, p11);
  EXPECT_NE(p11, p9);
}

}  // namespace
}  // namespace mbz
