// Mixer profile 10's own blocks (src/common/zeroed_pages, src/mix/blocks/
// offset_probability_map), its sizes and its 70-input dot product, and round
// trips of the text it is for: the golden files (test_golden_variants.cpp)
// pin its probabilities on two texts; these check the parts and the inputs
// those do not reach (every size class, tables, binary bytes, tiny segments).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/zeroed_pages.hpp"
#include "mbz/mbz.hpp"
#include "mix/blocks/offset_probability_map.hpp"
#include "mix/blocks/probability_map.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profile_units.hpp"
#include "mix/profiles/profile10_text.hpp"
#include "byte_profile_round_trip.hpp"
#include "mixer_dot_check.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

TEST(Profile10Blocks, ZeroedArrayIsZeroAndWritable) {
  // calloc's sizes, and mappings (their start 2 MiB-aligned, for huge pages).
  for (const size_t n : {size_t{0}, size_t{1000}, size_t{300000}, size_t{1} << 19, size_t{5} << 20}) {
    ZeroedArray<uint16_t> a(n);
    ASSERT_EQ(a.size(), n);
    if (n == 0) continue;
    if (n * 2 >= (size_t{1} << 20)) EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % (size_t{2} << 20), 0u);
    for (size_t i = 0; i < n; i += 997) ASSERT_EQ(a[i], 0) << i;
    EXPECT_EQ(a[n - 1], 0);
    a[0] = 1, a[n - 1] = 2;
    ZeroedArray<uint16_t> b = std::move(a);
    EXPECT_EQ(b[0], 1);
    EXPECT_EQ(b[n - 1], 2);
  }
}

TEST(Profile10Blocks, OffsetProbabilityMapIsTheProbabilityMap) {
  // The same refinements and updates give the same probabilities, decision
  // by decision: at random, at the extremes of p (the first and last
  // cells), with every shift, and driven to the cells' limits (a context
  // that only ever sees 1s, then only 0s, wraps the stored difference).
  for (const uint32_t contexts : {1u << 8, 1u << 16}) {  // calloc's memory, a mapping
    mix::ProbabilityMap ref(contexts);
    mix::OffsetProbabilityMap map(contexts);
    std::mt19937 rng(10);
    for (int i = 0; i < 400000; ++i) {
      const int kind = static_cast<int>(rng() % 8);
      const int p = kind == 0 ? 1 : kind == 1 ? mix::kProbOne - 1 : 1 + static_cast<int>(rng() % (mix::kProbOne - 1));
      const uint32_t ctx = i < 100000 ? 7 : rng() % contexts;  // one context, long runs first
      const int bit = i < 50000 ? 1 : i < 100000 ? 0 : static_cast<int>(rng() & 1);
      const int shift = 1 + static_cast<int>(rng() % 7);
      ASSERT_EQ(map.refine(p, ctx), ref.refine(p, ctx)) << "decision " << i;
      map.update(bit, shift);
      ref.update(bit, shift);
    }
  }
}

TEST(Profile10Blocks, MixerDotIsExactAtSeventyInputs) {
  // The 32-bit halves of mixer_dot equal the 64-bit sum for 70 inputs.
  static_assert(mix::Profile10Text::kInputs == 70);
  test::expect_mixer_dot_exact(mix::Profile10Text::kInputs);
}

TEST(Profile10Blocks, TablesAreSizedByTheSegment) {
  // The nibble table: 256 bytes a byte, 4 MiB up to 16 KiB, 64 MiB from 256 KiB.
  EXPECT_EQ(mix::p10_nibble_table_bytes(0), size_t{4} << 20);
  EXPECT_EQ(mix::p10_nibble_table_bytes(16384), size_t{4} << 20);
  EXPECT_EQ(mix::p10_nibble_table_bytes(16385), size_t{8} << 20);
  EXPECT_EQ(mix::p10_nibble_table_bytes(65536), size_t{16} << 20);
  EXPECT_EQ(mix::p10_nibble_table_bytes(262144), size_t{64} << 20);
  EXPECT_EQ(mix::p10_nibble_table_bytes(size_t{16} << 20), size_t{64} << 20);
  // apm2's b: the smallest in 4..10 with 2^(b+8) >= n.
  EXPECT_EQ(mix::p10_order2_bits(1), 4u);
  EXPECT_EQ(mix::p10_order2_bits(4096), 4u);
  EXPECT_EQ(mix::p10_order2_bits(4097), 5u);
  EXPECT_EQ(mix::p10_order2_bits(10240), 6u);
  EXPECT_EQ(mix::p10_order2_bits(262144), 10u);
  EXPECT_EQ(mix::p10_order2_bits(size_t{16} << 20), 10u);
}

