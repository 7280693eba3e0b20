// mix_plan.hpp — what the context mixer needs to know of a group of segments.
#pragma once

#include <cstdint>

#include "mbz/mbz.hpp"
#include "mix/sample_shape.hpp"

namespace mbz {

// How to mix: the payload's sample shape (its phase 0; stride 0: plain
// bytes), the payload offset of the group's first segment, which with the
// shape gives each segment's own (mix::shape_at), and the profile for plain
// bytes (Options::byte_profile; mix::profile_of).
struct MixPlan {
  mix::SampleShape payload;
  uint64_t offset = 0;
  uint8_t byte_profile = 7;   // mix::kProfileText7, as Options::byte_profile
  uint8_t image_profile = 9;  // mix::kProfileImage9, as Options::image_profile
  uint8_t audio_profile = 8;  // mix::kProfileAudio8, as Options::audio_profile
};

// The plan for a group of segments coded with these options: the one place
// the options' byte, image and audio profiles enter a plan.
inline MixPlan mix_plan(const Options& opts, mix::SampleShape payload = {}, uint64_t offset = 0) {
  return MixPlan{payload, offset, static_cast<uint8_t>(opts.byte_profile), static_cast<uint8_t>(opts.image_profile),
                 static_cast<uint8_t>(opts.audio_profile)};
}

}  // namespace mbz
