// embedded_priors.hpp — the weight priors built into the library (their
// files in src/mix/data/, read at build time: nothing is loaded at run
// time). Each is frozen with the profile that reads it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mbz::mix {

// src/mix/data/profile11.prior (weight_prior.hpp's format).
extern const uint8_t* const kProfile11Prior;
extern const size_t kProfile11PriorSize;
// src/mix/data/profile12.prior.
extern const uint8_t* const kProfile12Prior;
extern const size_t kProfile12PriorSize;
// src/mix/data/profile13.prior.
extern const uint8_t* const kProfile13Prior;
extern const size_t kProfile13PriorSize;
// src/mix/data/profile14.prior.
extern const uint8_t* const kProfile14Prior;
extern const size_t kProfile14PriorSize;

struct WeightPrior;
// The prior profile 14 starts profile 12's unit from (Profile12Text's
// `prior`): profile14.prior, parsed and checked against that unit's shape
// once (a library whose prior does not fit throws Error(internal) at the
// first profile-14 segment). Profiles 11-13 declare theirs with their units.
const WeightPrior& profile14_prior();

}  // namespace mbz::mix
