// sample_shape.hpp — the one description of where an adapter's payload has
// its samples and how they read as numbers, from the adapter that writes the
// payload (codecs::Flattened) through the encoder (MixPlan) to the mixer of
// each segment (its profile's unit, src/mix/profiles/) and its coded form
// (the shape bytes of a mixed segment, docs/FORMAT.md "Mixed segments").
// Frozen with the units that read it: listed in tests/frozen-units.sha256.
#pragma once

#include <cstdint>

namespace mbz::mix {

// Where a segment of sampled data (an adapter's payload) has its samples:
// stride bytes per sample frame (all channels), row bytes per image row (0
// for audio), phase = the payload offset of the segment's first byte modulo
// row (or stride). stride 0: plain bytes (profile 1). value_format: 0 when
// the samples are just bytes (profile 2); else the samples are integers of
// value_bytes() bytes, most significant first, two's complement if
// value_signed(); with kValueMed, MED residuals of an image's pixels
// (profile 3; with kValueDelta2, profile 4).
struct SampleShape {
  uint32_t stride = 0;
  uint32_t row = 0;
  uint32_t phase = 0;
  uint8_t value_format = 0;
};

constexpr uint8_t kValueSigned = 0x80;
constexpr uint8_t kValueMed = 0x40;     // residuals of the MED pixel predictor (images)
constexpr uint8_t kValueDelta2 = 0x20;  // residuals of the delta2 sample predictor (audio; profile 4)
inline int value_bytes(uint8_t format) { return format & 7; }
inline bool value_signed(uint8_t format) { return (format & kValueSigned) != 0; }
// 1..3 bytes, a whole number of samples a frame; no other bits set; MED
// for images only, delta2 (signed) for audio only.
inline bool value_format_ok(const SampleShape& s) {
  const int b = value_bytes(s.value_format);
  const bool delta2 = (s.value_format & kValueDelta2) != 0;
  return (s.value_format & 0x18) == 0 && b >= 1 && b <= 3 && s.stride % static_cast<uint32_t>(b) == 0 &&
         (s.row > 0 || (s.value_format & kValueMed) == 0) &&
         (!delta2 || (s.row == 0 && value_signed(s.value_format)));
}

// The shape of a segment that starts `offset` bytes into a payload whose
// samples take `stride` bytes a frame and `row` bytes a row (stride 0: bytes).
inline SampleShape shape_at(uint32_t stride, uint32_t row, uint64_t offset, uint8_t value_format = 0) {
  if (stride == 0) return {};
  return SampleShape{stride, row, static_cast<uint32_t>(offset % (row ? row : stride)), value_format};
}
// The same, from the payload's own shape (its phase 0).
inline SampleShape shape_at(const SampleShape& payload, uint64_t offset) {
  return shape_at(payload.stride, payload.row, offset, payload.value_format);
}

}  // namespace mbz::mix
