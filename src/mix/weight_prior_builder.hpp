// weight_prior_builder.hpp — the building side of weight priors
// (mix/blocks/weight_prior.hpp, docs/FORMAT.md "Weight priors"): sums of a
// unit's weights over many segments, and their average as a prior's file.
// tools/build_prior.cpp builds profiles 11's to 14's with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/weight_prior.hpp"

namespace mbz::mix {

class WeightPriorSums {
 public:
  // The shape of the unit's weights: first-layer sets of `inputs` weights
  // a row, set_rows rows each; a final mixer of final_rows rows of
  // final_inputs.
  WeightPriorSums(uint8_t profile, uint32_t inputs, std::vector<uint32_t> set_rows, uint32_t final_inputs, uint32_t final_rows);
  // dense: every set's rows in order, then the final mixer's, as the unit
  // holds them at a segment's end. Throws Error(internal) for another shape.
  void add(const std::vector<int32_t>& dense);
  // The prior's file: the average of every weight (rounded half away from
  // zero; a set's weights then to a multiple of kRowWeightStep, the same
  // way), listing the rows whose weights so averaged differ from `start`
  // (the dense weights of a fresh unit with no prior). Throws
  // Error(internal) when nothing was added. A set's weight that leaves the
  // 16 bits of quarters it is stored in (|w| > 131,068, 2.0 in the sets'
  // 16.16) throws too, unless `clamped` is given: then it is stored as the
  // nearest end of the range and counted there (profile 9's sets end a few
  // photographs with a weight or two past it; a prior is a start, and the
  // unit's own rate moves such a weight on within a few hundred decisions).
  std::vector<uint8_t> prior_file(const std::vector<int32_t>& start, size_t* clamped = nullptr) const;
  size_t segments() const { return count_; }

 private:
  WeightPrior shape_;
  std::vector<int64_t> sum_;
  size_t count_ = 0;
};

}  // namespace mbz::mix
