// byte_profile_round_trip.hpp — what the byte profiles' tests share
// (test_profile7.cpp, test_profile10.cpp): a table to code, and the round
// trip of bytes through one byte profile with and without the tiny model.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/le_bytes.hpp"
#include "container/format.hpp"
#include "mbz/mbz.hpp"
#include "test_util.hpp"

namespace mbz::test {

inline std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// A table with separators, columns that repeat and a line far longer than
// any column the contexts keep.
inline std::string table_text(uint32_t seed) {
  std::string out = "id;name;value|note\n";
  std::mt19937 rng(seed);
  for (int r = 0; r < 300; ++r)
    out += std::to_string(r) + ";item" + std::to_string(rng() % 50) + ";" + std::to_string(rng() % 1000) + "|ok\n";
  out += std::string(5000, '-') + "\n";
  return out;
}

// The round trip through byte profile `profile` with the tiny model and
// without, at -T 2 and -T 1 (the same bytes); the header declares the
// profile and every mixed segment names it.
inline void expect_byte_profile_round_trip(uint8_t profile, const std::vector<uint8_t>& data, uint32_t segment_size,
                                           const std::string& what) {
  for (const bool with_model : {false, true}) {
    Options o;
    o.byte_profile = profile;
    o.segment_size = segment_size;
    o.force_model = true;
    o.threads = 2;
    const std::shared_ptr<const Model> model = with_model ? golden_model() : Model::none();
    const auto packed = compress(data.data(), data.size(), *model, o);
    // -T 1 == -T 2 is the release tree's to check: under a sanitizer, a
    // second coding adds time and no memory or thread check.
    o.threads = 1;
    if (!under_sanitizer())
      EXPECT_EQ(compress(data.data(), data.size(), *model, o), packed) << what << ": -T 1 differs from -T 2";
    FrameHeader h;
    size_t at = parse_header(packed.data(), packed.size(), h, "");
    const std::string where = what + (with_model ? ", tiny model" : ", no model");
    if (!data.empty()) EXPECT_EQ(h.features, profile_feature(profile)) << where;
    while (at < packed.size() && packed[at] != kEndMarker) {
      if (packed[at] == static_cast<uint8_t>(Method::mixed)) EXPECT_EQ(packed[at + kBlockHeaderSize], profile) << where;
      at += kBlockHeaderSize + load_u32le(packed.data() + at + 5);
    }
    EXPECT_EQ(decompress(packed.data(), packed.size(), only(model), Options{}), data) << where;
  }
}

}  // namespace mbz::test
