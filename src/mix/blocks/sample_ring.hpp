// sample_ring.hpp — where a block keeps what it stores a sample (a pixel, an
// error) when it reads back at most two rows and two frames: a ring of a
// power of two slots instead of one slot a sample of the segment, so that
// its memory follows the row, not the segment (speed and memory only: every
// read gives what the full array would).
//
// A ring slot is reused once the samples have moved a ring's length on; a
// read of a sample never written must still give the initial value, so
// every read must be of a sample already coded, at most 2 rows + 2 frames
// back. Reads reach up to two frames right in the row above (n + 2 frames),
// which is behind the sample being coded only when a row is longer than two
// frames; narrower images keep a slot a sample.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mix/blocks/sample_grid.hpp"

namespace mbz::mix {

struct SampleRing {
  explicit SampleRing(const SampleGrid& g) {
    const size_t c = static_cast<size_t>(g.channels);
    if (g.up <= 2 * c) {
      slots = g.vals.size();
      mask = ~size_t{0};
      return;
    }
    slots = 1;
    while (slots < 2 * g.up + 2 * c + 2) slots <<= 1;
    mask = slots - 1;
  }
  size_t operator()(size_t j) const { return j & mask; }

  size_t slots;  // how many the block allocates
  size_t mask;   // a grid index's slot: j & mask
};

}  // namespace mbz::mix
