// profile2_sampled.hpp — mixer profile 2, an adapter's payload read as bytes:
// the shared skeleton with the sampled byte contexts (the same byte of the
// samples to the left and above, at its place in the frame) and the byte
// side (no numbers).
//
// Frozen since mbz 0.3.0. Specified in docs/FORMAT.md "Mixed segments":
// "Coding a segment", "Byte contexts: profiles 2, 3 and 4", "Match model
// (all profiles)". Do not edit this unit or a building block it includes
// (tests/frozen-units.sha256): a change is a new profile.
#pragma once

#include "mix/blocks/byte_contexts.hpp"
#include "mix/blocks/byte_side.hpp"
#include "mix/blocks/segment_mixer.hpp"

namespace mbz::mix {

class Profile2Sampled final : public SegmentMixer<SampledContexts, ByteSide> {
 public:
  using SegmentMixer::SegmentMixer;
};

}  // namespace mbz::mix
