// segment_encoder.hpp — coding a group of segments, and the choice of each
// one's method: the encoder tries zstd, the model (range coder over the
// engine's tables) and, with a mix plan, the context mixer over the model
// (mix/), and keeps the smallest of those and stored, so a segment never
// grows (docs/FORMAT.md "Blocks", "Mixed segments").
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "container/format.hpp"
#include "container/mix_plan.hpp"
#include "engine/engine.hpp"
#include "mix/probability_trace.hpp"

namespace mbz {

struct EncodedSegment {
  Method method = Method::stored;
  std::vector<uint8_t> coded;  // empty for stored: the raw bytes are written
  uint64_t checksum = 0;       // XXH64 of the raw bytes
  double ideal_bits = 0;       // ideal code length under the model (0 if not model-coded)
};

// engine may be null (model `none`): no model. plan, if set: also try the
// context mixer (Method::mixed), over the model's paths, or alone without one. force_model keeps the
// model's coding (mixed if mix) even when it is larger (testing).
// traces, if set (testing): resized to one per segment, each getting the
// probabilities its mixer coding decided with (empty for other methods).
std::vector<EncodedSegment> encode_segments(const Engine* engine, const std::vector<ByteSpan>& segments, int threads,
                                            const MixPlan* plan, bool force_model = false,
                                            const std::function<void(double)>& progress = {},
                                            std::vector<mix::ProbabilityTrace>* traces = nullptr);

// Range-codes a segment's symbol codes; returns the bytes and the ideal bits.
std::vector<uint8_t> range_encode(const std::vector<SymbolCode>& codes, double* ideal_bits);

}  // namespace mbz
