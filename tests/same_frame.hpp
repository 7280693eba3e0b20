// same_frame.hpp — a frame the encoder writes today against a committed
// golden one, for the golden-file tests: the same bytes, but for what format
// version 2 changed in the header of version-1 files.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "container/format.hpp"

namespace mbz::test {

// A frame the encoder writes today against a golden one: the same bytes.
// Against a version-1 golden file (the encoder writes version 2 since mbz
// 0.8.0): the same header but for the version and the features it declares,
// and the same bytes after it (every segment, the end marker, the footer).
inline void expect_same_frame(const std::vector<uint8_t>& got, const std::vector<uint8_t>& golden, uint16_t features,
                       const std::string& name) {
  FrameHeader g, w;
  const size_t g_size = parse_header(golden.data(), golden.size(), g, name);
  const size_t w_size = parse_header(got.data(), got.size(), w, "re-encoded");
  ASSERT_GT(g_size, 0u) << name;
  ASSERT_GT(w_size, 0u) << name;
  EXPECT_EQ(w.version, kFrameVersion) << name;
  EXPECT_EQ(w.features, features) << name;
  if (g.version == kFrameVersion) {
    EXPECT_EQ(got, golden) << name;
    return;
  }
  ASSERT_EQ(g.version, 1) << name;
  w.version = 1;
  w.features = 0;
  EXPECT_EQ(encode_header(w), std::vector<uint8_t>(golden.begin(), golden.begin() + static_cast<std::ptrdiff_t>(g_size)))
      << name << ": header";
  EXPECT_EQ(std::vector<uint8_t>(got.begin() + static_cast<std::ptrdiff_t>(w_size), got.end()),
            std::vector<uint8_t>(golden.begin() + static_cast<std::ptrdiff_t>(g_size), golden.end()))
      << name << ": segments and footer";
}

}  // namespace mbz::test
