// side_info.hpp — what the pcm and image adapters store in the .mbz header
// (docs/FORMAT.md, "Adapter side information"): the container the samples
// came from, their grid and layout, and the file bytes around them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codecs/sample_layout.hpp"

namespace mbz::codecs {

enum class AdapterId : uint8_t { bytes = 0, pcm = 1, image = 2 };

// Where the samples came from. Values are part of the format.
enum class Container : uint8_t {
  // pcm
  wav = 1, aiff = 2, au = 3, w64 = 4, caf = 5, rf64 = 6, raw_pcm = 7, flac = 8,
  // image
  pnm = 16, bmp = 17, tga = 18, raw_image = 19, png = 20, gif = 21,
};
const char* container_name(Container c);
bool is_media(Container c);  // decoded compressed media: restored sample-exact, not byte-exact

struct SideInfo {
  Container container = Container::raw_pcm;
  SampleGrid grid;
  Layout layout;
  uint32_t sample_rate = 0;      // pcm only
  uint64_t original_size = 0;    // bytes restore() returns for byte-exact containers
  uint64_t original_xxh64 = 0;   // of the original file, or of the sample bytes for media
  std::vector<uint8_t> prefix;   // file bytes before the samples (header), verbatim
  std::vector<uint8_t> suffix;   // file bytes after them (trailing chunks), verbatim
};

constexpr uint8_t kSideInfoVersion = 1;
constexpr size_t kMaxSideInfo = size_t{1} << 20;  // the container's bound

std::vector<uint8_t> encode_side_info(const SideInfo& s);
// Throws Error(corrupt | unsupported_version) on malformed side information.
SideInfo decode_side_info(AdapterId adapter, const std::vector<uint8_t>& bytes);

}  // namespace mbz::codecs
