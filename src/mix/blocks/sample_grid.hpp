// sample_grid.hpp — a numeric profile's view of the segment as samples: the
// parameters from the shape, the values decoded so far and the bits of the
// one being decoded (docs/FORMAT.md "Mixed segments", "Numeric model
// (profiles 3 and 4)": "Parameters", "Samples", "Bit state"). Frozen: listed
// in tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/sample_shape.hpp"

namespace mbz::mix {

constexpr int kMaxPredictors = 10;  // P0..P9
constexpr int kHistoryTaps = 256;   // the most taps a filter reads back in its own channel

struct SampleGrid {
  // shape.value_format must be valid (value_format_ok).
  SampleGrid(SampleShape sh, size_t len)
      : bytes(value_bytes(sh.value_format)),
        bits(8 * bytes),
        is_signed(value_signed(sh.value_format)),
        channels(static_cast<int>(sh.stride) / bytes),
        row_samples(sh.row / static_cast<uint32_t>(bytes)),
        skip(sh.phase / static_cast<uint32_t>(bytes)),
        span((sh.phase + uint64_t{len}) / static_cast<uint64_t>(bytes) - skip + 2 + static_cast<size_t>(channels)),
        up(std::min<uint64_t>(row_samples, span + 2 * static_cast<size_t>(channels))),
        pad(static_cast<size_t>(kHistoryTaps + 4) * static_cast<size_t>(channels) + 2 * up + 8),
        vals(pad + span, 0),
        sample(pad),
        depth(static_cast<int>(sh.phase % static_cast<uint32_t>(bytes)) * 8) {}  // a sample cut by the segment start

  int bytes, bits;
  bool is_signed;
  int channels;
  uint32_t row_samples;
  // The history holds the segment's samples from index pad on; the samples
  // before the segment are all 0 (by the format), and only the pad nearest
  // to it is stored, so the memory is bounded by the segment's length, not
  // by the row (or the phase) its shape claims. The sample at index j is
  // sample skip + (j - pad) of the payload's frame grid from the row's (or
  // frame's) start before the segment: the phase in whole samples.
  uint64_t skip;
  size_t span;                // slots from pad on: the segment's samples, a partial one, and one past
                              // the end plus a frame (image taps up-right of a one-pixel row read ahead)
  // The row's length as a distance back in the history. A row longer than
  // span + 2 channels reads, at every tap that involves it (the nearest
  // being up and two right: row - 2 channels back), a sample before the
  // segment: 0. A shorter distance with that property reads the same zeros,
  // so a longer row is cut to it (and pad with it).
  size_t up;
  size_t pad;                 // zeros standing for samples before the segment
  std::vector<int32_t> vals;  // sample values, pad + index in the payload's frame grid
  size_t sample;              // index in vals of the sample being coded
  int depth;                  // bits of it coded
  uint32_t prefix = 0;        // those bits, offset binary (monotone in the value)
  int channel = 0;            // its channel (begin_sample)

  int32_t at(size_t j) const { return vals[j]; }
  int32_t mask() const { return static_cast<int32_t>((int64_t{1} << bits) - 1); }
  int32_t half() const { return 1 << (bits - 1); }
  void begin_sample() { channel = static_cast<int>((skip + (sample - pad)) % static_cast<uint64_t>(channels)); }
  // up: the bit as offset binary; true when it ended the sample.
  bool push_bit(int up) {
    prefix = (prefix << 1) | static_cast<uint32_t>(up);
    return ++depth == bits;
  }
  // The finished sample's value, stored.
  int32_t end_sample() {
    const int32_t v = static_cast<int32_t>(prefix) - (is_signed ? (1 << (bits - 1)) : 0);
    vals[sample] = v;
    return v;
  }
  void next_sample() {
    ++sample;
    depth = 0;
    prefix = 0;
  }
};

}  // namespace mbz::mix
