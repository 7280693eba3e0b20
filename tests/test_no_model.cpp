// Model::none(): frames coded by the context mixer alone (mbz -m none, level 1).
#include <gtest/gtest.h>

#include "container/format.hpp"
#include "mbz/mbz.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

// A resolver that fails the test if a frame without a model asks for one.
ModelResolver no_resolver() {
  return [](const std::string& name, const std::string&) -> std::shared_ptr<const Model> {
    ADD_FAILURE() << "a frame without a model asked for model '" << name << "'";
    return nullptr;
  };
}

Options small_segments(int threads) {
  Options o;
  o.segment_size = 1024;
  o.threads = threads;
  return o;
}

TEST(NoModel, Identity) {
  const auto m = Model::none();
  EXPECT_TRUE(m->is_none());
  EXPECT_FALSE(test::golden_model()->is_none());
  EXPECT_EQ(m->name(), "none");
  EXPECT_EQ(m->sha256_hex(), std::string(64, '0'));
  EXPECT_EQ(m->parameter_count(), 0u);
  EXPECT_EQ(m->file_size(), 0u);
  EXPECT_EQ(m->path(), "");
}

TEST(NoModel, HeaderRecordsNoneAndAZeroHash) {
  const auto data = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  const auto packed = compress(data.data(), data.size(), *Model::none(), small_segments(1));
  FrameHeader h;
  ASSERT_GT(parse_header(packed.data(), packed.size(), h, ""), 0u);
  EXPECT_EQ(h.model_name, "none");
  EXPECT_EQ(h.model_sha, Sha256{});
}

// Every adapter's payload (profiles 1, 3 and 4), across segment boundaries,
// with one and two threads: the same bytes, decoded without any model.
TEST(NoModel, RoundTripsEveryProfileWithoutAModelFile) {
  for (const char* f : {"tests/golden/gpl3-4k.txt", "tests/golden/photo-32x24.ppm", "tests/golden/speech-0.5s.wav",
                        "tests/golden/music-0.1s-stereo.wav", "tests/golden/mixed.bin"}) {
    const auto data = test::read_file(test::data_path(f));
    const auto one = compress(data.data(), data.size(), *Model::none(), small_segments(1));
    const auto two = compress(data.data(), data.size(), *Model::none(), small_segments(2));
    EXPECT_EQ(one, two) << f;
    Decompressor d(no_resolver(), small_segments(2));
    std::vector<uint8_t> out;
    d.write(one.data(), one.size(), out);
    d.finish(out);
    EXPECT_EQ(out, data) << f;
    EXPECT_EQ(d.stats().segments_model, d.stats().segments_mixed) << f;  // never the plain model
  }
}

TEST(NoModel, TextIsMixedAndSmallerThanZstd) {
  const auto data = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  Options o;
  Compressor c(*Model::none(), o);
  std::vector<uint8_t> packed;
  c.write(data.data(), data.size(), packed);
  c.finish(packed);
  EXPECT_EQ(c.stats().segments_mixed, 1u);
  EXPECT_LT(packed.size() * 100, data.size() * 30);  // below 2.4 bits a byte (zstd -19: ~2.9)
}

TEST(NoModel, WithoutTheMixerOnlyZstdOrStored) {
  const auto data = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  Options o = small_segments(1);
  o.mix = false;
  Compressor c(*Model::none(), o);
  std::vector<uint8_t> packed;
  c.write(data.data(), data.size(), packed);
  c.finish(packed);
  EXPECT_EQ(c.stats().segments_model, 0u);
  EXPECT_EQ(decompress(packed.data(), packed.size(), no_resolver(), o), data);
  EXPECT_THROW(evaluate(data.data(), data.size(), *Model::none(), o), Error);  // nothing to evaluate
}

TEST(NoModel, EvaluateIsWhatTheCoderCodes) {
  const auto data = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  Options o = small_segments(1);
  o.force_model = true;
  Compressor c(*Model::none(), o);
  std::vector<uint8_t> packed;
  c.write(data.data(), data.size(), packed);
  c.finish(packed);
  EXPECT_NEAR(evaluate(data.data(), data.size(), *Model::none(), o), c.stats().model_ideal_bits, 0.01);  // evaluate sums per-byte floats
}

// A frame that names no model cannot hold a segment only a model decodes.
TEST(NoModel, PlainModelSegmentInANoneFrameIsCorrupt) {
  const auto data = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  Options o = small_segments(1);
  o.mix = false;
  o.force_model = true;
  auto packed = compress(data.data(), data.size(), *test::golden_model(), o);
  // Rewrite the header to name model none (zero hash), with a valid header check.
  FrameHeader h;
  const size_t n = parse_header(packed.data(), packed.size(), h, "");
  ASSERT_GT(n, 0u);
  h.model_name = "none";
  h.model_sha = Sha256{};
  auto header = encode_header(h);
  header.insert(header.end(), packed.begin() + static_cast<std::ptrdiff_t>(n), packed.end());
  try {
    decompress(header.data(), header.size(), no_resolver(), o);
    FAIL() << "decoded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::corrupt) << e.what();
  }
}

// A real model that happens to be called "none" is still looked up by hash.
TEST(NoModel, OnlyTheZeroHashMeansNoModel) {
  const auto data = test::read_file(test::data_path("tests/golden/gpl3-4k.txt"));
  Options o = small_segments(1);
  const auto packed = compress(data.data(), data.size(), *test::golden_model(), o);
  FrameHeader h;
  const size_t n = parse_header(packed.data(), packed.size(), h, "");
  h.model_name = "none";
  auto renamed = encode_header(h);
  renamed.insert(renamed.end(), packed.begin() + static_cast<std::ptrdiff_t>(n), packed.end());
  EXPECT_EQ(decompress(renamed.data(), renamed.size(), test::only(test::golden_model()), o), data);
}

}  // namespace
}  // namespace mbz
