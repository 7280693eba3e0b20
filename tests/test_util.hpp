// Helpers shared by the tests: data files, seeded bytes, the committed tiny model.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "api/model_impl.hpp"
#include "container/format.hpp"
#include "mbz/mbz.hpp"

namespace mbz::test {

// The repository's root (source_dir.cpp).
const char* source_dir();
inline std::string data_path(const std::string& rel) { return std::string(source_dir()) + "/" + rel; }

// A scratch path of this test process: CTest runs each test in its own
// process, several at once, so the process id keeps their files apart.
inline std::string temp_name(const std::string& name) {
  return ::testing::TempDir() + std::to_string(getpid()) + "_" + name;
}

// A scratch file or folder of this test, temp_name(name): whatever was left
// there is removed first, and whatever is there when the guard goes,
// however the test ends (a failed ASSERT returns early).
class Scratch {
 public:
  explicit Scratch(const std::string& name, bool folder = false) : path_(temp_name(name)) {
    std::filesystem::remove_all(path_);
    if (folder) std::filesystem::create_directories(path_);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }
  // A path inside the folder.
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::vector<uint8_t>& v) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size()));
}

inline std::vector<uint8_t> seeded_bytes(size_t n, uint64_t seed) {
  std::vector<uint8_t> v(n);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& b : v) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    b = static_cast<uint8_t>(s >> 24);
  }
  return v;
}

// The committed golden tiny model: never regenerated (see tests/golden/README.md).
inline std::shared_ptr<const Model> golden_model() {
  static auto m = Model::load(data_path("tests/golden/tiny-golden-v1.mbzm"));
  return m;
}

inline const Engine& golden_engine() { return golden_model()->impl().engine("cpu"); }

inline ModelResolver only(std::shared_ptr<const Model> m) {
  return [m](const std::string&, const std::string& sha) -> std::shared_ptr<const Model> {
    if (m->sha256_hex() != sha) throw Error(ErrorCode::unknown_model, "unknown model (sha256 " + sha + ")");
    return m;
  };
}

// A w x h PNM (grey or RGB, 8 or 16 bits) of smooth gradients and noise
// (the image profiles' round trips of every width).
inline std::vector<uint8_t> gradient_pnm(int w, int h, int channels, int bits, uint32_t seed) {
  const std::string head = std::string(channels == 3 ? "P6" : "P5") + "\n" + std::to_string(w) + " " + std::to_string(h) +
                           "\n" + (bits == 16 ? "65535" : "255") + "\n";
  std::vector<uint8_t> out(head.begin(), head.end());
  std::mt19937 rng(seed);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c) {
        const uint32_t v = static_cast<uint32_t>(x * 7 + y * 5 + c * 40 + static_cast<int>(rng() % 9)) % 256;
        if (bits == 16) {
          const uint32_t v16 = v * 257 + rng() % 64;
          out.push_back(static_cast<uint8_t>(v16 >> 8));
          out.push_back(static_cast<uint8_t>(v16));
        } else {
          out.push_back(static_cast<uint8_t>(v));
        }
      }
  return out;
}

// An image profile's round trips on images of every width, channel count and
// depth (three segments of about 1 KiB each, no model): each frame declares
// `profile` alone and decodes to its image (test_profile6, 9, 11 and 13).
inline void expect_every_width_round_trips(uint8_t profile) {
  Options o;
  o.segment_size = 1024;
  o.force_model = true;
  o.image_profile = profile;
  struct Case { int w, channels, bits; };
  for (const Case k : {Case{1, 1, 8}, Case{2, 3, 16}, Case{3, 1, 16}, Case{3, 3, 8}, Case{37, 3, 8}, Case{37, 1, 16}}) {
    const int h = 2200 / (k.w * k.channels * k.bits / 8) + 2;  // three segments of 1 KiB or so
    const auto image = gradient_pnm(k.w, h, k.channels, k.bits, static_cast<uint32_t>(k.w * 10 + k.channels));
    const auto packed = compress(image.data(), image.size(), *Model::none(), o);
    FrameHeader hd;
    parse_header(packed.data(), packed.size(), hd, "");
    const std::string what = std::to_string(k.w) + " px, " + std::to_string(k.channels) + " ch, " + std::to_string(k.bits) + " bits";
    EXPECT_EQ(hd.features, profile_feature(profile)) << what;
    EXPECT_EQ(decompress(packed.data(), packed.size(), only(Model::none()), Options{}), image) << what;
  }
}

// Whether this build runs under AddressSanitizer or ThreadSanitizer (the
// suite's second and third trees, scripts/test.sh): a test that measures a
// ratio, not memory or threads, runs in the release tree only, where it
// takes a tenth of the time.
constexpr bool under_sanitizer() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

// A side x side crop at (x, y) of samples/photo-life-384.ppm (384 x 256), as
// a PPM: a held-out photograph, not one a prior was built from
// (test_profile11, 13). A crop that does not fit in it is a test's error:
// it fails the test and gives an empty image.
inline std::vector<uint8_t> photo_crop(int x, int y, int side) {
  const auto ppm = read_file(data_path("samples/photo-life-384.ppm"));
  int w = 0, h = 0, max = 0, n = 0;
  EXPECT_EQ(std::sscanf(reinterpret_cast<const char*>(ppm.data()), "P6 %d %d %d%n", &w, &h, &max, &n), 3);
  const size_t start = static_cast<size_t>(n) + 1;
  EXPECT_EQ(ppm.size(), start + static_cast<size_t>(w) * h * 3);
  if (x < 0 || y < 0 || side < 1 || x + side > w || y + side > h || ppm.size() != start + static_cast<size_t>(w) * h * 3) {
    ADD_FAILURE() << "crop " << side << " at (" << x << ", " << y << ") is not inside the " << w << " x " << h << " photograph";
    return {};
  }
  const std::string head = "P6\n" + std::to_string(side) + " " + std::to_string(side) + "\n255\n";
  std::vector<uint8_t> crop(head.begin(), head.end());
  for (int r = 0; r < side; ++r) {
    const auto row = ppm.begin() + static_cast<std::ptrdiff_t>(start + (static_cast<size_t>(y + r) * w + x) * 3);
    crop.insert(crop.end(), row, row + side * 3);
  }
  return crop;
}

}  // namespace mbz::test
