// Mixer profile 7's own blocks (src/mix/blocks/text_structure, long_match),
// its 62-input dot product, and round trips of the kinds of text it is for:
// the golden files (test_golden_variants.cpp) pin its probabilities on one
// text; these check the parts and the inputs those do not reach (deep
// nesting, long lines, tables, long repeats, binary bytes, tiny segments).
#include <gtest/gtest.h>

#include <string>

#include "mbz/mbz.hpp"
#include "mix/blocks/long_match.hpp"
#include "mix/blocks/text_structure.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profile_units.hpp"
#include "mix/profiles/profile7_text.hpp"
#include "byte_profile_round_trip.hpp"
#include "mixer_dot_check.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

mix::TextStructure p7_structure_after(const std::string& text) {
  mix::TextStructure s;
  for (char c : text) s.update(static_cast<uint8_t>(c));
  return s;
}

TEST(Profile7Blocks, TextStructureFollowsNestingAndLines) {
  // Inside f(a[{ : three openers, innermost lowest; a quote left open.
  mix::TextStructure s = p7_structure_after("x = f(a[{\"b");
  EXPECT_EQ(s.depth, 3u);
  EXPECT_EQ(s.openers, (1u << 4) | (2u << 2) | 3u);
  EXPECT_EQ(s.quote, 1u);
  EXPECT_EQ(s.head, 0x10000u | 'x' << 8 | ' ');
  EXPECT_EQ(s.column, 11u);
  EXPECT_EQ(s.field, 1u);  // '='
  EXPECT_EQ(s.separator, uint32_t{'='});
  // A new line: the head moves to prev_head; the indent is counted and
  // left out of the head; closers pop; the quote ends with the line.
  s = p7_structure_after("x = f(a[{\"b\n  \t}];");
  EXPECT_EQ(s.depth, 1u);
  EXPECT_EQ(s.openers, 1u);
  EXPECT_EQ(s.quote, 0u);
  EXPECT_EQ(s.prev_head, 0x10000u | 'x' << 8 | ' ');
  EXPECT_EQ(s.indent, 3u);
  EXPECT_FALSE(s.in_indent);
  EXPECT_EQ(s.head, 0x10000u | '}' << 8 | ']');
  EXPECT_EQ(s.column, 6u);
  EXPECT_EQ(s.field, 2u);  // the tab of the indent, then ';'
  EXPECT_EQ(s.separator, uint32_t{';'});
  // A closer with nothing open is ignored; one byte makes a one-byte head.
  s = p7_structure_after("a\n)");
  EXPECT_EQ(s.depth, 0u);
  EXPECT_EQ(s.head, 0x100u | ')');
  // Twenty openers keep the innermost sixteen; closing past them brings 0s.
  s = p7_structure_after(std::string(4, '(') + std::string(16, '{') + std::string(17, '}'));
  EXPECT_EQ(s.depth, 3u);
  EXPECT_EQ(s.openers, 0u);
}

TEST(Profile7Blocks, MixerDotIsExactAtSixtyTwoInputs) {
  // The 32-bit halves of mixer_dot equal the 64-bit sum for 62 inputs.
  static_assert(mix::Profile7Text::kInputs == 62);
  test::expect_mixer_dot_exact(mix::Profile7Text::kInputs);
}

TEST(Profile7Blocks, LongMatchPredictsRepeatsOfTwelveBytes) {
  int32_t x[mix::LongMatch::kInputs];
  auto fed = [](mix::LongMatch& m, std::vector<uint8_t>& history, const std::string& s) {
    for (char c : s) history.push_back(static_cast<uint8_t>(c)), m.end_byte(history);
  };
  {  // An 11-byte repeat is not enough.
    mix::LongMatch m(1u << 16);
    std::vector<uint8_t> history;
    fed(m, history, "0123456789a|0123456789a");
    m.predict(history, 1, 0, x);
    EXPECT_EQ(x[0], 0);
    EXPECT_EQ(x[1], 0);
  }
  // A 12-byte one predicts what followed it ('Q' = 0101 0001: first bit 0).
  mix::LongMatch m(1u << 16);
  std::vector<uint8_t> history;
  fed(m, history, "abcdefghijklQ-abcdefghijkl");
  m.predict(history, 1, 0, x);
  EXPECT_EQ(x[1], -12 * 32);
  m.update(0);
  m.predict(history, 0b10, 1, x);  // second bit 1
  EXPECT_EQ(x[1], 12 * 32);
  // A partial byte that has left the predicted byte gets no input.
  m.predict(history, 0b11, 1, x);
  EXPECT_EQ(x[0], 0);
  EXPECT_EQ(x[1], 0);
}

