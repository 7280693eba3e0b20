// profile1_general.hpp — mixer profile 1, bytes (adapter 0): the shared
// skeleton with the general byte contexts (orders 1-6, words, sparse) and the
// byte side (no numbers).
//
// Frozen since mbz 0.3.0. Specified in docs/FORMAT.md "Mixed segments":
// "Coding a segment", "Byte contexts: profile 1", "Match model (all
// profiles)". Do not edit this unit or a building block it includes
// (tests/frozen-units.sha256): a change is a new profile.
#pragma once

#include "mix/blocks/byte_contexts.hpp"
#include "mix/blocks/byte_side.hpp"
#include "mix/blocks/segment_mixer.hpp"

namespace mbz::mix {

class Profile1General final : public SegmentMixer<GeneralContexts, ByteSide> {
 public:
  using SegmentMixer::SegmentMixer;
};

}  // namespace mbz::mix
