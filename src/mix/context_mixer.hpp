// context_mixer.hpp — adaptive context mixing on top of the model's tables.
//
// The engine's model is static: it cannot learn a file's own statistics or
// repeat a string it saw more than a window ago. The mixer codes each byte as
// 8 binary decisions (MSB first) and predicts each from (a) the model's
// probability of that bit, read off its frequency table, (b) hashed order-1..6,
// word and sparse context counters and (c) a match model over the segment so
// far, combined by online logistic mixing and refined by adaptive probability
// maps. Everything is integer arithmetic on state that starts the same for
// every segment, so encoder and decoder compute the same probabilities on any
// platform (docs/EXACTNESS.md §6, docs/FORMAT.md "Mixed segments").
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/node_counts.hpp"

namespace mbz::mix {

// The 8 nodes a byte passes through in a cumulative table cum[257]
// (cum[0] = 0, cum[256] = total), MSB first.
void path_counts(const uint32_t* cum257, uint8_t byte, NodeCounts out[8]);
// One node: the prefix c0 (1 followed by the bits so far, 1..255).
NodeCounts node_counts(const uint32_t* cum257, uint32_t c0);

// Where a segment of sampled data (an adapter's payload) has its samples:
// stride bytes per sample frame (all channels), row bytes per image row (0
// for audio), phase = the payload offset of the segment's first byte modulo
// row (or stride). stride 0: plain bytes (profile 1). value_format: 0 when
// the samples are just bytes (profile 2); else the samples are integers of
// value_bytes() bytes, most significant first, two's complement if
// value_signed(); with kValueMed, MED residuals of an image's pixels
// (profile 3, NumericModel; with kValueDelta2, profile 4).
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

class ContextMixer {
 public:
  // segment_len sizes the hash tables (a pure function of it: part of the format).
  explicit ContextMixer(size_t segment_len, SampleShape shape = {});
  ~ContextMixer();
  ContextMixer(const ContextMixer&) = delete;
  ContextMixer& operator=(const ContextMixer&) = delete;

  // P(next bit = 1) in [1, 4095] of 4096, given the model's counts for it.
  int predict(NodeCounts model);
  // The bit that was coded; after the 8th, the byte joins the history.
  void update(int bit);

 private:
  struct State;
  State* st_;
};

}  // namespace mbz::mix
