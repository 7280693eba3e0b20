// segment_decoder.hpp — decoding model-coded and mixed segments. The
// decoder steps many model-coded segments in lockstep through one
// StepDecoder per worker thread (one batch of the engine); a frame without a
// model decodes its mixed segments one per worker. Stored and zstd segments
// need neither (zstd_segment.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "container/format.hpp"
#include "engine/engine.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/probability_trace.hpp"

namespace mbz {

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
// decisions' probabilities (empty for model-coded ones). ahead, if set, is
// offered to segment 0 (mix::UnitAhead: a unit set up while the segment was
// on its way), which takes it if it fits.
void model_decode(const Engine& engine, const std::vector<CodedSegment>& segs, std::vector<std::vector<uint8_t>>& out,
                  int threads, const std::function<void(double)>& progress = {},
                  std::vector<mix::ProbabilityTrace>* traces = nullptr, mix::UnitAhead* ahead = nullptr);

// The same for a frame whose model is not loaded yet: load() gives the
// engine (called once, on this thread) while another thread sets up the
// mixed segments' decoders, whose tables (tens of MiB, most of it page
// faults) took as long as loading the model; for a small file both are
// most of the run. An error of load() comes first, as it would without
// the overlap.
void model_decode(const std::function<const Engine&()>& load, const std::vector<CodedSegment>& segs,
                  std::vector<std::vector<uint8_t>>& out, int threads, const std::function<void(double)>& progress = {},
                  std::vector<mix::ProbabilityTrace>* traces = nullptr, mix::UnitAhead* ahead = nullptr);

// Decodes mixed segments of a frame without a model (the mixer alone,
// kNoModel for every decision), one segment per worker at a time. Throws
// Error(corrupt) for any other method. traces, ahead: as for model_decode.
void mixer_decode(const std::vector<CodedSegment>& segs, std::vector<std::vector<uint8_t>>& out, int threads,
                  const std::function<void(double)>& progress = {},
                  std::vector<mix::ProbabilityTrace>* traces = nullptr, mix::UnitAhead* ahead = nullptr);

}  // namespace mbz
