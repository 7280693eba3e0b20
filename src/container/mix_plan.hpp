// mix_plan.hpp — what the context mixer needs to know of a group of segments.
#pragma once

#include <cstdint>

#include "mix/sample_shape.hpp"

namespace mbz {

// How to mix: the payload's sample shape (its phase 0; stride 0: plain
// bytes), the payload offset of the group's first segment, which with the
// shape gives each segment's own (mix::shape_at), and the profile for plain
// bytes (Options::byte_profile; mix::profile_of).
struct MixPlan {
  mix::SampleShape payload;
  uint64_t offset = 0;
  uint8_t byte_profile = 5;  // mix::kProfileText5, as Options::byte_profile
};

}  // namespace mbz
