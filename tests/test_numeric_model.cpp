// The mixer's numeric profiles (3, and 4 for audio of delta2 residuals): they
// read an adapter's samples as numbers. Real audio and pixels code smaller
// than with the byte contexts of profile 2, audio rebuilt into its signal
// codes smaller than its residuals alone (much smaller when the channels are
// nearly the same), segments that start mid-row or mid-sample round-trip,
// a segment's value format is checked, and a row longer than the segment
// costs memory for the segment only.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "codecs/adapter.hpp"
#include "common/le_bytes.hpp"
#include "common/med_predictor.hpp"
#include "container/format.hpp"
#include "mix/mixed_coding.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

codecs::Flattened flat(const std::string& sample) {
  const auto data = test::read_file(test::data_path(sample));
  codecs::Flattened f;
  std::string why;
  EXPECT_TRUE(codecs::flatten(data.data(), data.size(), codecs::AdapterOptions{}, f, &why)) << why;
  return f;
}

// Ideal bits of the first n payload bytes, one segment, under the shape's profile.
double mixed_bits(const codecs::Flattened& f, size_t n, uint8_t value_format) {
  n = std::min(n, f.payload.size());
  const auto paths = test::golden_engine().evaluate_paths({{f.payload.data(), n}});
  const mix::SampleShape shape = mix::shape_at(f.shape.stride, f.shape.row, 0, value_format);
  const auto costs = mix::mixed_costs(f.payload.data(), n, paths[0].data(), mix::profile_of(shape, mix::kProfileGeneral, mix::kProfileNumeric, mix::kProfileSignal), shape);
  return std::accumulate(costs.begin(), costs.end(), 0.0);
}

// The one MED the adapter and the numeric model share (FORMAT.md "Adapter
// side information"): borders, the two edge cases and the gradient.
TEST(NumericModel, MedPredictorIsPinned) {
  struct Case {
    int w, n, nw;
    bool first_row, first_col;
    int want;
  };
  const Case cases[] = {
      {9, 9, 9, true, true, 128},   // the image's first pixel: mid
      {7, 99, 3, true, false, 7},   // first row: left
      {7, 99, 3, false, true, 99},  // first column: above
      {10, 20, 25, false, false, 10}, {10, 20, 20, false, false, 10},  // nw >= max: min
      {10, 20, 5, false, false, 20},  {10, 20, 10, false, false, 20},  // nw <= min: max
      {10, 20, 12, false, false, 18}, {20, 10, 12, false, false, 18},  // between: w + n - nw
  };
  for (const Case& c : cases)
    EXPECT_EQ(med_predict<int>(c.w, c.n, c.nw, c.first_row, c.first_col, 128), c.want)
        << c.w << " " << c.n << " " << c.nw << " " << c.first_row << c.first_col;
}

TEST(NumericModel, AdaptersDescribeTheirSamplesAsNumbers) {
  EXPECT_EQ(flat("samples/speech-en-8k.wav").shape.value_format, 2 | mix::kValueSigned | mix::kValueDelta2);
  EXPECT_EQ(flat("samples/photo-life-384.ppm").shape.value_format, 1 | mix::kValueSigned | mix::kValueMed);
}

TEST(NumericModel, CodesRealAudioAndPixelsSmallerThanByteContexts) {
  if (test::under_sanitizer()) GTEST_SKIP() << "a ratio, measured in the release tree";
  // 32 KiB of each, the tiny random model underneath: what differs is the mixer's inputs.
  for (const auto& [sample, most] : std::vector<std::pair<std::string, double>>{
           {"samples/speech-en-8k.wav", 0.95}, {"samples/music-44k-stereo.wav", 0.94}, {"samples/photo-life-384.ppm", 0.97}}) {
    const codecs::Flattened f = flat(sample);
    const double bytes_only = mixed_bits(f, 32 << 10, 0), numeric = mixed_bits(f, 32 << 10, f.shape.value_format);
    EXPECT_GT(numeric, 0.5 * bytes_only) << sample;  // sanity: the costs are real
    EXPECT_LT(numeric, most * bytes_only) << sample << ": " << numeric / (32 << 10) << " vs " << bytes_only / (32 << 10)
                                          << " bpb";
  }
}

