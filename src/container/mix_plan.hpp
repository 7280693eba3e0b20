// mix_plan.hpp — what the context mixer needs to know of a payload.
#pragma once

#include <cstdint>

namespace mbz {

// How to mix: the payload's sample shape (stride 0: plain bytes), the
// payload offset of the first segment coded and how its samples read as
// numbers (mix::SampleShape::value_format).
struct MixPlan {
  uint32_t stride = 0;
  uint32_t row = 0;
  uint64_t offset = 0;
  uint8_t value_format = 0;
};

}  // namespace mbz
