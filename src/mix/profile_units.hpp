// profile_units.hpp — the dispatch of mixed segments: a profile byte -> the
// frozen unit that implements it (src/mix/profiles/, docs/FORMAT.md "Mixed
// segments"). A new profile is a new unit and a new alternative here, or an
// existing unit started from a new frozen prior (profile 14: profile 12's
// unit and profile14.prior); the units themselves are never edited
// (tests/frozen-units.sha256).
//
// Every unit has the same interface: Unit(segment_len, shape),
// predict(NodeCounts) -> P(1) in [1, 4095], update(bit). Callers visit the
// variant once per segment (a loop instantiated per unit) or once per byte
// (MixedDecoder), so a decision pays no indirect call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "mbz/error.hpp"
#include "mix/blocks/counter_tables.hpp"
#include "mix/blocks/nibble_table.hpp"
#include "mix/data/embedded_priors.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profiles/profile1_general.hpp"
#include "mix/profiles/profile2_sampled.hpp"
#include "mix/profiles/profile3_numeric.hpp"
#include "mix/profiles/profile4_signal.hpp"
#include "mix/profiles/profile5_text.hpp"
#include "mix/profiles/profile6_image.hpp"
#include "mix/profiles/profile7_text.hpp"
#include "mix/profiles/profile8_audio.hpp"
#include "mix/profiles/profile9_image.hpp"
#include "mix/profiles/profile10_text.hpp"
#include "mix/profiles/profile11_image.hpp"
#include "mix/profiles/profile12_text.hpp"
#include "mix/profiles/profile13_image.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

using ProfileUnit = std::variant<std::unique_ptr<Profile1General>, std::unique_ptr<Profile2Sampled>,
                                 std::unique_ptr<Profile3Numeric>, std::unique_ptr<Profile4Signal>,
                                 std::unique_ptr<Profile5Text>, std::unique_ptr<Profile6Image>,
                                 std::unique_ptr<Profile7Text>, std::unique_ptr<Profile8Audio>,
                                 std::unique_ptr<Profile9Image>, std::unique_ptr<Profile10Text>,
                                 std::unique_ptr<Profile11Image>, std::unique_ptr<Profile12Text>,
                                 std::unique_ptr<Profile13Image>>;

// A fresh unit for a segment of segment_len bytes; shape must suit the
// profile (as MixedDecoder::parse checks, and profile_of gives).
inline ProfileUnit make_unit(uint8_t profile, size_t segment_len, SampleShape shape) {
  switch (profile) {
    case kProfileGeneral:
      return std::make_unique<Profile1General>(segment_len, shape);
    case kProfileSampled:
      return std::make_unique<Profile2Sampled>(segment_len, shape);
    case kProfileNumeric:
      return std::make_unique<Profile3Numeric>(segment_len, shape);
    case kProfileSignal:
      return std::make_unique<Profile4Signal>(segment_len, shape);
    case kProfileText5:
      return std::make_unique<Profile5Text>(segment_len, shape);
    case kProfileImage6:
      return std::make_unique<Profile6Image>(segment_len, shape);
    case kProfileText7:
      return std::make_unique<Profile7Text>(segment_len, shape);
    case kProfileAudio8:
      return std::make_unique<Profile8Audio>(segment_len, shape);
    case kProfileImage9:
      return std::make_unique<Profile9Image>(segment_len, shape);
    case kProfileText10:
      return std::make_unique<Profile10Text>(segment_len, shape);
    case kProfileImage11:
      return std::make_unique<Profile11Image>(segment_len, shape);
    case kProfileText12:
      return std::make_unique<Profile12Text>(segment_len, shape);
    case kProfileImage13:
      return std::make_unique<Profile13Image>(segment_len, shape);
    case kProfileText14:  // profile 12's unit (frozen) with profile 14's prior
      return std::make_unique<Profile12Text>(segment_len, shape, &profile14_prior());
    default:
      throw Error(ErrorCode::unsupported_version, "unknown mixer profile " + std::to_string(profile));
  }
}

// Whether units of `profile` for segments of a and b bytes start in the same
// state, so that one set up for a codes b exactly as b's own would (a unit
// set up ahead of its segment, mixed_coding.hpp UnitAhead). Profile 5 takes
// two sizes from the length n, its nibble table's and its match table's
// (docs/FORMAT.md "Profile 5": NT and MT[0..2^b-1]), and nothing else (its
// history's reserve is capacity, not state): every segment up to 32 KiB
// starts alike. Profile 7 takes the same two (its long match's table is as
// large as the match table). Profile 10 takes its own nibble table's size,
// the match table's and apm2's (profile10_text.hpp). The other profiles are
// compared by length. Pinned by
// tests/test_unit_ahead.cpp, which decodes with units set up for other
// lengths.
inline bool same_start(uint8_t profile, size_t a, size_t b) {
  if (profile == kProfileText5 || profile == kProfileText7)
    return nibble_table_bytes(a) == nibble_table_bytes(b) && table_bits(a) == table_bits(b);
  if (profile == kProfileText10 || profile == kProfileText12 || profile == kProfileText14)  // 12 and 14 size their tables as 10
    return p10_nibble_table_bytes(a) == p10_nibble_table_bytes(b) && table_bits(a) == table_bits(b) &&
           p10_order2_bits(a) == p10_order2_bits(b);
  return a == b;
}

}  // namespace mbz::mix
