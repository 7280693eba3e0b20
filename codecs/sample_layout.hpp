// sample_layout.hpp — reversible rearrangements of a grid of fixed-width
// samples (PCM frames, image pixels) into the byte sequence the model codes.
//
// A grid is `rows` rows of `cols` positions of `channels` samples of `width`
// bytes, each row followed by (row_stride - cols*channels*width) padding bytes
// (BMP rows are padded to 4 bytes; audio and PNM have none). A layout says
//   order:     interleaved (as stored) or planar (all of channel 0, then 1, ...);
//   predictor: none, delta2 (per channel along a row: 2·x[t-1] - x[t-2]), or
//              med (per channel, the LOCO-I median edge detector over the
//              left, upper and upper-left neighbours);
//   msb_first: each sample's bytes most significant first (else as stored).
// With a predictor, the residual (x - prediction) mod 2^(8·width) is coded,
// most significant byte first. Padding bytes follow the samples verbatim.
// flatten() and restore() are exact inverses for every grid and layout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mbz::codecs {

struct SampleGrid {
  uint8_t width = 2;           // bytes per sample, 1..4 (8 for float64, native layout only)
  bool big_endian = false;     // byte order of samples in the file
  bool is_unsigned = false;    // offset binary (8-bit WAV, image pixels); else two's complement
  bool is_float = false;       // IEEE float: only byte rearrangements apply
  uint32_t channels = 1;
  uint64_t rows = 1;           // audio: 1
  uint64_t cols = 0;           // audio: frames; images: pixels per row
  uint64_t row_stride = 0;     // bytes per row in the file

  uint64_t sample_bytes() const { return rows * cols * channels * width; }
  uint64_t total_bytes() const { return rows * row_stride; }
  // Throws Error(invalid_argument / corrupt) naming what is inconsistent.
  void validate() const;
};

enum class Predictor : uint8_t { none = 0, delta2 = 1, med = 2 };

struct Layout {
  bool planar = false;
  Predictor predictor = Predictor::none;
  bool msb_first = false;  // implied by a predictor

};

// "native", "msb", "planar" (planar, msb first), "delta2", "planar-delta2",
// "med", "planar-med". Throws Error(invalid_argument) on an unknown name.
Layout parse_layout(const std::string& name);
std::string layout_name(const Layout& l);

// data holds grid.total_bytes() bytes. Float grids accept only predictor none.
std::vector<uint8_t> flatten_samples(const SampleGrid& grid, const Layout& layout, const uint8_t* data);
// The inverse: `flat` holds grid.total_bytes() bytes.
std::vector<uint8_t> restore_samples(const SampleGrid& grid, const Layout& layout, const uint8_t* flat);

// Per-sample totals of per-payload-byte values (e.g. code lengths): out[i]
// is the sum over the bytes that carry file-order sample i
// ((row·cols + col)·channels + channel). Padding bytes are left out.
std::vector<float> per_sample(const SampleGrid& grid, const Layout& layout, const std::vector<float>& per_byte);

}  // namespace mbz::codecs
