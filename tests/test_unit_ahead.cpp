// A mixer unit set up before its segment arrives (mix::UnitAhead) codes the
// segment exactly as the segment's own unit would, decoding and encoding,
// and is taken only where it starts alike. (The decompressor that sets one
// up while it waits, and the compressor told the input's size:
// test_streaming.cpp.)
#include <gtest/gtest.h>

#include "mix/mixed_coding.hpp"
#include "mix/profile_units.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

std::vector<uint8_t> gpl_repeated(size_t n) {
  auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  while (text.size() < n) text.insert(text.end(), text.begin(), text.end());
  text.resize(n);
  return text;
}

// Decodes a mixed segment without a model, recording every decision's P(1).
std::vector<uint8_t> decode_traced(const std::vector<uint8_t>& coded, size_t n, mix::ProbabilityTrace& trace,
                            mix::UnitAhead* ahead) {
  mix::MixedDecoder dec(coded.data(), coded.size(), n, &trace, ahead);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = dec.decode(nullptr);
  return out;
}

TEST(UnitAhead, SameStartIsTheTableSizes) {
  using mix::same_start;
  // Profile 5: every segment up to 32 KiB has the smallest nibble table
  // (4 MiB) and match table (2^16); 32 KiB + 1 needs a larger match table.
  EXPECT_TRUE(same_start(mix::kProfileText5, 1, 32768));
  EXPECT_TRUE(same_start(mix::kProfileText5, 10000, 20000));
  EXPECT_FALSE(same_start(mix::kProfileText5, 32768, 32769));
  EXPECT_FALSE(same_start(mix::kProfileText5, 10000, size_t{1} << 20));
  EXPECT_TRUE(same_start(mix::kProfileText5, (size_t{1} << 20) - 5, size_t{1} << 20));  // both 2^26 and 2^20
  // Other profiles: only the same length.
  EXPECT_TRUE(same_start(mix::kProfileGeneral, 5000, 5000));
  EXPECT_FALSE(same_start(mix::kProfileGeneral, 5000, 5001));
}

TEST(UnitAhead, APowerOfTwoStartsAsEveryLengthUpToIt) {
  // The compressor declares a short input's segment_size as its length
  // rounded up to a power of two, and a decompressor sets up its unit for
  // that: every profile that sizes its tables by the segment sizes them
  // alike for both (their sizes double at powers of two).
  for (const uint8_t p : {mix::kProfileText5, mix::kProfileText7, mix::kProfileText10, mix::kProfileText12, mix::kProfileText14})
    for (size_t n = 1; n <= (size_t{1} << 23); n = n * 3 / 2 + 1) {
      size_t pow2 = 1;
      while (pow2 < n) pow2 <<= 1;
      EXPECT_TRUE(mix::same_start(p, n, pow2)) << "profile " << int{p} << ", " << n << " bytes";
      EXPECT_TRUE(mix::same_start(p, pow2 / 2 + 1, pow2)) << "profile " << int{p} << ", " << pow2;
    }
}

TEST(UnitAhead, EncodesAsTheSegmentsOwnUnit) {
  const size_t n = 3000;
  const auto data = gpl_repeated(n);
  const auto own = mix::mixed_encode(data.data(), n, nullptr, mix::kProfileText12, mix::SampleShape{}, nullptr);
  {  // set up for the power of two above: taken, the same bytes
    mix::UnitAhead ahead(mix::kProfileText12, 4096);
    EXPECT_EQ(mix::mixed_encode(data.data(), n, nullptr, mix::kProfileText12, mix::SampleShape{}, nullptr, {}, nullptr,
                                mix::kWholeSegment, false, &ahead),
              own);
    EXPECT_FALSE(ahead.held());
  }
  {  // set up for other table sizes: left, the same bytes
    mix::UnitAhead ahead(mix::kProfileText12, 40000);
    EXPECT_EQ(mix::mixed_encode(data.data(), n, nullptr, mix::kProfileText12, mix::SampleShape{}, nullptr, {}, nullptr,
                                mix::kWholeSegment, false, &ahead),
              own);
    EXPECT_TRUE(ahead.held());
  }
}

TEST(UnitAhead, DecodesAsTheSegmentsOwnUnit) {
  const size_t n = 4000;
  const auto data = gpl_repeated(n);
  const auto coded = mix::mixed_encode(data.data(), n, nullptr, mix::kProfileText5, mix::SampleShape{}, nullptr);
  mix::ProbabilityTrace own;
  ASSERT_EQ(decode_traced(coded, n, own, nullptr), data);
  // Set up for another length of the same sizes (as a decoder guesses), and
  // for this length: taken, and every decision's probability the same.
  for (const size_t guess : {size_t{32768}, n, size_t{1}}) {
    SCOPED_TRACE("set up for " + std::to_string(guess));
    mix::UnitAhead ahead(mix::kProfileText5, guess);
    mix::ProbabilityTrace trace;
    EXPECT_EQ(decode_traced(coded, n, trace, &ahead), data);
    EXPECT_FALSE(ahead.held());
    EXPECT_EQ(trace.p, own.p);
  }
}

TEST(UnitAhead, IsLeftWhereItWouldStartOtherwise) {
  const size_t n = 2000;
  const auto data = gpl_repeated(n);
  const auto coded5 = mix::mixed_encode(data.data(), n, nullptr, mix::kProfileText5, mix::SampleShape{}, nullptr);
  const auto coded1 = mix::mixed_encode(data.data(), n, nullptr, mix::kProfileGeneral, mix::SampleShape{}, nullptr);
  mix::ProbabilityTrace t;
  {  // set up for a segment of other table sizes
    mix::UnitAhead ahead(mix::kProfileText5, 40000);
    EXPECT_EQ(decode_traced(coded5, n, t, &ahead), data);
    EXPECT_TRUE(ahead.held());
  }
  {  // for another profile
    mix::UnitAhead ahead(mix::kProfileGeneral, n);
    EXPECT_EQ(decode_traced(coded5, n, t, &ahead), data);
    EXPECT_TRUE(ahead.held());
  }
  {  // profile 1: the same length only
    mix::UnitAhead other(mix::kProfileGeneral, n + 1), same(mix::kProfileGeneral, n);
    EXPECT_EQ(decode_traced(coded1, n, t, &other), data);
    EXPECT_TRUE(other.held());
    EXPECT_EQ(decode_traced(coded1, n, t, &same), data);
    EXPECT_FALSE(same.held());
  }
  // Only byte profiles are set up ahead.
  try {
    mix::UnitAhead numeric(mix::kProfileNumeric, n);
    FAIL() << "a numeric profile's unit was set up ahead";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  }
}

}  // namespace
}  // namespace mbz