TEST(Profile10, TextOfEveryKindRoundTrips) {
  const auto prose = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  const auto c_source = test::read_file(test::data_path("samples/zstd_streaming_compression.c"));
  test::expect_byte_profile_round_trip(mix::kProfileText10, std::vector<uint8_t>(prose.begin(), prose.begin() + 12000), 4096, "prose");
  test::expect_byte_profile_round_trip(mix::kProfileText10, c_source, 1 << 20, "C source");
  test::expect_byte_profile_round_trip(mix::kProfileText10, test::bytes_of(test::table_text(10)), 1 << 20, "table");
  test::expect_byte_profile_round_trip(mix::kProfileText10, test::seeded_bytes(3000, 10), 1024, "random bytes");
  test::expect_byte_profile_round_trip(mix::kProfileText10, test::bytes_of("x"), 1024, "one byte");
  test::expect_byte_profile_round_trip(mix::kProfileText10, {}, 1024, "empty");
}

TEST(Profile10, CodesTextSmallerThanProfile7PastTheFirstSteps) {
  if (test::under_sanitizer()) GTEST_SKIP() << "a ratio, measured in the release tree";
  // What the profile is for, without a model: the whole of samples/gpl-3.0.txt
  // (35 KB: the weight sets' rate steps from 40 to 30 and 25, and the nibble
  // table is twice profile 7's) and a table. Measured: -1.6% and -1.4%.
  std::vector<std::vector<uint8_t>> texts = {test::read_file(test::data_path("samples/gpl-3.0.txt")), test::bytes_of(test::table_text(10))};
  for (const auto& data : texts) {
    double bits7 = 0, bits10 = 0;
    mix::mixed_encode(data.data(), data.size(), nullptr, mix::kProfileText7, mix::SampleShape{}, &bits7);
    mix::mixed_encode(data.data(), data.size(), nullptr, mix::kProfileText10, mix::SampleShape{}, &bits10);
    EXPECT_LT(bits10, bits7 * 0.995) << data.size() << " bytes: " << bits10 / 8 << " against " << bits7 / 8;
  }
}

TEST(Profile10, UnitSetUpAheadDecodesAsItsOwn) {
  // A unit set up for a segment with the same three sizes (nibble table,
  // match table, apm2: 2,049..4,096 bytes alike) is taken and gives every
  // decision the same probability; one for another size class is not.
  const auto prose = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  const std::vector<uint8_t> data(prose.begin(), prose.begin() + 3000);
  const auto coded = mix::mixed_encode(data.data(), data.size(), nullptr, mix::kProfileText10, mix::SampleShape{}, nullptr);
  auto decode = [&](mix::UnitAhead* ahead, mix::ProbabilityTrace& trace) {
    mix::MixedDecoder dec(coded.data(), coded.size(), data.size(), &trace, ahead);
    std::vector<uint8_t> out(data.size());
    for (auto& b : out) b = dec.decode(nullptr);
    return out;
  };
  mix::ProbabilityTrace own, ahead_trace, other_trace;
  ASSERT_EQ(decode(nullptr, own), data);
  EXPECT_TRUE(mix::same_start(mix::kProfileText10, 1, 4096));
  EXPECT_FALSE(mix::same_start(mix::kProfileText10, 4096, 4097));  // apm2's b
  EXPECT_FALSE(mix::same_start(mix::kProfileText10, 16384, 16385));  // the nibble table
  mix::UnitAhead ahead(mix::kProfileText10, 4096);
  EXPECT_EQ(decode(&ahead, ahead_trace), data);
  EXPECT_FALSE(ahead.held());
  EXPECT_EQ(ahead_trace.p, own.p);
  mix::UnitAhead other(mix::kProfileText10, 8192);
  EXPECT_EQ(decode(&other, other_trace), data);
  EXPECT_TRUE(other.held());
}

}  // namespace
}  // namespace mbz
