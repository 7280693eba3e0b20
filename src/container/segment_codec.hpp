// segment_codec.hpp — coding of one segment by the model, zstd or stored.
//
// The encoder tries the model (range coder over the engine's tables), the
// context mixer over the model (mix/) and zstd, and keeps the smallest of model, zstd and stored; so a segment never
// grows. The decoder steps many model-coded segments in lockstep through one
// StepDecoder per worker thread.
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

// Cuts data[0, size) into segments of segment_size bytes (the last may be shorter).
std::vector<ByteSpan> split_segments(const uint8_t* data, size_t size, uint32_t segment_size);


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

struct CodedSegment {
  Method method;  // model or mixed
  const uint8_t* coded;
  size_t coded_len;
  size_t raw_len;
};

// Decodes model-coded and mixed segments into out[i] (resized to raw_len), with up to
// `threads` workers each stepping its share of the segments in lockstep.
// progress, if set, is called from one worker with the fraction done.
// traces, if set (testing): resized to one per segment, each mixed one's
// decisions' probabilities (empty for model-coded ones).
void model_decode(const Engine& engine, const std::vector<CodedSegment>& segs, std::vector<std::vector<uint8_t>>& out,
                  int threads, const std::function<void(double)>& progress = {},
                  std::vector<mix::ProbabilityTrace>* traces = nullptr);

// Decodes mixed segments of a frame without a model (the mixer alone,
// kNoModel for every decision), one segment per worker at a time. Throws
// Error(corrupt) for any other method. traces: as for model_decode.
void mixer_decode(const std::vector<CodedSegment>& segs, std::vector<std::vector<uint8_t>>& out, int threads,
                  const std::function<void(double)>& progress = {},
                  std::vector<mix::ProbabilityTrace>* traces = nullptr);

std::vector<uint8_t> zstd_encode(ByteSpan raw);
// Throws Error(corrupt) unless the data decodes to exactly raw_len bytes.
std::vector<uint8_t> zstd_decode(const uint8_t* coded, size_t coded_len, size_t raw_len, const std::string& what);

}  // namespace mbz
