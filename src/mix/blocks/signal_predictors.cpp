// Profile 4's signal predictors (signal_predictors.hpp).
#include "mix/blocks/signal_predictors.hpp"

#include <algorithm>

namespace mbz::mix {

SignalPredictors::SignalPredictors(const SampleGrid& g)
    : sig_(g.vals.size(), 0),
      dsig_(g.vals.size(), 0),
      sig_errs_(g.vals.size(), 0),
      sig_frac_(g.bits <= 16 ? 4 : 0),
      sig_state_(2 * static_cast<size_t>(g.channels), 0) {}

// The signal's first differences: the channel's own past (newest first),
// then the other channel's (the previous one, whose current sample is
// known, else the next), its newest first.
void SignalPredictors::gather(const SampleGrid& g, std::vector<int32_t>& x, int own) const {
  const size_t c = static_cast<size_t>(g.channels), s = g.sample;
  x.assign(static_cast<size_t>(own + kSigOther + 1), 0);
  for (int i = 0; i < own; ++i) x[static_cast<size_t>(i)] = dsig_[s - c * static_cast<size_t>(i + 1)];
  if (g.channels == 1) return;
  const size_t other = g.channel > 0 ? s - 1 : s + 1 - c;  // its newest known sample
  for (int i = 0; i <= kSigOther; ++i) x[static_cast<size_t>(own + i)] = dsig_[other - c * static_cast<size_t>(i)];
}

// The rebuilt signal s follows s[t] = r[t] + base[t], base[t] =
// 2ρ s[t-1] − ρ² s[t-2] with ρ = 1 − 2^-kSigLeak: the samples themselves
// (r = x − (2x[t-1] − x[t-2])) but for a high-pass below a few Hz, which
// also forgets the offset and slope a segment starting inside the
// payload cannot know. Kept in 2^-16 of a sample (the high-pass would
// amplify rounding errors), predicted in 2^-sig_frac.
void SignalPredictors::predict(const SampleGrid& g, int64_t* pred) {
  const size_t c = static_cast<size_t>(g.channels), s = g.sample;
  const size_t ch = static_cast<size_t>(g.channel);
  const int64_t s1 = sig_state_[2 * ch], s2 = sig_state_[2 * ch + 1];
  sig_base_ = 2 * s1 - s2 - ((s1 - s2) >> (kSigLeak - 1)) - (s2 >> (2 * kSigLeak));
  const auto as_residual = [&](int64_t p) { return (p * (int64_t{1} << (16 - sig_frac_)) - sig_base_) >> 16; };
  const int64_t last = sig_[s - c];
  int64_t from = last;
  if (ch > 0) {
    // The difference to the previous channel, predicted from its past.
    x_sig_short_.resize(kSigSide);
    for (int i = 0; i < kSigSide; ++i) {
      const size_t j = s - c * static_cast<size_t>(i + 1);
      x_sig_short_[static_cast<size_t>(i)] = sig_[j] - sig_[j - 1];
    }
    from = sig_[s - 1];
    short_fast_ = &ls5_, short_slow_ = &ls9_;
  } else {
    gather(g, x_sig_short_, kSigShort);
    short_fast_ = &ls8_, short_slow_ = &ls10_;
  }
  sig_short_ = from + short_fast_->predict(x_sig_short_.data());
  sig_slow_ = from + short_slow_->predict(x_sig_short_.data());
  pred[6] = as_residual(sig_short_);
  pred[9] = as_residual(sig_slow_);
  gather(g, x_sig_long_, kSigLong);
  sig_long_ = last + ls6_.predict(x_sig_long_.data());
  pred[7] = as_residual(sig_long_);
  x_sig_err_.resize(kSigStage);
  for (int i = 0; i < kSigStage; ++i) x_sig_err_[static_cast<size_t>(i)] = sig_errs_[s - c * static_cast<size_t>(i + 1)];
  sig_stage_ = ls7_.predict(x_sig_err_.data());
  pred[8] = as_residual(sig_long_ + sig_stage_);
}

void SignalPredictors::update(const SampleGrid& g, int32_t v) {
  const size_t c = static_cast<size_t>(g.channels), ch = static_cast<size_t>(g.channel);
  int64_t* st = &sig_state_[2 * ch];
  st[1] = st[0];
  st[0] = std::clamp<int64_t>(int64_t{v} * 65536 + sig_base_, -(int64_t{1} << 44), int64_t{1} << 44);
  const int32_t s = static_cast<int32_t>(std::clamp<int64_t>(st[0] >> (16 - sig_frac_), -(1 << 25), 1 << 25));
  sig_[g.sample] = s;
  dsig_[g.sample] = s - sig_[g.sample - c];
  short_fast_->update(x_sig_short_.data(), s - sig_short_);
  short_slow_->update(x_sig_short_.data(), s - sig_slow_);
  ls6_.update(x_sig_long_.data(), s - sig_long_);
  const int64_t e = std::clamp<int64_t>(s - sig_long_, -(1 << 24), 1 << 24);
  ls7_.update(x_sig_err_.data(), e - sig_stage_);
  sig_errs_[g.sample] = static_cast<int32_t>(e);
}

}  // namespace mbz::mix