TEST(Profile7Blocks, LongMatchVerifiesAtMostItsCapAndFollowsOn) {
  // C + "a1" + C + "b" + C + "a1": the third C follows the second, breaks
  // at 'a', and the 12 bytes ending in 'a' find the first "C a", which
  // agrees 3001 bytes back. The verification stops at kVerifyLen (so input
  // made to break and re-find a long repeat at every byte costs at most
  // that a byte, not 65535), and the repeat grows by being followed.
  const auto c = test::seeded_bytes(3000, 17);
  std::vector<uint8_t> text;
  for (const char* tail : {"a1", "b", "a1"}) {
    text.insert(text.end(), c.begin(), c.end());
    text.insert(text.end(), tail, tail + std::char_traits<char>::length(tail));
  }
  mix::LongMatch m(1u << 20);  // room enough that no slot is taken by another 12 bytes
  std::vector<uint8_t> history;
  history.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    history.push_back(text[i]);
    m.end_byte(history);
    if (i == 2 * c.size() + 2 + 1 + c.size() - 1) EXPECT_EQ(m.length(), c.size()) << "the third C follows the second";
    if (i == text.size() - 2) EXPECT_EQ(m.length(), mix::LongMatch::kVerifyLen) << "re-found at 'a', verified to the cap";
  }
  EXPECT_EQ(m.length(), mix::LongMatch::kVerifyLen + 1) << "then followed";
}

// Code with nesting deeper than the openers kept, long lines and indents.
std::string p7_code_text() {
  std::string out;
  for (int f = 0; f < 40; ++f) {
    out += "int f" + std::to_string(f) + "(int a, int b) {\n";
    for (int d = 1; d < 22; ++d) out += std::string(2 * static_cast<size_t>(d), ' ') + "if (a[" + std::to_string(d) + "] > b) {\n";
    out += std::string(44, ' ') + "return g(\"x(\", a, b, " + std::to_string(f * 7) + ");\n";
    for (int d = 21; d >= 1; --d) out += std::string(2 * static_cast<size_t>(d), ' ') + "}\n";
    out += "}\n";
  }
  return out;
}

TEST(Profile7, TextOfEveryKindRoundTrips) {
  const auto prose = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  const auto c_source = test::read_file(test::data_path("samples/zstd_streaming_compression.c"));
  test::expect_byte_profile_round_trip(mix::kProfileText7, std::vector<uint8_t>(prose.begin(), prose.begin() + 12000), 4096, "prose");
  test::expect_byte_profile_round_trip(mix::kProfileText7, c_source, 1 << 20, "C source");
  test::expect_byte_profile_round_trip(mix::kProfileText7, test::bytes_of(p7_code_text()), 8192, "deep code");
  test::expect_byte_profile_round_trip(mix::kProfileText7, test::bytes_of(test::table_text(7)), 1 << 20, "table");
  test::expect_byte_profile_round_trip(mix::kProfileText7, test::seeded_bytes(3000, 7), 1024, "random bytes");
  test::expect_byte_profile_round_trip(mix::kProfileText7, test::bytes_of("x"), 1024, "one byte");
  test::expect_byte_profile_round_trip(mix::kProfileText7, {}, 1024, "empty");
}

TEST(Profile7, CodesStructuredTextSmallerThanProfile5) {
  if (test::under_sanitizer()) GTEST_SKIP() << "a ratio, measured in the release tree";
  // What the profile is for: nested code and tables, without a model.
  for (const std::string& text : {p7_code_text(), test::table_text(7)}) {
    const auto data = test::bytes_of(text);
    double bits5 = 0, bits7 = 0;
    mix::mixed_encode(data.data(), data.size(), nullptr, mix::kProfileText5, mix::SampleShape{}, &bits5);
    mix::mixed_encode(data.data(), data.size(), nullptr, mix::kProfileText7, mix::SampleShape{}, &bits7);
    EXPECT_LT(bits7, bits5 * 0.99) << text.substr(0, 20);
  }
}

TEST(Profile7, UnitSetUpAheadDecodesAsItsOwn) {
  // Profile 7's tables are sized as profile 5's: a unit set up for another
  // small segment is taken and gives every decision the same probability.
  const auto data = test::bytes_of(p7_code_text().substr(0, 5000));
  const auto coded = mix::mixed_encode(data.data(), data.size(), nullptr, mix::kProfileText7, mix::SampleShape{}, nullptr);
  auto decode = [&](mix::UnitAhead* ahead, mix::ProbabilityTrace& trace) {
    mix::MixedDecoder dec(coded.data(), coded.size(), data.size(), &trace, ahead);
    std::vector<uint8_t> out(data.size());
    for (auto& b : out) b = dec.decode(nullptr);
    return out;
  };
  mix::ProbabilityTrace own, ahead_trace, other_trace;
  ASSERT_EQ(decode(nullptr, own), data);
  EXPECT_TRUE(mix::same_start(mix::kProfileText7, 1, 32768));
  EXPECT_FALSE(mix::same_start(mix::kProfileText7, 32768, 32769));
  mix::UnitAhead ahead(mix::kProfileText7, 32768);
  EXPECT_EQ(decode(&ahead, ahead_trace), data);
  EXPECT_FALSE(ahead.held());
  EXPECT_EQ(ahead_trace.p, own.p);
  // A profile 5 unit is not taken for a profile 7 segment.
  mix::UnitAhead other(mix::kProfileText5, data.size());
  EXPECT_EQ(decode(&other, other_trace), data);
  EXPECT_TRUE(other.held());
}

}  // namespace
}  // namespace mbz
