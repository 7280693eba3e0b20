// probability_map.hpp — the adaptive probability map (APM) of every profile
// (docs/FORMAT.md "Mixed segments", "Shared primitives"). Frozen: listed in
// tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "common/huge_pages.hpp"
#include "mix/blocks/prefetch.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix {

// Refines p in context ctx by interpolating 33 cells; the nearer cell learns.
class ProbabilityMap {
 public:
  // Every context starts as the identity map; its 33 cells are computed once
  // and copied (2 M squash calls made a mixer's set-up cost ~7 ms), into
  // memory not zeroed first (4.3 MiB for order 1: huge pages, few faults).
  explicit ProbabilityMap(uint32_t contexts) : cells_(size_t{contexts} * 33, Uninitialized{}) {
    std::array<uint16_t, 33> identity{};
    for (int j = 0; j < 33; ++j) identity[static_cast<size_t>(j)] = static_cast<uint16_t>(squash((j - 16) * 128) * 16);
    for (size_t c = 0; c < contexts; ++c) std::copy(identity.begin(), identity.end(), cells_.data() + c * 33);
  }
  int refine(int p, uint32_t ctx) {
    const int s = stretch(p) + 2048;  // 1..4095
    const int w = s & 127;
    const size_t lo = ctx * 33 + static_cast<uint32_t>(s >> 7);
    idx_ = static_cast<uint32_t>(lo) + (w >= 64 ? 1 : 0);  // the nearer cell learns
    return std::clamp((cells_[lo] * (128 - w) + cells_[lo + 1] * w) >> 11, 1, kProbOne - 1);
  }
  void prefetch(uint32_t ctx) const { prefetch_span(&cells_[size_t{ctx} * 33], 33 * sizeof(uint16_t)); }
  void update(int bit, int shift) {
    const int32_t target = bit ? 65535 : 0;
    cells_[idx_] = static_cast<uint16_t>(cells_[idx_] + ((target - cells_[idx_]) >> shift));
  }

 private:
  HugePageArray<uint16_t> cells_;
  uint32_t idx_ = 0;
};

}  // namespace mbz::mix
