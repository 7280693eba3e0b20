// formats.hpp — the per-format parsers and media writers behind adapter.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codecs/side_info.hpp"

namespace mbz::codecs {

// Where a byte-exact container keeps its samples: info.grid.total_bytes()
// bytes from data_offset. For media, `decoded` holds the samples instead.
struct Parsed {
  SideInfo info;  // container, grid, sample_rate (prefix/suffix/checksums filled by the caller)
  uint64_t data_offset = 0;
  std::vector<uint8_t> decoded;
};

// Each returns false with the reason in *why when the input is not theirs.
bool sniff_pcm(const uint8_t* head, size_t n, bool media);
bool parse_pcm(const uint8_t* data, size_t n, bool media, Parsed& out, std::string* why);
bool parse_raw_pcm(const std::string& spec, size_t n, Parsed& out, std::string* why);
void check_raw_pcm_spec(const std::string& spec);

bool sniff_image(const uint8_t* head, size_t n, bool media);
bool parse_image(const uint8_t* data, size_t n, bool media, Parsed& out, std::string* why);
bool parse_raw_image(const std::string& spec, size_t n, Parsed& out, std::string* why);
void check_raw_image_spec(const std::string& spec);

// Media writers: a new file holding `samples` (laid out as info.grid, file order).
std::vector<uint8_t> write_flac(const SideInfo& info, const std::vector<uint8_t>& samples);
std::vector<uint8_t> write_png(const SideInfo& info, const std::vector<uint8_t>& pixels);

}  // namespace mbz::codecs
