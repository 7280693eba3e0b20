// Round trips through the public API, model-coded (forced) and automatic.
#include <gtest/gtest.h>

#include "container/format.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

Options small_segments(bool force_model, int threads = 1) {
  Options o;
  o.segment_size = 1024;  // many segments from small inputs: exercises batching and boundaries
  o.force_model = force_model;
  o.threads = threads;
  o.device = "cpu";
  return o;
}

void expect_round_trip(const std::vector<uint8_t>& data, const Options& o, const char* what) {
  auto m = test::golden_model();
  const auto packed = compress(data.data(), data.size(), *m, o);
  const auto back = decompress(packed.data(), packed.size(), test::only(m), o);
  ASSERT_EQ(back, data) << what << " (" << data.size() << " bytes)";
}

TEST(RoundTrip, SizesAroundPatchAndSegmentBoundaries) {
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  for (size_t n : {0, 1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 1023, 1024, 1025, 2047, 2048, 2049, 3000}) {
    std::vector<uint8_t> d(text.begin(), text.begin() + n);
    expect_round_trip(d, small_segments(true), "forced model (mixed)");
    Options plain = small_segments(true);
    plain.mix = false;
    expect_round_trip(d, plain, "forced model alone");
    expect_round_trip(d, small_segments(false), "automatic");
  }
}

TEST(RoundTrip, AllZerosRandomAndText) {
  expect_round_trip(std::vector<uint8_t>(5000, 0), small_segments(true), "zeros");
  expect_round_trip(test::seeded_bytes(5000, 42), small_segments(true), "random");
  expect_round_trip(test::seeded_bytes(5000, 42), small_segments(false), "random, automatic");
}

TEST(RoundTrip, ShippedSamplesLongerThanTheModelContext) {
  // gpl-3.0.txt (35 KB) in one segment: far past the tiny model's 64-byte context.
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  Options o = small_segments(true);
  o.segment_size = 65536;
  expect_round_trip(text, o, "gpl-3.0.txt");
  const auto c = test::read_file(test::data_path("samples/zstd_streaming_compression.c"));
  expect_round_trip(c, small_segments(true), "zstd_streaming_compression.c");
}

TEST(RoundTrip, OutputDoesNotDependOnThreads) {
  auto m = test::golden_model();
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  const std::vector<uint8_t> d(text.begin(), text.begin() + 9000);
  const auto one = compress(d.data(), d.size(), *m, small_segments(true, 1));
  const auto two = compress(d.data(), d.size(), *m, small_segments(true, 2));
  ASSERT_EQ(one, two);
  ASSERT_EQ(decompress(one.data(), one.size(), test::only(m), small_segments(false, 2)), d);
}

TEST(RoundTrip, NeverGrowsMoreThanTheBoundedOverhead) {
  // Incompressible data falls back to stored: header + 21 bytes a segment + 25 bytes.
  auto m = test::golden_model();
  const auto d = test::seeded_bytes(10000, 5);
  const auto packed = compress(d.data(), d.size(), *m, small_segments(false));
  const size_t header = 8 + 2 + 2 + 1 + m->name().size() + 32 + 1 + 4 + 4 + 4;
  const size_t segments = (d.size() + 1023) / 1024;
  EXPECT_LE(packed.size(), d.size() + header + kBlockHeaderSize * segments + 1 + kFooterSize);
}

TEST(RoundTrip, ConcatenatedFramesDecodeToConcatenation) {
  auto m = test::golden_model();
  const auto a = test::seeded_bytes(700, 1), b = test::seeded_bytes(1300, 2);
  auto pa = compress(a.data(), a.size(), *m, small_segments(true));
  const auto pb = compress(b.data(), b.size(), *m, small_segments(false));
  pa.insert(pa.end(), pb.begin(), pb.end());
  auto expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  ASSERT_EQ(decompress(pa.data(), pa.size(), test::only(m), small_segments(false)), expected);
}

}  // namespace
}  // namespace mbz
