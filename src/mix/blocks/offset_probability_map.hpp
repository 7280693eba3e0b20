// offset_probability_map.hpp — the APM of profile 10 and later: the same
// map, the same arithmetic as probability_map.hpp's (docs/FORMAT.md "Shared
// primitives", "Adaptive probability maps"), set up in no time.
//
// ProbabilityMap writes the identity map into every context when it is made
// (profile 7's five APMs: 27 MiB, for any segment), after the kernel zeroed
// the same fresh pages. Here a cell is stored as its difference from the
// identity map's cell at the same position, mod 2^16: a context never used
// is all zeros, so the kernel's zeroing is the whole set-up
// (zeroed_pages.hpp). The values read and written are ProbabilityMap's:
// cell = (identity[j] + stored) mod 2^16 is exact because every cell stays
// in 0..65535. Speed only; frozen with profile 10 (tests/frozen-units.sha256).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "common/zeroed_pages.hpp"
#include "mix/blocks/prefetch.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix {

class OffsetProbabilityMap {
 public:
  // contexts x 33 cells, every context the identity map.
  explicit OffsetProbabilityMap(uint32_t contexts) : cells_(size_t{contexts} * 33) {
    for (int j = 0; j < 33; ++j) identity_[static_cast<size_t>(j)] = static_cast<uint16_t>(squash((j - 16) * 128) * 16);
  }
  int refine(int p, uint32_t ctx) {
    const int s = stretch(p) + 2048;  // 1..4095
    const int w = s & 127;
    const uint32_t j = static_cast<uint32_t>(s >> 7);
    const size_t lo = size_t{ctx} * 33 + j;
    const int near = w >= 64 ? 1 : 0;  // the nearer cell learns
    idx_ = lo + static_cast<size_t>(near);
    j_ = j + static_cast<uint32_t>(near);
    return std::clamp((cell(lo, j) * (128 - w) + cell(lo + 1, j + 1) * w) >> 11, 1, kProbOne - 1);
  }
  void prefetch(uint32_t ctx) const { prefetch_span(&cells_[size_t{ctx} * 33], 33 * sizeof(uint16_t)); }
  void update(int bit, int shift) {
    const int32_t target = bit ? 65535 : 0;
    const int32_t v = cell(idx_, j_);
    cells_[idx_] = static_cast<uint16_t>(v + ((target - v) >> shift) - identity_[j_]);
  }

 private:
  int32_t cell(size_t i, uint32_t j) const { return static_cast<uint16_t>(cells_[i] + identity_[j]); }

  ZeroedArray<uint16_t> cells_;
  std::array<uint16_t, 33> identity_{};
  size_t idx_ = 0;
  uint32_t j_ = 0;
};

}  // namespace mbz::mix
