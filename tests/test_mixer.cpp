// The context mixer: its integer logistic pair, the model's paths, mixed
// segments (round trips, costs, the golden file), and that it learns.
#include <gtest/gtest.h>

#include <cmath>

#include "common/le_bytes.hpp"
#include "container/format.hpp"
#include "mix/logistic.hpp"
#include "mix/context_hash.hpp"
#include "mix/counter.hpp"
#include "mix/mixed_coding.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

std::vector<uint8_t> gpl(size_t n) {
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  return std::vector<uint8_t>(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(n, text.size())));
}

TEST(Mixer, SquashAndStretchAreMonotoneInverses) {
  int last = 0;
  for (int x = -2047; x <= 2047; ++x) {
    const int p = mix::squash(x);
    ASSERT_GE(p, 1);
    ASSERT_LE(p, 4095);
    ASSERT_GE(p, last) << x;
    last = p;
    EXPECT_EQ(mix::squash(mix::stretch(p)), p) << x;  // stretch picks an x that squashes back to p
  }
  EXPECT_EQ(mix::squash(0), 2048);
  for (int p = 1; p < 4095; ++p) ASSERT_LE(mix::stretch(p), mix::stretch(p + 1));
  // Close to the real logistic: rounding of the knots plus linear interpolation.
  for (int x = -2047; x <= 2047; x += 13)
    EXPECT_NEAR(mix::squash(x), 4096.0 / (1.0 + std::exp(-x / 256.0)), 16.0) << x;
}

// The shared primitives at the check values docs/FORMAT.md gives ("Shared
// primitives") and that tests/spec/decode_mixed.py, written from it, computes.
TEST(Mixer, PrimitivesHaveTheirSpecifiedValues) {
  EXPECT_EQ(mix::squash(-1000), 83);
  EXPECT_EQ(mix::squash(-1), 2044);
  EXPECT_EQ(mix::squash(1000), 4013);
  EXPECT_EQ(mix::stretch(1), -2047);
  EXPECT_EQ(mix::stretch(2), -1984);
  EXPECT_EQ(mix::stretch(1000), -292);
  EXPECT_EQ(mix::stretch(2048), 0);
  EXPECT_EQ(mix::stretch(2049), 1);
  EXPECT_EQ(mix::stretch(4095), 1984);
  const auto& rate = mix::counter_rates();
  EXPECT_EQ(rate[0], 43690);
  EXPECT_EQ(rate[1], 26214);
  EXPECT_EQ(rate[2], 18724);
  EXPECT_EQ(rate[7], 7710);
  EXPECT_EQ(rate[30], 2080);
  EXPECT_EQ(mix::mix32(0), 0u);
  EXPECT_EQ(mix::mix32(1), 0x688990c0u);
  EXPECT_EQ(mix::mix32(0xdeadbeef), 0xe628c683u);
  EXPECT_EQ(mix::hash2(1, 2), 0xa1f4b569u);
  EXPECT_EQ(mix::hash2(0x12345678, 11), 0x8f8eae9du);
}

// Packing keeps every count a model's tables can give (totals 1..2^16,
// ones below the total) and refuses the rest.
TEST(Mixer, PackedCountsKeepEveryModelCount) {
  for (const mix::NodeCounts n : {mix::NodeCounts{0, 1}, mix::NodeCounts{1, 2}, mix::NodeCounts{65535, 65536},
                                  mix::NodeCounts{0, 65536}, mix::NodeCounts{300, 301}, mix::kNoModel}) {
    const mix::NodeCounts back = mix::unpack(mix::pack(n));
    EXPECT_EQ(back.ones, n.ones);
    EXPECT_EQ(back.total, n.total);
  }
  for (const mix::NodeCounts n : {mix::NodeCounts{0, 0}, mix::NodeCounts{5, 5}, mix::NodeCounts{0, 65537}, mix::NodeCounts{7, 3}})
    EXPECT_THROW(mix::pack(n), Error) << n.ones << "/" << n.total;
}

TEST(Mixer, PathsAreTheEnginesTables) {
  const auto data = gpl(700);
  const Engine& e = test::golden_engine();
  const auto tables = e.frequency_tables({data.data(), data.size()});
  const auto paths = e.evaluate_paths({{data.data(), data.size()}});
  ASSERT_EQ(paths[0].size(), data.size() * 8);
  for (size_t i = 0; i < data.size(); ++i) {
    std::vector<uint32_t> cum(257, 0);
    for (int s = 0; s < 256; ++s) cum[s + 1] = cum[s] + tables[i * 256 + s];
    mix::NodeCounts want[8];
    mix::path_counts(cum.data(), data[i], want);
    for (int d = 0; d < 8; ++d) {
      ASSERT_EQ(mix::unpack(paths[0][i * 8 + d]).ones, want[d].ones) << i << "/" << d;
      ASSERT_EQ(mix::unpack(paths[0][i * 8 + d]).total, want[d].total) << i << "/" << d;
      ASSERT_GT(want[d].ones, 0u);
      ASSERT_LT(want[d].ones, want[d].total);  // every symbol has frequency >= 1
    }
  }
}

