// mixed_coding.hpp — a segment coded bit by bit through the context mixer.
//
// Coded form (docs/FORMAT.md "Mixed segments"): one profile byte (1 bytes,
// 2 sampled data, followed by its SampleShape as three u32le, 3 numeric
// samples, followed by the shape and its value format byte), then a
// range-coded stream of binary decisions, 8 per byte, MSB first; decision k
// has P(1) = p/4096 from ContextMixer::predict and is coded as the interval
// [4096 - p, 4096) for 1 and [0, 4096 - p) for 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "coder/range_coder.hpp"
#include "mix/context_mixer.hpp"
#include "mix/probability_trace.hpp"

namespace mbz::mix {

constexpr uint8_t kProfileGeneral = 1;
constexpr uint8_t kProfileSampled = 2;
constexpr uint8_t kProfileNumeric = 3;
constexpr uint8_t kProfileSignal = 4;  // profile 3 plus the signal rebuilt from delta2 residuals (mbz 0.5)

// The profile mixed_encode writes for a segment of this shape (the same for
// every segment of a payload: it depends on the stride and value format only).
uint8_t profile_of(const SampleShape& shape);

// paths: 8 NodeCounts per byte (the engine's tables along each byte's path);
// null: no model (kNoModel for every decision).
// Returns the coded bytes; ideal_bits, if set, gets the ideal code length.
// shape: where the samples are (stride 0: plain bytes, profile 1; a value
// format: profile 3, or 4 with kValueDelta2).
// ready, if set, is called with n before the paths of bytes [0, n) are first
// read, in increasing n (every kReadyStep bytes): paths may still be arriving.
// trace, if set, gets every decision's probability (testing).
std::vector<uint8_t> mixed_encode(const uint8_t* data, size_t size, const NodeCounts* paths, SampleShape shape,
                                  double* ideal_bits, const std::function<void(size_t)>& ready = {},
                                  ProbabilityTrace* trace = nullptr);
constexpr size_t kReadyStep = 4096;

// The ideal cost in bits of every byte under the mixer (what mixed_encode codes).
std::vector<float> mixed_costs(const uint8_t* data, size_t size, const NodeCounts* paths, SampleShape shape);

// Decodes one mixed segment a byte at a time from the model's cumulative tables.
// Throws Error(unsupported_version) for an unknown profile, Error(corrupt) for a bad shape.
class MixedDecoder {
 public:
  // trace, if set, gets every decision's probability (testing).
  MixedDecoder(const uint8_t* coded, size_t coded_len, size_t raw_len, ProbabilityTrace* trace = nullptr);
  // cum257: the model's table for this byte; null: no model (kNoModel).
  uint8_t decode(const uint32_t* cum257);

 private:
  struct Header {
    SampleShape shape;
    size_t size;  // bytes before the coder's stream
  };
  static Header parse(const uint8_t* coded, size_t coded_len);
  MixedDecoder(const uint8_t* coded, size_t coded_len, size_t raw_len, Header h, ProbabilityTrace* trace);
  RangeDecoder coder_;
  ContextMixer mixer_;
  ProbabilityTrace* trace_;
};

}  // namespace mbz::mix
