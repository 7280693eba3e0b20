// same_frame.hpp — a frame the encoder writes today against a committed
// golden one, for the golden-file tests: the same bytes, but for the header
// fields that format version 2 added; and a frame with its header edited.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "container/format.hpp"

namespace mbz::test {

// A frame the encoder writes today against a golden one: the same bytes.
// Since mbz 0.8.0 the encoder writes version 2, declaring `features`, when a
// frame may hold mixed segments, and version 1 when it needs no feature.
// Against a golden file of the other version: the same header but for the
// version and the features, and the same bytes after it (every segment, the
// end marker, the footer).
inline void expect_same_frame(const std::vector<uint8_t>& got, const std::vector<uint8_t>& golden, uint16_t features,
                              const std::string& name) {
  FrameHeader g, w;
  const size_t g_size = parse_header(golden.data(), golden.size(), g, name);
  const size_t w_size = parse_header(got.data(), got.size(), w, "re-encoded");
  ASSERT_GT(g_size, 0u) << name;
  ASSERT_GT(w_size, 0u) << name;
  EXPECT_EQ(w.version, features ? kFrameVersion : 1) << name;
  EXPECT_EQ(w.features, features) << name;
  if (g.version == w.version) {
    EXPECT_EQ(got, golden) << name;
    return;
  }
  w.version = g.version;
  w.features = g.features;
  EXPECT_EQ(encode_header(w), std::vector<uint8_t>(golden.begin(), golden.begin() + static_cast<std::ptrdiff_t>(g_size)))
      << name << ": header";
  EXPECT_EQ(std::vector<uint8_t>(got.begin() + static_cast<std::ptrdiff_t>(w_size), got.end()),
            std::vector<uint8_t>(golden.begin() + static_cast<std::ptrdiff_t>(g_size), golden.end()))
      << name << ": segments and footer";
}

// The frame with its header rewritten by edit(FrameHeader&), with a valid
// header check: the rest of the bytes as they were.
template <class Edit>
std::vector<uint8_t> with_header(const std::vector<uint8_t>& packed, Edit edit) {
  FrameHeader h;
  const size_t n = parse_header(packed.data(), packed.size(), h, "");
  edit(h);
  auto out = encode_header(h);
  out.insert(out.end(), packed.begin() + static_cast<std::ptrdiff_t>(n), packed.end());
  return out;
}

}  // namespace mbz::test
