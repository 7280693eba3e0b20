// signal_cascade.hpp — P10..P13 of profile 8: a cascade of predictors on
// audio's rebuilt signal, in the manner of Sac and Monkey's Audio
// (docs/FORMAT.md "Profile 8", "The cascade").
//
// Per channel: (1) a least-squares fit, refitted every 8th sample, over the
// channel's last 32 signal values and 16 of the other channel's (its
// current value first where it is known), forgetting at 2^-9 a sample;
// (2) a fast, long normalized LMS (256 taps, step 2^-2) over the fit's
// errors; (3) a short one (32 taps, 2^-3) over what (2) left; (4) a bias
// learned in the context of the signs of (3)'s last two errors. Each stage
// predicts what the ones before leave; P10..P13 are the running sums, each
// turned back into a prediction of the sample's delta2 residual. The fit
// finds a recording's spectrum and the channels' correlation; the long fast
// filter follows what changes faster than the fit can. Integer arithmetic
// only (docs/EXACTNESS.md §6).
//
// The signal is rebuilt from the residuals exactly as profile 4's
// signal_predictors.cpp rebuilds it (that frozen block keeps its copy
// private): s[t] = r[t] + 2ρ s[t-1] − ρ² s[t-2], ρ = 1 − 2^-10, in 2^-16 of
// a sample, read in 2^-4 (16-bit samples and less) or whole samples.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/lms_filter.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/wide_int_ols.hpp"

namespace mbz::mix {

class SignalCascade {
 public:
  static constexpr int kFirst = 10;  // writes pred[10..13]
  static constexpr int kOwnTaps = 32, kOtherTaps = 16, kDecayShift = 9, kSolveEvery = 8;
  static constexpr int kStage2Taps = 256, kStage2Shift = 2;
  static constexpr int kStage3Taps = 32, kStage3Shift = 3;
  static constexpr int kBiasContexts = 9;  // the signs (-, 0, +) of the last two errors
  static constexpr int kBiasShift = 5;     // the bias's rate

  // g.row_samples == 0, signed samples.
  explicit SignalCascade(const SampleGrid& g);
  SignalCascade(const SignalCascade&) = delete;
  SignalCascade& operator=(const SignalCascade&) = delete;
  // P10..P13 of the sample g is at.
  void predict(const SampleGrid& g, int64_t* pred);
  // After the sample's value v (its delta2 residual).
  void update(const SampleGrid& g, int32_t v);

 private:
  struct Channel {
    Channel(int ols_taps, size_t samples);
    WideIntOls ols;
    Lms stage2{kStage2Taps, kStage2Shift}, stage3{kStage3Taps, kStage3Shift};
    // Stage 1's and stage 2's clamped errors, oldest first, kStage2Taps /
    // kStage3Taps zeros before the segment's first.
    std::vector<int32_t> e1, e2;
    std::array<int32_t, kBiasContexts> bias{};  // in 1/16 of a signal unit
    int bias_context = 0;
    uint64_t samples = 0;                // of this channel so far
    int64_t q1 = 0, q2 = 0, q3 = 0, q4 = 0;  // each stage's prediction of the sample being coded
  };

  std::vector<Channel> channels_;
  Channel* at_ = nullptr;           // the channel of the sample being coded
  std::vector<int32_t> sig_;        // the signal rebuilt, in 2^-sig_frac_ of a sample, indexed as the grid's values
  int sig_frac_;                    // 4, or none for 24-bit samples
  std::vector<int64_t> sig_state_;  // per channel: the signal's last two values in 2^-16 of a sample
  int64_t sig_base_ = 0;            // the sample being coded's rebuilding base, in 2^-16 of a sample
};

}  // namespace mbz::mix
