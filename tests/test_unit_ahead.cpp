// A mixer unit set up before its segment arrives (mix::UnitAhead) codes the
// segment exactly as the segment's own unit would and is taken only where it
// starts alike. (The decompressor that sets one up while it waits:
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
