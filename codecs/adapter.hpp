// adapter.hpp — modality adapters: recognize an input by content, flatten it
// to the bytes the model codes plus side information, and restore it exactly.
//
//   bytes (0): the input as is. Everything an adapter does not take.
//   pcm   (1): PCM audio in WAV/WAVEX/RF64, AIFF/AIFC, AU, W64, CAF (found and
//              checked by libsndfile), or headerless with --raw-pcm; FLAC's
//              decoded samples with --media.
//   image (2): binary PNM (P5/P6, 8/16-bit), uncompressed BMP (24/32-bit) and
//              TGA (8/24/32-bit) (checked against stb_image's decoding), or
//              headerless with --raw-image; PNG/GIF pixels with --media.
// Byte-exact containers keep every byte that is not a sample (header,
// trailing chunks, row padding) verbatim. An input an adapter cannot parse
// stays bytes: adapting never fails a compression.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mbz/mbz.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::codecs {

struct AdapterOptions {
  std::string adapter = "auto";  // auto, bytes, pcm or image
  std::string raw_pcm;           // headerless PCM: RATE:CHANNELS:FORMAT, FORMAT one of u8 s8 s16le s16be s24le
                                 // s24be s32le s32be
  std::string raw_image;         // headerless pixels: WIDTHxHEIGHTxCHANNELS[:16|:16be]
  std::string layout;            // sample layout (sample_layout.hpp); empty: the adapter's default
  bool media = false;            // decode FLAC / PNG / GIF and code their samples/pixels
};

// The adapter settings of a compression's Options.
inline AdapterOptions adapter_options(const Options& o) { return {o.adapter, o.raw_pcm, o.raw_image, o.layout, o.media}; }

// True when the options ask for an adapter (--adapter pcm|image, a raw
// layout, --media) rather than leaving the choice to content.
bool adapter_requested(const AdapterOptions& o);

// Throws Error(invalid_argument) for an unknown adapter, layout or a malformed raw spec.
void check_adapter_options(const AdapterOptions& o);

// Enough leading bytes to recognize every format by its magic.
constexpr size_t kSniffBytes = 64;

// True when an input starting with head[0, n) (n < kSniffBytes only when the
// input is that short) may be taken by an adapter, so it must be read whole.
bool may_adapt(const uint8_t* head, size_t n, const AdapterOptions& o);

struct Flattened {
  uint8_t adapter = 0;
  std::vector<uint8_t> side_info;
  std::vector<uint8_t> payload;  // what the model codes
  std::string description;       // as `mbz list` shows it
  // Where the payload has its samples, for the context mixer: stride = bytes
  // per sample frame (all channels; one sample for planar layouts), row =
  // bytes per image row (0 for audio), both 0 if unknown (then: bytes);
  // value_format = how the samples read as numbers, 0 when they are not
  // integers stored most significant byte first. Phase 0: the payload's start.
  mix::SampleShape shape;
};

// Flattens the whole input. Returns false, with the reason in *why, when the
// input stays bytes. The result is checked: restore() gives the input back.
bool flatten(const uint8_t* data, size_t n, const AdapterOptions& o, Flattened& out, std::string* why);

// Throws Error(corrupt | unsupported_version) if the side info is malformed.
void check_side_info(uint8_t adapter, const std::vector<uint8_t>& side_info);
std::string describe(uint8_t adapter, const std::vector<uint8_t>& side_info);
// True when restore() writes a new file with the same samples or pixels
// (--media), not the original bytes.
bool restores_samples_only(uint8_t adapter, const std::vector<uint8_t>& side_info);
// The original file from its payload; verifies size and checksum
// (Error(checksum_mismatch) otherwise).
std::vector<uint8_t> restore(uint8_t adapter, const std::vector<uint8_t>& side_info, const std::vector<uint8_t>& payload);

const char* adapter_name(uint8_t adapter);  // "bytes", "pcm", "image", or "unknown"
// The modality whose model codes an adapter's frames: "text" (bytes),
// "audio" (pcm), "image"; the one place that maps the two.
const char* modality_of(uint8_t adapter);

}  // namespace mbz::codecs
