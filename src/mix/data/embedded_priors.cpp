// The prior files' bytes, assembled into the object from the files
// themselves (.incbin), so the table in the library is the file the tests
// pin (tests/frozen-units.sha256), and the units' priors parsed from them.
// MBZ_PROFILE<N>_PRIOR: each file's path, from CMakeLists.txt.
#include "mix/data/embedded_priors.hpp"

#include <string>
#include <vector>

#include "mbz/error.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profiles/profile11_image.hpp"
#include "mix/profiles/profile12_text.hpp"
#include "mix/profiles/profile13_image.hpp"

#if !defined(MBZ_PROFILE11_PRIOR) || !defined(MBZ_PROFILE12_PRIOR) || !defined(MBZ_PROFILE13_PRIOR) || \
    !defined(MBZ_PROFILE14_PRIOR)
#error "MBZ_PROFILE11_PRIOR ... MBZ_PROFILE14_PRIOR must name src/mix/data/profile11.prior ... profile14.prior"
#endif

// One prior: its bytes in .rodata between the symbols
// mbz_profile<N>_prior_begin and _end, which only this object sees.
#define MBZ_EMBED_PRIOR(N, PATH)                                    \
  __asm__(".section .rodata\n"                                      \
          ".balign 16\n"                                            \
          ".global mbz_profile" #N "_prior_begin\n"                 \
          ".hidden mbz_profile" #N "_prior_begin\n"                 \
          "mbz_profile" #N "_prior_begin:\n"                        \
          ".incbin \"" PATH "\"\n"                                  \
          ".global mbz_profile" #N "_prior_end\n"                   \
          ".hidden mbz_profile" #N "_prior_end\n"                   \
          "mbz_profile" #N "_prior_end:\n"                          \
          ".previous\n");                                           \
  extern "C" const uint8_t mbz_profile##N##_prior_begin[];          \
  extern "C" const uint8_t mbz_profile##N##_prior_end[];            \
  const uint8_t* const mbz::mix::kProfile##N##Prior = mbz_profile##N##_prior_begin; \
  const size_t mbz::mix::kProfile##N##PriorSize =                   \
      static_cast<size_t>(mbz_profile##N##_prior_end - mbz_profile##N##_prior_begin);

MBZ_EMBED_PRIOR(11, MBZ_PROFILE11_PRIOR)
MBZ_EMBED_PRIOR(12, MBZ_PROFILE12_PRIOR)
MBZ_EMBED_PRIOR(13, MBZ_PROFILE13_PRIOR)
MBZ_EMBED_PRIOR(14, MBZ_PROFILE14_PRIOR)

namespace mbz::mix {

namespace {
// A built-in prior, parsed and checked against its unit's shape; throws
// Error(internal) for a library whose prior does not fit (a build error).
WeightPrior checked(const uint8_t* data, size_t size, uint8_t profile, uint32_t inputs, uint32_t final_inputs,
                    const std::vector<uint32_t>& set_rows) {
  WeightPrior p;
  std::string why;
  const std::string name = "profile " + std::to_string(profile) + "'s ";
  if (!parse_weight_prior(data, size, p, &why)) throw Error(ErrorCode::internal, name + why);
  if (p.profile != profile || p.inputs != inputs || p.final_inputs != final_inputs || p.final_rows != 256 || p.set_rows != set_rows)
    throw Error(ErrorCode::internal, name + "prior does not fit the unit");
  return p;
}
}  // namespace

const WeightPrior& profile11_prior() {
  static const WeightPrior prior = checked(kProfile11Prior, kProfile11PriorSize, kProfileImage11, Profile11Image::kInputs,
                                           Profile11Image::kFinalInputs, Profile11Image::set_rows());
  return prior;
}

const WeightPrior& profile12_prior() {
  static const WeightPrior prior = checked(kProfile12Prior, kProfile12PriorSize, kProfileText12, Profile12Text::kInputs,
                                           Profile12Text::kSets, Profile12Text::set_rows());
  return prior;
}

const WeightPrior& profile13_prior() {
  static const WeightPrior prior = checked(kProfile13Prior, kProfile13PriorSize, kProfileImage13, Profile13Image::kInputs,
                                           Profile13Image::kFinalInputs, Profile13Image::set_rows());
  return prior;
}

const WeightPrior& profile14_prior() {
  static const WeightPrior prior = checked(kProfile14Prior, kProfile14PriorSize, kProfileText14, Profile12Text::kInputs,
                                           Profile12Text::kSets, Profile12Text::set_rows());
  return prior;
}

}  // namespace mbz::mix
