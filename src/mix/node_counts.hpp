// node_counts.hpp — a byte's frequency table seen as 8 binary decisions.
// Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <cstdint>

namespace mbz::mix {

// One binary decision of a frequency table: of the `total` frequency of the
// symbols still possible, `ones` belongs to those whose next bit is 1.
struct NodeCounts {
  uint32_t ones;
  uint32_t total;
};

// What the mixer is given for every decision of a frame coded without a
// neural model (model `none`, docs/FORMAT.md): even odds, P(1) = 2048/4096.
constexpr NodeCounts kNoModel{1, 2};

}  // namespace mbz::mix