// Both byte profiles (1, and 5 since mbz 0.9.0).
TEST(Mixer, EncodeThenDecodeAgainstStepTables) {
  const auto data = gpl(3000);
  const Engine& e = test::golden_engine();
  const auto paths = e.evaluate_paths({{data.data(), data.size()}});
  for (const uint8_t profile : {mix::kProfileGeneral, mix::kProfileText5}) {
    SCOPED_TRACE("profile " + std::to_string(profile));
    double ideal = 0;
    const auto coded = mix::mixed_encode(data.data(), data.size(), paths[0].data(), profile, mix::SampleShape{}, &ideal);
    ASSERT_EQ(coded[0], profile);
    // The coder stays within 1% (plus its flush) of the ideal length.
    EXPECT_LE(8.0 * static_cast<double>(coded.size()), ideal * 1.01 + 8 * 8);
    const auto costs = mix::mixed_costs(data.data(), data.size(), paths[0].data(), profile, mix::SampleShape{});
    double sum = 0;
    for (float c : costs) sum += c;
    EXPECT_NEAR(sum, ideal, 1e-3 * ideal);

    mix::MixedDecoder dec(coded.data(), coded.size(), data.size());
    StepDecoder step(e, 1);
    for (size_t i = 0; i < data.size(); ++i) {
      const uint8_t b = dec.decode(step.tables().data());
      ASSERT_EQ(b, data[i]) << "at " << i;
      step.push(&b);
    }
  }
}

// Profile 5 learns a text better than profile 1 (its reason to exist): on a
// real text without a model, clearly fewer bits.
TEST(Mixer, Profile5CodesTextSmallerThanProfile1) {
  if (test::under_sanitizer()) GTEST_SKIP() << "a ratio, measured in the release tree";
  const auto data = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  double bits[2] = {0, 0};
  int k = 0;
  for (const uint8_t profile : {mix::kProfileGeneral, mix::kProfileText5})
    mix::mixed_encode(data.data(), data.size(), nullptr, profile, mix::SampleShape{}, &bits[k++]);
  EXPECT_LT(bits[1], 0.97 * bits[0]) << bits[1] / data.size() << " vs " << bits[0] / data.size() << " bits a byte";
}

TEST(Mixer, LearnsRepeatsBeyondTheModelsWindow) {
  // A string seen once is nearly free the second time: the match model and
  // the counters learn it, the static model cannot (it is past its window;
  // the golden model is random, so the mixer must also learn to ignore it).
  auto data = test::seeded_bytes(6000, 7);
  const auto copy = data;
  data.insert(data.end(), copy.begin(), copy.end());
  Options plain;
  plain.mix = false;
  plain.segment_size = 1 << 16;
  const double model_bits = evaluate(data.data(), data.size(), *test::golden_model(), plain);
  Options mixed = plain;
  mixed.mix = true;
  const auto costs = evaluate_costs(data.data(), data.size(), *test::golden_model(), mixed);
  double first = 0, second = 0;
  for (size_t i = 0; i < costs.size(); ++i) (i < copy.size() ? first : second) += costs[i];
  EXPECT_GT(first / copy.size(), 7.5);   // random bytes: no gain the first time
  EXPECT_LT(second / copy.size(), 1.0);  // the repeat: under a bit a byte
  EXPECT_LT(first + second, 0.6 * model_bits);
}

TEST(Mixer, CompressorPicksMixedAndRoundTrips) {
  const auto data = gpl(20000);
  Options o;
  o.segment_size = 8192;
  o.threads = 2;
  o.device = "cpu";
  const auto m = test::golden_model();
  const auto packed = compress(data.data(), data.size(), *m, o);
  EXPECT_EQ(decompress(packed.data(), packed.size(), test::only(m), o), data);
  std::string s(packed.begin(), packed.end());
  std::istringstream in(s);
  const FrameInfo info = inspect_stream(in);
  EXPECT_EQ(info.segments_mixed, info.segments_model);
  EXPECT_GT(info.segments_mixed, 0u);
  // Never larger than the model alone.
  o.mix = false;
  EXPECT_LE(packed.size(), compress(data.data(), data.size(), *m, o).size());
}

