// format.hpp — byte layout of the .mbz frame (docs/FORMAT.md).
//
//   frame   = header block* end-marker footer
//   header  = magic(8) version(2) features(2) model-name(1+n) model-sha256(32)
//             adapter(1) side-info(4+m) segment-size(4) header-check(4)
//   block   = method(1) raw-length(4) coded-length(4) raw-xxh64(8) block-check(4) coded(coded-length)
//   end     = 0xFF
//   footer  = original-size(8) segment-count(4) original-xxh64(8) footer-check(4)
// All integers little-endian; checks are the low 32 bits of XXH64 over the
// preceding fields of the same structure.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "common/hashes.hpp"

namespace mbz {

constexpr std::array<uint8_t, 8> kFrameMagic = {0x89, 'M', 'B', 'Z', 0x0D, 0x0A, 0x1A, 0x0A};
// Version 2 (mbz 0.8.0) is version 1 whose header field after the version
// lists the features its segments need (version 1: 0, reserved), so that a
// decoder lacking one refuses the frame at its header.
constexpr uint16_t kFrameVersion = 2;

// Required-feature bits of a version-2 header (docs/FORMAT.md "Header"):
// bit p - 1 for mixer profile p (1..12); bit 12 for segments of method 4
// (mixed, the model for a prefix; mbz 0.14); bit 13 for mixer profile 13
// and bit 14 for profile 14 (mbz 0.21: bit 12 was taken); bit 15 is
// reserved for features to come. A decoder refuses a frame with a bit it
// does not know.
constexpr uint16_t kFeatureModelPrefix = 1u << 12;
constexpr int kMaxFeatureProfile = 14;  // the highest profile a bit declares
// The bit of mixer profile p: p - 1 for 1..12, p for 13 and 14; 0 for a
// profile no bit can declare.
constexpr uint16_t profile_feature(int profile) {
  if (profile == 13 || profile == 14) return static_cast<uint16_t>(1u << profile);
  return profile >= 1 && profile <= 12 ? static_cast<uint16_t>(1u << (profile - 1)) : 0;
}
// The bits of every profile a bit declares, 1..kMaxFeatureProfile.
constexpr uint16_t profile_features() {
  uint16_t bits = 0;
  for (int p = 1; p <= kMaxFeatureProfile; ++p) bits = static_cast<uint16_t>(bits | profile_feature(p));
  return bits;
}
constexpr uint16_t kKnownFeatures = profile_features() | kFeatureModelPrefix;  // mixer profiles 1-14, the model prefix
// "mixer profiles 1, 4" for the bits set (for messages and listings).
std::string describe_features(uint16_t features);
constexpr uint8_t kEndMarker = 0xFF;
constexpr size_t kBlockHeaderSize = 21;
constexpr size_t kFooterSize = 24;
constexpr uint32_t kMaxSegmentSize = 1u << 24;

// mixed_prefix (mbz 0.14.0): a mixed segment whose first `prefix` bytes
// have the model's input and the rest even odds, as without a model; its
// coded data is the prefix (u32le, 1..raw length - 1) and then what a mixed
// segment's is (docs/FORMAT.md "Mixed segments with a model prefix").
enum class Method : uint8_t { stored = 0, zstd = 1, model = 2, mixed = 3, mixed_prefix = 4 };
const char* method_name(Method m);
// Whether a segment of this method is coded by the context mixer (3 or 4).
inline bool is_mixed(Method m) { return m == Method::mixed || m == Method::mixed_prefix; }
// The bytes before a mixed_prefix segment's mixed data: its prefix.
constexpr size_t kModelPrefixBytes = 4;
// A mixed_prefix segment's prefix, read from its coded data and checked
// against its raw length; throws Error(corrupt) naming `what`.
uint32_t read_model_prefix(const uint8_t* coded, size_t coded_len, size_t raw_len, const std::string& what);

// Adapter ids and their side information: codecs/adapter.hpp.

struct FrameHeader {
  uint16_t version = kFrameVersion;
  uint16_t features = 0;  // version 2: the required features (bits above); version 1: 0
  std::string model_name;
  Sha256 model_sha{};
  uint8_t adapter = 0;
  std::vector<uint8_t> side_info;
  uint32_t segment_size = 0;
};

struct BlockHeader {
  Method method = Method::stored;
  uint32_t raw_len = 0;
  uint32_t coded_len = 0;
  uint64_t checksum = 0;
};

struct Footer {
  uint64_t original_size = 0;
  uint32_t segment_count = 0;
  uint64_t checksum = 0;
};

std::vector<uint8_t> encode_header(const FrameHeader& h);
std::vector<uint8_t> encode_block_header(const BlockHeader& b);
std::vector<uint8_t> encode_footer(const Footer& f);

// Buffer parsers: return the number of bytes the structure occupies, or 0 if
// `n` bytes are not enough yet. They throw on malformed input; errors name `what`.
size_t parse_header(const uint8_t* p, size_t n, FrameHeader& h, const std::string& what);
// For a block: 1 at the end marker (b untouched), else kBlockHeaderSize.
size_t parse_block_header(const uint8_t* p, size_t n, BlockHeader& b, uint32_t segment_size, const std::string& what);
size_t parse_footer(const uint8_t* p, size_t n, Footer& f, const std::string& what);

// Stream readers (inspect): take the stream positioned at the structure.
FrameHeader read_header(std::istream& in, const std::string& what);
// Returns false at the end marker (the footer follows).
bool read_block_header(std::istream& in, BlockHeader& b, uint32_t segment_size, const std::string& what);
Footer read_footer(std::istream& in, const std::string& what);

// Reads exactly n bytes or throws Error(truncated) / Error(io).
void read_exact(std::istream& in, uint8_t* dst, size_t n, const std::string& what);

}  // namespace mbz
