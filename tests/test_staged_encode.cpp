// An encoder's profiles cut in two stages (src/mix/staged/) against the
// frozen units they were cut from: every probability equal, decision by
// decision, and the same coded bytes from mixed_encode with and without a
// spare core. Breaking any line of a stage's copy of a unit makes a
// probability differ.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codecs/adapter.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profiles/profile13_image.hpp"
#include "mix/profiles/profile8_audio.hpp"
#include "mix/staged/profile13_stages.hpp"
#include "mix/staged/profile8_stages.hpp"
#include "mix/staged/staged_run.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

codecs::Flattened flattened(const std::string& name) {
  const auto file = test::read_file(test::data_path(name));
  codecs::Flattened f;
  std::string why;
  EXPECT_TRUE(codecs::flatten(file.data(), file.size(), codecs::AdapterOptions{}, f, &why)) << name << ": " << why;
  return f;
}

// Model counts for every decision, from a fixed generator: a segment coded
// with a model's paths takes them as inputs 11 and 12.
std::vector<mix::PackedCounts> some_paths(size_t bytes) {
  std::vector<mix::PackedCounts> paths(bytes * 8);
  uint32_t s = 12345;
  for (auto& p : paths) {
    s = s * 1664525u + 1013904223u;
    const uint32_t total = 1 + (s >> 16) % 5000;
    p = mix::pack(mix::NodeCounts{(s >> 3) % total, total});
  }
  return paths;
}

// The frozen unit's probabilities over a known segment.
template <class Unit>
std::vector<int> unit_trace(Unit& unit, const std::vector<uint8_t>& data, const mix::PackedCounts* paths, size_t modelled) {
  std::vector<int> p;
  for (size_t i = 0; i < data.size(); ++i)
    for (int d = 0; d < 8; ++d) {
      p.push_back(unit.predict(paths && i < modelled ? mix::unpack(paths[i * 8 + d]) : mix::kNoModel));
      unit.update((data[i] >> (7 - d)) & 1);
    }
  return p;
}

// The staged stages' probabilities over the same segment.
template <class Decision, class Front, class Back>
std::vector<int> staged_trace(Front& front, Back& back, const std::vector<uint8_t>& data, const mix::PackedCounts* paths,
                              size_t modelled) {
  std::vector<int> p;
  mix::run_staged<Front, Back, Decision>(front, back, data.data(), data.size(), paths, modelled,
                                         [&](size_t, int, int p1) { p.push_back(p1); });
  return p;
}

// Images whose decisions wrap the stages' ring many times (the photo:
// 18,432 decisions against a ring of 1,024), with and without model counts,
// and with counts for a prefix only.
TEST(StagedEncode, Profile13DecidesAsItsUnit) {
  for (const char* name : {"tests/golden/photo-32x24.ppm", "tests/golden/grey16-28x28.pgm", "tests/golden/rgba8-24x24.tga"}) {
    const codecs::Flattened f = flattened(name);
    ASSERT_TRUE(f.shape.stride && mix::image_fits_profile6(f.shape)) << name;
    const std::vector<mix::PackedCounts> paths = some_paths(f.payload.size());
    for (size_t modelled : {size_t{0}, f.payload.size() / 3, f.payload.size()}) {
      const mix::PackedCounts* p = modelled ? paths.data() : nullptr;
      mix::Profile13Image unit(f.payload.size(), f.shape);
      const std::vector<int> want = unit_trace(unit, f.payload, p, modelled);
      ASSERT_EQ(want.size(), f.payload.size() * 8);
      mix::p13::Front front(f.payload.size(), f.shape);
      mix::p13::Back back(f.payload.size(), f.shape);
      EXPECT_EQ(staged_trace<mix::p13::Decision>(front, back, f.payload, p, modelled), want) << name << " modelled " << modelled;
    }
  }
}

// Audio of one, two and three channels, 8, 16 and 24 bits.
TEST(StagedEncode, Profile8DecidesAsItsUnit) {
  for (const char* name : {"tests/golden/speech-0.5s.wav", "tests/golden/music-0.1s-stereo.wav", "tests/golden/music-3ch-16bit.wav",
                           "tests/golden/music-stereo-24bit.wav", "tests/golden/speech-8bit.wav"}) {
    const codecs::Flattened f = flattened(name);
    ASSERT_TRUE(f.shape.value_format & mix::kValueDelta2) << name;
    const std::vector<mix::PackedCounts> paths = some_paths(f.payload.size());
    for (size_t modelled : {size_t{0}, f.payload.size() / 3}) {
      const mix::PackedCounts* p = modelled ? paths.data() : nullptr;
      mix::Profile8Audio unit(f.payload.size(), f.shape);
      const std::vector<int> want = unit_trace(unit, f.payload, p, modelled);
      mix::p8::Front front(f.payload.size(), f.shape);
      mix::p8::Back back(f.payload.size());
      EXPECT_EQ(staged_trace<mix::p8::Decision>(front, back, f.payload, p, modelled), want) << name << " modelled " << modelled;
    }
  }
}

// mixed_encode writes the same bytes, and the same ideal bits, with a spare
// core as without, and mixed_costs gives the same costs; a segment shorter
// than one block of the ring, too.
TEST(StagedEncode, SameBytesWithASpareCore) {
  for (const char* name : {"tests/golden/photo-32x24.ppm", "tests/golden/music-stereo-16bit.wav"}) {
    const codecs::Flattened f = flattened(name);
    const uint8_t profile = mix::profile_of(f.shape, mix::kProfileText14, mix::kProfileImage13, mix::kProfileAudio8);
    for (size_t len : {f.payload.size(), size_t{20}}) {
      double plain_bits = 0, staged_bits = 0;
      const auto plain = mix::mixed_encode(f.payload.data(), len, nullptr, profile, f.shape, &plain_bits);
      const auto staged =
          mix::mixed_encode(f.payload.data(), len, nullptr, profile, f.shape, &staged_bits, {}, nullptr, mix::kWholeSegment, true);
      EXPECT_EQ(staged, plain) << name << " " << len;
      EXPECT_EQ(staged_bits, plain_bits) << name << " " << len;
      const auto costs = mix::mixed_costs(f.payload.data(), len, nullptr, profile, f.shape);
      EXPECT_EQ(mix::mixed_costs(f.payload.data(), len, nullptr, profile, f.shape, mix::kWholeSegment, true), costs) << name;
    }
  }
}

}  // namespace
}  // namespace mbz
