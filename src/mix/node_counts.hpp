// node_counts.hpp — a byte's frequency table seen as 8 binary decisions.
#pragma once

#include <cstdint>

namespace mbz::mix {

// One binary decision of a frequency table: of the `total` frequency of the
// symbols still possible, `ones` belongs to those whose next bit is 1.
struct NodeCounts {
  uint32_t ones;
  uint32_t total;
};

}  // namespace mbz::mix