TEST(Mixer, UnknownProfileAndDamageAreErrors) {
  const auto data = gpl(2000);
  Options o;
  o.segment_size = 4096;
  o.force_model = true;
  const auto m = test::golden_model();
  auto packed = compress(data.data(), data.size(), *m, o);
  // The segment's coded bytes follow its block header; the first is the profile.
  FrameHeader h;
  const size_t at = parse_header(packed.data(), packed.size(), h, "") + kBlockHeaderSize;
  ASSERT_EQ(packed[at - kBlockHeaderSize], static_cast<uint8_t>(Method::mixed));
  ASSERT_EQ(packed[at], mix::kProfileText12);
  // An unknown profile: damage in a version-2 frame, whose header declares
  // profile 12 only; in a version-1 frame (no declaration), a newer format.
  auto bad = packed;
  bad[at] = 15;  // the first profile no mbz knows (13 and 14: mbz 0.21)
  try {
    decompress(bad.data(), bad.size(), test::only(m), o);
    FAIL() << "unknown profile accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::corrupt);
  }
  h.version = 1;
  h.features = 0;
  auto v1 = encode_header(h);
  v1.insert(v1.end(), bad.begin() + static_cast<std::ptrdiff_t>(at - kBlockHeaderSize), bad.end());
  try {
    decompress(v1.data(), v1.size(), test::only(m), o);
    FAIL() << "unknown profile accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported_version);
  }
  // at + 1 is the coder's first byte, always 0 and never read (FORMAT.md).
  for (size_t k = at + 2; k < at + 40; k += 3) {
    bad = packed;
    bad[k] ^= 0x5A;
    try {
      decompress(bad.data(), bad.size(), test::only(m), o);
      FAIL() << "damage at " << k << " not detected";
    } catch (const Error& e) {
      // The segment's checksum, or the damaged stream needing bytes past its end.
      EXPECT_TRUE(e.code() == ErrorCode::checksum_mismatch || e.code() == ErrorCode::corrupt) << k << ": " << e.what();
    }
  }
}

TEST(Mixer, SampledDataUsesItsShapeAndBadShapesAreErrors) {
  // An image's segments carry their sample shape: 3 bytes a pixel, 96 a row.
  const auto ppm = test::read_file(test::data_path("tests/golden/photo-32x24.ppm"));
  Options o;
  o.segment_size = 1024;
  o.force_model = true;
  o.image_profile = mix::kProfileImage6;
  const auto m = test::golden_model();
  const auto packed = compress(ppm.data(), ppm.size(), *m, o);
  EXPECT_EQ(decompress(packed.data(), packed.size(), test::only(m), o), ppm);
  FrameHeader h;
  const size_t block = parse_header(packed.data(), packed.size(), h, "");
  const size_t second = block + kBlockHeaderSize + load_u32le(packed.data() + block + 5);
  ASSERT_EQ(packed[second], static_cast<uint8_t>(Method::mixed));
  const uint8_t* shape = packed.data() + second + kBlockHeaderSize;
  ASSERT_EQ(shape[0], mix::kProfileImage6);  // MED residuals: profile 6 (shape, then value format)
  EXPECT_EQ(load_u32le(shape + 1), 3u);
  EXPECT_EQ(load_u32le(shape + 5), 96u);
  EXPECT_EQ(load_u32le(shape + 9), 1024u % 96u);  // the second segment starts 1024 bytes in
  const size_t at = static_cast<size_t>(shape - packed.data());
  for (auto [offset, value] : std::vector<std::pair<size_t, uint32_t>>{{1, 0}, {1, 5000}, {5, 100}, {9, 96}}) {
    auto bad = packed;
    for (int k = 0; k < 4; ++k) bad[at + offset + k] = static_cast<uint8_t>(value >> (8 * k));
    try {
      decompress(bad.data(), bad.size(), test::only(m), o);
      FAIL() << "shape field " << offset << " = " << value << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::corrupt) << offset;
    }
  }
  // Profile 6 is for MED residuals only: the same segment claiming profile 6
  // with the value format of plain pixels is damaged.
  auto not_med = packed;
  not_med[at + 13] = 0x01;
  EXPECT_THROW(decompress(not_med.data(), not_med.size(), test::only(m), o), Error);
  // Profile 3 stays writable (image_profile 3, levels 1-2).
  Options p3 = o;
  p3.image_profile = mix::kProfileNumeric;
  const auto packed3 = compress(ppm.data(), ppm.size(), *m, p3);
  const size_t first3 = parse_header(packed3.data(), packed3.size(), h, "");
  EXPECT_EQ(packed3[first3 + kBlockHeaderSize], mix::kProfileNumeric);
  EXPECT_EQ(decompress(packed3.data(), packed3.size(), test::only(m), o), ppm);
  // Bytes-only files never carry a shape; the mixer's shapes give different, valid codes.
  const auto plain = compress(ppm.data(), ppm.size(), *m, [&] { Options b = o; b.adapter = "bytes"; return b; }());
  EXPECT_EQ(plain[parse_header(plain.data(), plain.size(), h, "") + kBlockHeaderSize], mix::kProfileText12);
}

}  // namespace
}  // namespace mbz
