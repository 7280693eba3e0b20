// Range coder: exact round trips and coded size within 1% of the ideal length.
#include <gtest/gtest.h>

#include <cmath>

#include "coder/range_coder.hpp"
#include "mbz/error.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

// A skewed table that changes per position, like a model's.
void make_table(uint64_t seed, std::vector<uint32_t>& cum) {
  const auto r = test::seeded_bytes(256, seed);
  cum.assign(257, 0);
  for (int s = 0; s < 256; ++s) {
    uint32_t f = 1 + (r[s] % 4 == 0 ? r[s] * 2u : r[s] / 16u);  // total < 2^16
    cum[s + 1] = cum[s] + f;
  }
}

TEST(RangeCoder, RoundTripsChangingTables) {
  const auto data = test::seeded_bytes(20000, 3);
  std::vector<uint32_t> cum;
  RangeEncoder enc;
  for (size_t i = 0; i < data.size(); ++i) {
    make_table(i % 97, cum);
    enc.encode(cum[data[i]], cum[data[i] + 1] - cum[data[i]], cum[256]);
  }
  const auto coded = enc.finish();
  RangeDecoder dec(coded.data(), coded.size());
  for (size_t i = 0; i < data.size(); ++i) {
    make_table(i % 97, cum);
    ASSERT_EQ(dec.decode(cum.data()), data[i]) << "at byte " << i;
  }
}

TEST(RangeCoder, ExtremeTablesRoundTrip) {
  // One symbol with almost all the mass, the rest frequency 1, total 2^16.
  std::vector<uint32_t> cum(257);
  for (int s = 0; s < 256; ++s) cum[s + 1] = cum[s] + (s == 65 ? 65536 - 255 : 1);
  std::vector<uint8_t> data(5000, 65);
  data[17] = 0, data[4000] = 255, data[4999] = 66;
  RangeEncoder enc;
  for (uint8_t b : data) enc.encode(cum[b], cum[b + 1] - cum[b], cum[256]);
  const auto coded = enc.finish();
  RangeDecoder dec(coded.data(), coded.size());
  for (size_t i = 0; i < data.size(); ++i) ASSERT_EQ(dec.decode(cum.data()), data[i]);
}

TEST(RangeCoder, WithinOnePercentOfIdealOnRealText) {
  // Adaptive order-0 tables over a real text: the ideal length is what the tables say.
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  ASSERT_GT(text.size(), 10000u);
  std::vector<uint32_t> freq(256, 1);
  RangeEncoder enc;
  double ideal = 0;
  for (uint8_t b : text) {
    uint32_t cum = 0, total = 0;
    for (int s = 0; s < 256; ++s) total += freq[s];
    for (int s = 0; s < b; ++s) cum += freq[s];
    enc.encode(cum, freq[b], total);
    ideal += ideal_bits(freq[b], total);
    if (total < 60000) freq[b] += 24;
  }
  const auto coded = enc.finish();
  const double actual = 8.0 * static_cast<double>(coded.size());
  EXPECT_LT(actual, ideal * 1.01) << "actual " << actual << " ideal " << ideal;
  std::printf("[ coder ] %zu bytes: ideal %.1f bits, coded %.0f bits, overhead %.4f%%\n", text.size(), ideal, actual,
              100.0 * (actual / ideal - 1));
}

// Junk decodes to valid symbols until its bytes run out, then is corrupt:
// 64 bytes cannot carry 10,000 symbols of about 7 bits each.
TEST(RangeCoder, CorruptStreamNeverCrashes) {
  std::vector<uint32_t> cum(257);
  for (int s = 0; s < 256; ++s) cum[s + 1] = cum[s] + 1 + s;
  const auto junk = test::seeded_bytes(64, 9);
  RangeDecoder dec(junk.data(), junk.size());
  int decoded = 0;
  try {
    for (; decoded < 10000; ++decoded) {
      const int s = dec.decode(cum.data());
      ASSERT_GE(s, 0);
      ASSERT_LT(s, 256);
    }
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::corrupt);
  }
  EXPECT_GT(decoded, 40);
  EXPECT_LT(decoded, 100);
}

// A whole stream is read to its last byte and no further; one byte short,
// its last symbols cannot be decoded (the decoder once read zeros instead).
TEST(RangeCoder, StreamOneByteShortIsCorrupt) {
  for (size_t n : {0, 1, 7, 300, 5000}) {
    const auto data = test::seeded_bytes(n, 11 + n);
    std::vector<uint32_t> cum;
    RangeEncoder enc;
    for (size_t i = 0; i < n; ++i) {
      make_table(i % 31, cum);
      enc.encode(cum[data[i]], cum[data[i] + 1] - cum[data[i]], cum[256]);
    }
    const auto coded = enc.finish();
    ASSERT_GE(coded.size(), 5u);
    for (size_t cut : {size_t{0}, size_t{1}}) {
      bool threw = false;
      try {
        RangeDecoder dec(coded.data(), coded.size() - cut);
        for (size_t i = 0; i < n; ++i) {
          make_table(i % 31, cum);
          ASSERT_EQ(dec.decode(cum.data()), data[i]) << n << " symbols, at " << i;
        }
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::corrupt);
        threw = true;
      }
      EXPECT_EQ(threw, cut == 1) << n << " symbols, " << cut << " byte(s) cut";
    }
  }
}

}  // namespace
}  // namespace mbz