// Raw 16-bit stereo PCM whose right channel is the music sample's left one
// plus a little noise: the side of a mono recording stored as stereo.
codecs::Flattened near_mono() {
  const auto wav = test::read_file(test::data_path("samples/music-44k-stereo.wav"));
  std::vector<uint8_t> pcm;
  uint32_t noise = 12345;
  for (size_t at = 44; at + 4 <= wav.size() && pcm.size() < (64 << 10); at += 4) {
    const int left = static_cast<int16_t>(wav[at] | wav[at + 1] << 8);
    noise = noise * 1103515245u + 12345u;
    const int right = std::clamp(left + static_cast<int>((noise >> 16) % 7) - 3, -32768, 32767);
    for (int v : {left, right}) pcm.push_back(static_cast<uint8_t>(v)), pcm.push_back(static_cast<uint8_t>(v >> 8));
  }
  codecs::AdapterOptions o;
  o.raw_pcm = "44100:2:s16le";
  codecs::Flattened f;
  std::string why;
  EXPECT_TRUE(codecs::flatten(pcm.data(), pcm.size(), o, f, &why)) << why;
  return f;
}

TEST(NumericModel, AudioRebuiltIntoItsSignalCodesSmaller) {
  if (test::under_sanitizer()) GTEST_SKIP() << "a ratio, measured in the release tree";
  // Profile 4 against profile 3 on the same delta2 residuals: on 32 KiB of
  // real speech and music about the same (its extra inputs have little time
  // to be learned; on whole held-out files it is 0.3-0.9% smaller,
  // docs/ADAPTERS.md), and far better where the channels nearly agree
  // (their small difference is cheap as a signal, not as residuals).
  const uint8_t residuals_only = 2 | mix::kValueSigned;
  for (const std::string sample : {"samples/speech-en-8k.wav", "samples/music-44k-stereo.wav"}) {
    const codecs::Flattened f = flat(sample);
    const double signal = mixed_bits(f, 32 << 10, f.shape.value_format), residuals = mixed_bits(f, 32 << 10, residuals_only);
    EXPECT_LT(signal, 1.01 * residuals) << sample << ": " << signal / (32 << 10) << " vs " << residuals / (32 << 10) << " bpb";
  }
  const codecs::Flattened f = near_mono();
  ASSERT_EQ(f.shape.value_format, residuals_only | mix::kValueDelta2);
  const double signal = mixed_bits(f, 32 << 10, f.shape.value_format), residuals = mixed_bits(f, 32 << 10, residuals_only);
  EXPECT_LT(signal, 0.9 * residuals) << signal / (32 << 10) << " vs " << residuals / (32 << 10) << " bpb";
}

// Compresses with the golden model, every segment mixed, and checks the round trip.
std::vector<uint8_t> round_trip(const std::vector<uint8_t>& data, uint32_t segment_size) {
  Options o;
  o.segment_size = segment_size;
  o.audio_profile = mix::kProfileSignal;  // this file tests profiles 3 and 4 (profile 8: test_profile8.cpp)
  o.force_model = true;
  const auto m = test::golden_model();
  const auto packed = compress(data.data(), data.size(), *m, o);
  EXPECT_EQ(decompress(packed.data(), packed.size(), test::only(m), o), data);
  return packed;
}

TEST(NumericModel, SegmentsCutMidRowAndMidSampleRoundTrip) {
  // 1025-byte segments of 16-bit audio start on odd bytes (half a sample
  // before them); 1100-byte segments of a 96-byte-row RGB image start mid-row
  // and mid-pixel.
  round_trip(test::read_file(test::data_path("tests/golden/speech-0.5s.wav")), 1025);
  round_trip(test::read_file(test::data_path("tests/golden/music-0.1s-stereo.wav")), 1025);  // mid-frame too
  round_trip(test::read_file(test::data_path("tests/golden/photo-32x24.ppm")), 1100);
}

