// signal_predictors.hpp — P6..P9 of profile 4: audio given as delta2
// residuals rebuilt into its signal (high-passed), predicted from its first
// differences, each channel after the first from the one before plus a
// predicted difference, and turned back into predictions of the residual
// (docs/FORMAT.md "Mixed segments", "Profile 4: the signal rebuilt").
// Filters over residuals cannot undo the second difference where a signal is
// nearly white, above all the small difference between two nearly equal
// channels, which is here predicted directly. Profile 4 alone uses it.
// Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <cstdint>
#include <vector>

#include "mix/blocks/lms_filter.hpp"
#include "mix/blocks/sample_grid.hpp"

namespace mbz::mix {

class SignalPredictors {
 public:
  // g.row_samples == 0, signed samples.
  explicit SignalPredictors(const SampleGrid& g);
  SignalPredictors(const SignalPredictors&) = delete;
  SignalPredictors& operator=(const SignalPredictors&) = delete;
  // P6..P9 of the sample g is at.
  void predict(const SampleGrid& g, int64_t* pred);
  // After the sample's value v.
  void update(const SampleGrid& g, int32_t v);

 private:
  void gather(const SampleGrid& g, std::vector<int32_t>& x, int own) const;

  // The signal in 1/16 of a sample, predicted from its first differences: a
  // short predictor over the channel's own and the other channel's (steps
  // 2^-3 and 2^-6), a long one (2^-3), a second stage on the long one's
  // errors (2^-3); for a channel after the first, its difference to the
  // previous channel predicted from that difference's past (2^-3, 2^-6).
  static constexpr int kSigShort = 32;
  static constexpr int kSigLong = kHistoryTaps;
  static constexpr int kSigOther = 16;
  static constexpr int kSigStage = 16;
  static constexpr int kSigSide = 16;
  static constexpr int kSigLeak = 10;  // the rebuilt signal forgets its offset and slope in ~2^10 samples
  Lms ls5_{kSigSide, 3}, ls6_{kSigLong + kSigOther + 1, 3}, ls7_{kSigStage, 3}, ls8_{kSigShort + kSigOther + 1, 3},
      ls9_{kSigSide, 6}, ls10_{kSigShort + kSigOther + 1, 6};
  // The signal rebuilt (in 2^-sig_frac of a sample), its first differences,
  // the long signal predictor's errors, and this sample's rebuilding base.
  std::vector<int32_t> sig_, dsig_, sig_errs_;
  int sig_frac_;                    // fractional bits of the rebuilt signal: 4, none for 24-bit samples
  std::vector<int64_t> sig_state_;  // per channel: the last two values of the signal in 2^-16 of a sample
  int64_t sig_base_ = 0;            // in 2^-16 of a sample
  int64_t sig_short_ = 0, sig_long_ = 0, sig_stage_ = 0, sig_slow_ = 0;  // the predictions
  std::vector<int32_t> x_sig_short_, x_sig_long_, x_sig_err_;
  Lms* short_fast_ = nullptr;  // this sample's short predictors: of the channel
  Lms* short_slow_ = nullptr;  // difference after the first channel, else of the signal
};

}  // namespace mbz::mix
