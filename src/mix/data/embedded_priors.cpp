// The prior files' bytes, assembled into the object from the files
// themselves (.incbin), so the table in the library is the file the tests
// pin (tests/frozen-units.sha256), and the units' priors parsed from them.
// MBZ_PROFILE11_PRIOR: the file's path, from CMakeLists.txt.
#include "mix/data/embedded_priors.hpp"

#include <string>

#include "mbz/error.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profiles/profile11_image.hpp"

#ifndef MBZ_PROFILE11_PRIOR
#error "MBZ_PROFILE11_PRIOR must name src/mix/data/profile11.prior"
#endif

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".global mbz_profile11_prior_begin\n"
        ".hidden mbz_profile11_prior_begin\n"
        "mbz_profile11_prior_begin:\n"
        ".incbin \"" MBZ_PROFILE11_PRIOR "\"\n"
        ".global mbz_profile11_prior_end\n"
        ".hidden mbz_profile11_prior_end\n"
        "mbz_profile11_prior_end:\n"
        ".previous\n");

extern "C" const uint8_t mbz_profile11_prior_begin[];
extern "C" const uint8_t mbz_profile11_prior_end[];

namespace mbz::mix {

const uint8_t* const kProfile11Prior = mbz_profile11_prior_begin;
const size_t kProfile11PriorSize = static_cast<size_t>(mbz_profile11_prior_end - mbz_profile11_prior_begin);

const WeightPrior& profile11_prior() {
  static const WeightPrior prior = [] {
    WeightPrior p;
    std::string why;
    if (!parse_weight_prior(kProfile11Prior, kProfile11PriorSize, p, &why)) throw Error(ErrorCode::internal, "profile 11's " + why);
    const bool fits = p.profile == kProfileImage11 && p.inputs == Profile11Image::kInputs &&
                      p.final_inputs == Profile11Image::kFinalInputs && p.final_rows == 256 &&
                      p.set_rows == Profile11Image::set_rows();
    if (!fits) throw Error(ErrorCode::internal, "profile 11's prior does not fit the unit");
    return p;
  }();
  return prior;
}

}  // namespace mbz::mix
