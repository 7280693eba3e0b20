// probability_trace.hpp — the probabilities a mixed segment was coded with, in order.
//
// A golden file pins bytes; but a change that moves the encoder and the
// decoder together (a rounding in the mixer, a counter's rate) keeps every
// round trip green and breaks only old files, and for a profile the encoder
// no longer writes nothing re-encodes to notice. What both sides must agree
// on is the P(1) of every decision, so the golden tests pin a hash of that
// sequence and, when the two sides part, say at which decision
// (tests/test_golden_variants.cpp). Testing only: recorded when a caller
// hands one to mixed_encode or MixedDecoder (null by default, one untaken
// branch a decision), never part of the format, never a coded byte.
#pragma once

#include <cstdint>
#include <vector>

#include "common/hashes.hpp"

namespace mbz::mix {

struct ProbabilityTrace {
  std::vector<uint16_t> p;  // P(1) of each decision in 4096ths (1..4095), in coding order
  void add(int p1) { p.push_back(static_cast<uint16_t>(p1)); }
};

// The hash of a trace (or of several, concatenated in frame order): XXH64,
// seed 0, of every p as two bytes, little-endian.
inline uint64_t trace_hash(const std::vector<uint16_t>& p) {
  std::vector<uint8_t> le;
  le.reserve(2 * p.size());
  for (const uint16_t v : p) le.insert(le.end(), {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)});
  return xxh64(le.data(), le.size());
}

}  // namespace mbz::mix
