// packed_counts.hpp — a decision's model counts as the encoder keeps them
// for a whole segment while its mixer codes: 4 bytes instead of
// NodeCounts' 8, so a byte's eight decisions take 32 bytes, not 64 (the
// paths of the public text, 4.8 MB, took 305 MB of a 571 MB peak).
//
// Lossless: a model's byte tables sum to at most 2^16 (freq_total,
// docs/MODEL_FORMAT.md) and give every byte a frequency of at least 1, so a
// node's total is 1..65536 and its ones 0..65535.
#pragma once

#include <cstdint>

#include "mbz/error.hpp"
#include "mix/node_counts.hpp"

namespace mbz::mix {

struct PackedCounts {
  uint16_t ones;
  uint16_t total_less_one;
};
static_assert(sizeof(PackedCounts) == 4, "two 16-bit halves");

inline PackedCounts pack(NodeCounts n) {
  if (n.total == 0 || n.total > 65536 || n.ones >= n.total) throw Error(ErrorCode::internal, "model counts out of range");
  return PackedCounts{static_cast<uint16_t>(n.ones), static_cast<uint16_t>(n.total - 1)};
}
inline NodeCounts unpack(PackedCounts p) { return NodeCounts{p.ones, uint32_t{p.total_less_one} + 1}; }

}  // namespace mbz::mix
