// The audio predictors of profiles 3 and 4 (audio_predictors.hpp).
#include "mix/blocks/audio_predictors.hpp"

#include <algorithm>

namespace mbz::mix {

AudioPredictors::AudioPredictors(const SampleGrid& g) : errs_(g.vals.size(), 0), errs2_(g.vals.size(), 0) {}

// The channel's own past (newest first), then the other channels' newest samples.
void AudioPredictors::gather(const SampleGrid& g, std::vector<int32_t>& x, int own) const {
  x.resize(static_cast<size_t>(own + kCross));
  const size_t c = static_cast<size_t>(g.channels), s = g.sample;
  for (int i = 0; i < own; ++i) x[static_cast<size_t>(i)] = g.at(s - c * static_cast<size_t>(i + 1));
  const int ch = g.channel;
  int32_t* cross = x.data() + own;
  cross[0] = ch > 0 ? g.at(s - 1) : 0;                              // same frame, previous channel
  cross[1] = g.channels > 1 ? g.at(s - 1 - (ch > 0 ? c : 0)) : 0;   // that channel, a frame earlier
  cross[2] = ch + 1 < g.channels ? g.at(s + 1 - c) : 0;             // next channel, a frame earlier
}

void AudioPredictors::predict(const SampleGrid& g, int64_t* pred) {
  const size_t c = static_cast<size_t>(g.channels), s = g.sample;
  gather(g, x_short_, kOwnShort);
  gather(g, x_long_, kOwnLong);
  pred[0] = la0_.predict(x_short_.data());
  pred[1] = la1_.predict(x_long_.data());
  x_err_.resize(kStage2);
  for (int i = 0; i < kStage2; ++i) x_err_[static_cast<size_t>(i)] = errs_[s - c * static_cast<size_t>(i + 1)];
  pred[2] = pred[1] + la2_.predict(x_err_.data());
  gather(g, x_mid_, kOwnMid);
  pred[3] = la3_.predict(x_mid_.data());
  pred[4] = 0;
  x_err2_.resize(kStage3);
  for (int i = 0; i < kStage3; ++i) x_err2_[static_cast<size_t>(i)] = errs2_[s - c * static_cast<size_t>(i + 1)];
  pred[5] = pred[2] + la4_.predict(x_err2_.data());
}

void AudioPredictors::update(const SampleGrid& g, int32_t v, const int64_t* pred) {
  la0_.update(x_short_.data(), v - pred[0]);
  la1_.update(x_long_.data(), v - pred[1]);
  la2_.update(x_err_.data(), v - pred[2]);
  la3_.update(x_mid_.data(), v - pred[3]);
  la4_.update(x_err2_.data(), v - pred[5]);
  errs_[g.sample] = static_cast<int32_t>(std::clamp<int64_t>(v - pred[1], -(1 << 24), 1 << 24));
  errs2_[g.sample] = static_cast<int32_t>(std::clamp<int64_t>(v - pred[2], -(1 << 24), 1 << 24));
}

}  // namespace mbz::mix