TEST(NumericModel, SegmentsCarryTheirValueFormatAndBadOnesAreErrors) {
  const auto wav = test::read_file(test::data_path("tests/golden/speech-0.5s.wav"));
  const auto packed = round_trip(wav, 1024);
  FrameHeader h;
  const size_t block = parse_header(packed.data(), packed.size(), h, "");
  ASSERT_EQ(packed[block], static_cast<uint8_t>(Method::mixed));
  const size_t at = block + kBlockHeaderSize;
  ASSERT_EQ(packed[at], mix::kProfileSignal);
  EXPECT_EQ(load_u32le(packed.data() + at + 1), 2u);  // one 16-bit channel
  EXPECT_EQ(load_u32le(packed.data() + at + 5), 0u);
  EXPECT_EQ(packed[at + 13], 2 | mix::kValueSigned | mix::kValueDelta2);
  // Profile 4: no width, 4 bytes, a reserved bit, MED residuals without
  // rows, a width that does not divide the frame, unsigned delta2, no delta2;
  // profile 3 with delta2.
  const std::vector<std::pair<uint8_t, uint8_t>> bad_formats = {
      {4, 0xA0}, {4, 0xA4}, {4, 0xAA}, {4, 0xE2}, {4, 0xA3}, {4, 0x22}, {4, 0x82}, {3, 0xA2}};
  for (const auto& [profile, bad] : bad_formats) {
    auto damaged = packed;
    damaged[at] = profile;
    damaged[at + 13] = bad;
    try {
      decompress(damaged.data(), damaged.size(), test::only(test::golden_model()), Options{});
      FAIL() << "profile " << int{profile} << ", value format " << int{bad} << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::corrupt) << int{profile} << ", " << int{bad};
    }
  }
  // A layout that keeps little-endian samples whole is no number to the
  // mixer: profile 2, as mbz 0.3 wrote.
  Options native;
  native.segment_size = 1024;
  native.force_model = true;
  native.layout = "native";
  const auto le = compress(wav.data(), wav.size(), *test::golden_model(), native);
  EXPECT_EQ(le[parse_header(le.data(), le.size(), h, "") + kBlockHeaderSize], mix::kProfileSampled);
}

// Costs of the first n payload bytes of the photo (8-bit RGB, MED
// residuals) as one segment whose shape claims the given row and phase.
std::vector<float> photo_costs(uint32_t row, uint32_t phase, size_t n) {
  const codecs::Flattened f = flat("samples/photo-life-384.ppm");
  const auto paths = test::golden_engine().evaluate_paths({{f.payload.data(), n}});
  const mix::SampleShape shape{3, row, phase, f.shape.value_format};
  return mix::mixed_costs(f.payload.data(), n, paths[0].data(), mix::profile_of(shape, mix::kProfileGeneral, mix::kProfileNumeric, mix::kProfileSignal), shape);
}

TEST(NumericModel, RowsLongerThanTheSegmentReadZerosAndAllocateForTheSegment) {
  // A row longer than the segment is looked back through only before the
  // segment's start, where every sample is 0: the history is sized by the
  // segment, and a row claiming 3 GiB codes as a row that passes the
  // segment's end by a pixel (the byte contexts read up and right), here
  // 4101 bytes for 4096. Before, the 3 GiB row sized the history (48 GiB).
  constexpr size_t n = 4096;
  constexpr uint32_t huge = 3u << 30;
  EXPECT_EQ(photo_costs(4101, 0, n), photo_costs(huge, 0, n));
  // The same far into a row (no first row or column): phases of 3 GiB and 1.5 GiB.
  EXPECT_EQ(photo_costs(huge, huge - 4101, n), photo_costs(huge / 2, huge / 2 - 4101, n));
}

TEST(NumericModel, OnePixelRowsStayInsideTheHistory) {
  // A row of one pixel (row = stride): the tap up and two pixels right is
  // one pixel ahead, which at the segment's last sample lay past the
  // history's end (a read out of bounds, which AddressSanitizer reports).
  const auto costs = photo_costs(3, 0, 999);
  ASSERT_EQ(costs.size(), 999u);
  for (float c : costs) EXPECT_TRUE(c >= 0 && c < 64);
}

}  // namespace
}  // namespace mbz
