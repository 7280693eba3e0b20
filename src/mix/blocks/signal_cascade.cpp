// Profile 8's cascade on the rebuilt signal (signal_cascade.hpp).
#include "mix/blocks/signal_cascade.hpp"

#include <algorithm>

namespace mbz::mix {

namespace {

constexpr int kSigLeak = 10;                   // as signal_predictors.hpp's
constexpr int64_t kErrorLimit = int64_t{1} << 24;  // each stage's error, clamped
constexpr int64_t kFitLimit = int64_t{1} << 30;    // the fit's prediction, clamped

int sign_code(int64_t e) { return (e > 0) - (e < 0) + 1; }  // 0, 1, 2

}  // namespace

SignalCascade::Channel::Channel(int ols_taps, size_t samples) : ols(ols_taps, kDecayShift) {
  e1.reserve(kStage2Taps + samples);
  e2.reserve(kStage3Taps + samples);
  e1.assign(kStage2Taps, 0);
  e2.assign(kStage3Taps, 0);
}

SignalCascade::SignalCascade(const SampleGrid& g)
    : sig_(g.vals.size(), 0), sig_frac_(g.bits <= 16 ? 4 : 0), sig_state_(2 * static_cast<size_t>(g.channels), 0) {
  const size_t c = static_cast<size_t>(g.channels);
  const size_t per_channel = g.vals.size() / c + 1;
  channels_.reserve(c);
  for (size_t i = 0; i < c; ++i) channels_.emplace_back(kOwnTaps + (c > 1 ? kOtherTaps : 0), per_channel);
}

void SignalCascade::predict(const SampleGrid& g, int64_t* pred) {
  const size_t c = static_cast<size_t>(g.channels), s = g.sample, ch = static_cast<size_t>(g.channel);
  const int64_t s1 = sig_state_[2 * ch], s2 = sig_state_[2 * ch + 1];
  sig_base_ = 2 * s1 - s2 - ((s1 - s2) >> (kSigLeak - 1)) - (s2 >> (2 * kSigLeak));
  Channel& k = channels_[ch];
  at_ = &k;
  // Stage 1's taps: the channel's own past, newest first; then the other
  // channel's (the previous one, whose current value is known, else the
  // next, a frame back), newest first.
  for (int i = 0; i < kOwnTaps; ++i) k.ols.x(i) = sig_[s - c * static_cast<size_t>(i + 1)];
  if (c > 1) {
    const size_t other = ch > 0 ? s - 1 : s + 1 - c;
    for (int i = 0; i < kOtherTaps; ++i) k.ols.x(kOwnTaps + i) = sig_[other - c * static_cast<size_t>(i)];
  }
  if (k.samples++ % kSolveEvery == 0) k.ols.solve();
  k.q1 = std::clamp<int64_t>(k.ols.predict(), -kFitLimit, kFitLimit);
  k.q2 = k.stage2.predict(k.e1.data() + k.e1.size() - kStage2Taps);
  k.q3 = k.stage3.predict(k.e2.data() + k.e2.size() - kStage3Taps);
  k.q4 = (k.bias[static_cast<size_t>(k.bias_context)] + 8) >> 4;
  const auto as_residual = [&](int64_t p) { return (p * (int64_t{1} << (16 - sig_frac_)) - sig_base_) >> 16; };
  pred[kFirst] = as_residual(k.q1);
  pred[kFirst + 1] = as_residual(k.q1 + k.q2);
  pred[kFirst + 2] = as_residual(k.q1 + k.q2 + k.q3);
  pred[kFirst + 3] = as_residual(k.q1 + k.q2 + k.q3 + k.q4);
}

void SignalCascade::update(const SampleGrid& g, int32_t v) {
  const size_t ch = static_cast<size_t>(g.channel);
  int64_t* st = &sig_state_[2 * ch];
  st[1] = st[0];
  st[0] = std::clamp<int64_t>(int64_t{v} * 65536 + sig_base_, -(int64_t{1} << 44), int64_t{1} << 44);
  const int32_t s = static_cast<int32_t>(std::clamp<int64_t>(st[0] >> (16 - sig_frac_), -(1 << 25), 1 << 25));
  sig_[g.sample] = s;

  Channel& k = *at_;
  k.ols.update(s);
  const int64_t e1 = std::clamp<int64_t>(s - k.q1, -kErrorLimit, kErrorLimit);
  k.stage2.update(k.e1.data() + k.e1.size() - kStage2Taps, e1 - k.q2);
  const int64_t e2 = std::clamp<int64_t>(e1 - k.q2, -kErrorLimit, kErrorLimit);
  const int64_t e3 = std::clamp<int64_t>(e2 - k.q3, -kErrorLimit, kErrorLimit);
  k.stage3.update(k.e2.data() + k.e2.size() - kStage3Taps, e3);
  int32_t& b = k.bias[static_cast<size_t>(k.bias_context)];
  b += static_cast<int32_t>((e3 * 16 - b) >> kBiasShift);
  k.bias_context = (k.bias_context * 3 + sign_code(e3)) % kBiasContexts;
  k.e1.push_back(static_cast<int32_t>(e1));
  k.e2.push_back(static_cast<int32_t>(e2));
}

}  // namespace mbz::mix
