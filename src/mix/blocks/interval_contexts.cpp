// The interval contexts of the numeric profiles (interval_contexts.hpp).
#include "mix/blocks/interval_contexts.hpp"

#include <algorithm>

namespace mbz::mix {

int quantize(int64_t z, bool fine) {
  const int64_t a = z < 0 ? -z : z;
  int q;
  if (a < 8) {
    q = static_cast<int>(a);
  } else {
    const int l = ilog2_u64(static_cast<uint64_t>(a));
    q = fine ? std::min(31, 8 + 4 * (l - 3) + static_cast<int>((a >> (l - 2)) & 3))
             : std::min(31, 8 + 2 * (l - 3) + static_cast<int>((a >> (l - 1)) & 1));
  }
  return z < 0 ? -q : q;
}

void IntervalContexts::begin_bit(const SampleGrid& g, const int64_t* pred, const ErrorScales& scales) {
  flip_ = g.is_signed && g.depth == 0;
  const int left = g.bits - g.depth;  // bits still to code: the interval is 2^left wide
  const int64_t lo = (int64_t{g.prefix} << left) - (g.is_signed ? (int64_t{1} << (g.bits - 1)) : 0);
  const int64_t mid = lo + (int64_t{1} << (left - 1));
  const bool fine_q = g.row_samples == 0;
  const size_t coarse_ch = static_cast<size_t>(g.channel & 3);
  for (int i = 0; i < n_; ++i) {
    const size_t k = static_cast<size_t>(i);
    qd_[k] = quantize((mid - pred[k]) * 64 / scales.scale[k], fine_q);
    qw_[k] = std::clamp(left - scales.scale_log[k] + 4 + 3, 0, kQw - 1);
    live_[2 * k] = &fine_[(k * kQw + static_cast<size_t>(qw_[k])) * kQd + static_cast<size_t>(qd_[k] + 32)];
    const int qc = std::clamp(qd_[k] / 4, -7, 7) + 8;
    live_[2 * k + 1] = &coarse_[((k * kQw + static_cast<size_t>(qw_[k])) * 16 + static_cast<size_t>(qc)) * 4 + coarse_ch];
    __builtin_prefetch(live_[2 * k]);
    __builtin_prefetch(live_[2 * k + 1]);
  }
}

}  // namespace mbz::mix
