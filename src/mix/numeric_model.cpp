// Numeric model: adaptive linear predictors and interval contexts for profiles 3 and 4.
#include "mix/numeric_model.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include "common/med_predictor.hpp"
#include "mix/counter.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix {

namespace {

// floor(log2(v)), 0 for v = 0.
int ilog2(uint64_t v) { return v == 0 ? 0 : 63 - __builtin_clzll(v); }

// The LMS filters' loops: plain 64-bit integer sums (exact in any order),
// which the compiler vectorizes; cloned for AVX-512 and AVX2 like the
// engine's kernels, as baseline x86-64 has no signed 32x32->64 multiply.
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
int64_t lms_dot(const int32_t* w, const int32_t* x, size_t n) {
  int64_t s = 0;
  for (size_t i = 0; i < n; ++i) s += int64_t{w[i]} * x[i];
  return s;
}

__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
int64_t lms_energy(const int32_t* x, size_t n) {
  int64_t s = 64;
  for (size_t i = 0; i < n; ++i) s += int64_t{x[i]} * x[i];
  return s;
}

// w += g * x / 2^shift, each weight clamped to +-2^24.
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
void lms_step(int32_t* w, const int32_t* x, size_t n, int64_t g, int shift) {
  for (size_t i = 0; i < n; ++i)
    w[i] = static_cast<int32_t>(std::clamp<int64_t>(w[i] + ((g * x[i]) >> shift), -(1 << 24), 1 << 24));
}

// Normalized LMS in integers: weights in 1/65536, step 2^-shift of the
// error over the inputs' energy.
class Lms {
 public:
  Lms(int order, int shift) : w_(static_cast<size_t>(order), 0), shift_(shift) {}
  int64_t predict(const int32_t* x) const { return lms_dot(w_.data(), x, w_.size()) >> 16; }
  void update(const int32_t* x, int64_t err) {
    const int64_t energy = lms_energy(x, w_.size());
    err = std::clamp<int64_t>(err, -(int64_t{1} << 24), int64_t{1} << 24);
    const int64_t g = err * (int64_t{1} << 28) / energy;  // truncated toward zero; |g * x| < 2^49
    lms_step(w_.data(), x, w_.size(), g, 12 + shift_);
  }

 private:
  std::vector<int32_t> w_;
  int shift_;
};

// Signed log-scale bucket of z: exact up to 8, then two buckets an octave
// (fine: four); |q| <= 31.
int quantize(int64_t z, bool fine) {
  const int64_t a = z < 0 ? -z : z;
  int q;
  if (a < 8) {
    q = static_cast<int>(a);
  } else {
    const int l = ilog2(static_cast<uint64_t>(a));
    q = fine ? std::min(31, 8 + 4 * (l - 3) + static_cast<int>((a >> (l - 2)) & 3))
             : std::min(31, 8 + 2 * (l - 3) + static_cast<int>((a >> (l - 1)) & 1));
  }
  return z < 0 ? -q : q;
}

// Audio predictors (all on the channel's own past, plus kCross taps on the
// other channels): a fast short one, a slow long one, a second stage on the
// long one's errors, a middle one, a third stage on the second's errors.
// Step sizes 2^-2, 2^-4, 2^-3, 2^-3, 2^-3.
constexpr int kOwnShort = 16;
constexpr int kOwnLong = 256;
constexpr int kStage2 = 16;
constexpr int kOwnMid = 32;
constexpr int kStage3 = 32;
constexpr int kCross = 3;
// Image predictors: two over neighbouring residuals (gather_image; steps
// 2^-2 and 2^-5), one over neighbouring pixels (pixel_predictions; 2^-7).
constexpr int kImageTaps = 11;
constexpr int kPixelTaps = 10;
// Audio given as delta2 residuals (profile 4): the signal rebuilt from them
// (signal_predictions), in 1/16 of a sample, and predicted from its first
// differences: a short predictor over the channel's own and the other
// channel's (steps 2^-3 and 2^-6), a long one (2^-3), a second stage on the
// long one's errors (2^-3); for a channel after the first, its difference
// to the previous channel predicted from that difference's past (2^-3, 2^-6).
constexpr int kSigShort = 32;
constexpr int kSigLong = 256;
constexpr int kSigOther = 16;
constexpr int kSigStage = 16;
constexpr int kSigSide = 16;
constexpr int kSigLeak = 10;  // the rebuilt signal forgets its offset and slope in ~2^10 samples
// Interval contexts: the interval's width over the error scale, and where
// the prediction falls from the interval's middle (quantize()).
constexpr int kQw = 16, kQd = 64;

}  // namespace

struct NumericModel::State {
  State(SampleShape sh, size_t len)
      : shape(sh),
        bytes(value_bytes(sh.value_format)),
        bits(8 * bytes),
        is_signed(value_signed(sh.value_format)),
        channels(static_cast<int>(sh.stride) / bytes),
        row_samples(sh.row / static_cast<uint32_t>(bytes)),
        skip(sh.phase / static_cast<uint32_t>(bytes)),
        span((sh.phase + uint64_t{len}) / static_cast<uint64_t>(bytes) - skip + 2 + static_cast<size_t>(channels)),
        up(std::min<uint64_t>(row_samples, span + 2 * static_cast<size_t>(channels))),
        pad(static_cast<size_t>(kOwnLong + 4) * static_cast<size_t>(channels) + 2 * up + 8),
        vals(pad + span, 0),
        errs(sh.row ? 0 : vals.size(), 0),
        errs2(sh.row ? 0 : vals.size(), 0),
        signal((sh.value_format & kValueDelta2) != 0),
        n_pred(signal ? 10 : 6),
        sig(signal ? vals.size() : 0, 0),
        dsig(signal ? vals.size() : 0, 0),
        sig_errs(signal ? vals.size() : 0, 0),
        fine(static_cast<size_t>(n_pred) * kQw * kQd),
        coarse(static_cast<size_t>(n_pred) * kQw * 16 * 4) {
    if (row_samples) {
      lms.emplace_back(kImageTaps, 2);
      lms.emplace_back(kImageTaps, 5);
      lms.emplace_back(kPixelTaps, 7);
      med = (sh.value_format & kValueMed) != 0;
      if (med) pix.assign(vals.size(), 0);
    } else {
      lms.emplace_back(kOwnShort + kCross, 2);
      lms.emplace_back(kOwnLong + kCross, 4);
      lms.emplace_back(kStage2, 3);
      lms.emplace_back(kOwnMid + kCross, 3);
      lms.emplace_back(kStage3, 3);
      if (signal) {
        sig_frac = bits <= 16 ? 4 : 0;
        sig_state.assign(2 * static_cast<size_t>(channels), 0);
        lms.emplace_back(kSigSide, 3);
        lms.emplace_back(kSigLong + kSigOther + 1, 3);
        lms.emplace_back(kSigStage, 3);
        lms.emplace_back(kSigShort + kSigOther + 1, 3);
        lms.emplace_back(kSigSide, 6);
        lms.emplace_back(kSigShort + kSigOther + 1, 6);
      }
    }
    err_avg.assign(size_t{kMaxPredictors} * (signal ? static_cast<size_t>(channels) : 1), 16 << 4);
    sample = pad;
    depth = static_cast<int>(sh.phase % static_cast<uint32_t>(bytes)) * 8;  // a sample cut by the segment start
    begin_sample();
    begin_bit();
  }

  SampleShape shape;
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
  std::vector<int32_t> errs;   // audio: the long predictor's errors, indexed as vals
  std::vector<int32_t> errs2;  // audio: the second stage's errors
  // Audio of delta2 residuals: the signal rebuilt (in 2^-sig_frac of a
  // sample), its first differences, the long signal predictor's errors, and
  // this sample's rebuilding base.
  bool signal;
  int n_pred;
  std::vector<int32_t> sig, dsig, sig_errs;
  int sig_frac = 0;      // fractional bits of the rebuilt signal: 4, none for 24-bit samples
  std::vector<int64_t> sig_state;  // per channel: the last two values of the signal in 2^-16 of a sample
  int64_t sig_base = 0;             // in 2^-16 of a sample
  int64_t sig_short = 0, sig_long = 0, sig_stage = 0, sig_slow = 0;  // the signal predictors' predictions
  std::vector<int32_t> x_sig_short, x_sig_long, x_sig_err;
  Lms* short_fast = nullptr;  // this sample's short predictors: of the channel
  Lms* short_slow = nullptr;  // difference after the first channel, else of the signal
  // Images whose samples are MED residuals: the pixels, rebuilt (exact when
  // the segment starts at the image's start), and the current MED prediction.
  bool med = false;
  std::vector<int32_t> pix;
  int32_t med_here = 0;
  std::vector<int32_t> x_pix;
  size_t sample = 0;          // index in vals of the sample being coded
  int depth = 0;              // bits of it coded
  uint32_t prefix = 0;        // those bits, offset binary (monotone in the value)

  std::vector<Lms> lms;
  std::vector<int32_t> x_short, x_long, x_err, x_mid, x_err2;
  std::array<int64_t, kMaxPredictors> pred{};
  std::vector<int32_t> err_avg;  // mean |error| in 1/16 (of each channel's samples, for delta2 audio)
  int32_t& avg(size_t k) { return err_avg[(signal ? static_cast<size_t>(sample_channel) : 0) * kMaxPredictors + k]; }
  // Of the sample being coded (begin_sample): its channel, and each
  // predictor's error scale, max(avg, 4), and that scale's ilog2.
  int sample_channel = 0;
  std::array<int32_t, kMaxPredictors> scale{};
  std::array<int, kMaxPredictors> scale_log{};
  std::vector<Counter> fine, coarse;
  std::array<Counter*, 2 * kMaxPredictors> live{};
  std::array<int, kMaxPredictors> qd{}, qw{};
  bool flip = false;  // the sign bit: 1 is the lower half

  int32_t at(size_t j) const { return vals[j]; }
  int channel() const { return sample_channel; }

  // Audio: the channel's own past (newest first), then the other channels'
  // newest samples.
  void gather_audio(std::vector<int32_t>& x, int own) const {
    x.resize(static_cast<size_t>(own + kCross));
    const size_t c = static_cast<size_t>(channels);
    for (int i = 0; i < own; ++i) x[static_cast<size_t>(i)] = at(sample - c * static_cast<size_t>(i + 1));
    const int ch = channel();
    int32_t* cross = x.data() + own;
    cross[0] = ch > 0 ? at(sample - 1) : 0;                                // same frame, previous channel
    cross[1] = channels > 1 ? at(sample - 1 - (ch > 0 ? c : 0)) : 0;       // that channel, a frame earlier
    cross[2] = ch + 1 < channels ? at(sample + 1 - c) : 0;                 // next channel, a frame earlier
  }

  // Images: left, up, up-left, up-right, two left, two up, two up-right,
  // the previous sample (the pixel's previous channel) and the one before,
  // and the previous sample's left and up.
  void gather_image(std::vector<int32_t>& x) const {
    const size_t c = static_cast<size_t>(channels), r = up;
    x.resize(kImageTaps);
    x[0] = at(sample - c);
    x[1] = at(sample - r);
    x[2] = at(sample - r - c);
    x[3] = at(sample - r + c);
    x[4] = at(sample - 2 * c);
    x[5] = at(sample - 2 * r);
    x[6] = at(sample - r + 2 * c);
    x[7] = at(sample - 1);
    x[8] = at(sample - 2);
    x[9] = at(sample - 1 - c);
    x[10] = at(sample - 1 - r);
  }

  int32_t mask() const { return static_cast<int32_t>((int64_t{1} << bits) - 1); }
  int32_t half() const { return 1 << (bits - 1); }
  // A pixel prediction as a prediction of the residual: minus MED, wrapped.
  int64_t as_residual(int64_t q) const {
    q = std::clamp<int64_t>(q, 0, mask());
    return ((q - med_here + half()) & mask()) - half();
  }

  int64_t pixel_lms = 0;  // the pixel LMS's prediction, centred on half()

  // The MED prediction the adapter subtracted (codecs/sample_layout.cpp),
  // then predictions of the pixel from its neighbours and the other channels.
  void pixel_predictions() {
    const size_t c = static_cast<size_t>(channels), r = up, j = sample;
    const uint64_t at = skip + (j - pad);  // in the frame grid
    const bool first_row = at < row_samples, first_col = at % row_samples < c;
    const int32_t w = pix[j - c], n = pix[j - r], nw = pix[j - r - c];
    med_here = med_predict<int32_t>(w, n, nw, first_row, first_col, half());
    const int64_t ne = pix[j - r + c], nne = pix[j - 2 * r + c];
    // The previous sample: the pixel's previous channel (or the last pixel's last).
    const int64_t p = pix[j - 1], pw = pix[j - 1 - c], pn = pix[j - 1 - r], pnw = pix[j - 1 - r - c];
    x_pix = {w - half(), n - half(), nw - half(), static_cast<int32_t>(ne) - half(), pix[j - 2 * c] - half(),
             pix[j - 2 * r] - half(), static_cast<int32_t>(p) - half(), static_cast<int32_t>(pw) - half(),
             static_cast<int32_t>(pn) - half(), static_cast<int32_t>(pnw) - half()};
    pixel_lms = lms[2].predict(x_pix.data());
    pred[2] = as_residual(pixel_lms + half());
    pred[3] = as_residual(int64_t{w} + n - nw);
    pred[4] = channels > 1 ? as_residual(p + (w - pw + n - pn) / 2) : as_residual(n + ne - nne);
    pred[5] = channels > 1 ? as_residual(p + (int64_t{w} + n - nw) - (pw + pn - pnw)) : as_residual(w + ne - n);
  }

  void begin_sample() {
    sample_channel = static_cast<int>((skip + (sample - pad)) % static_cast<uint64_t>(channels));
    for (size_t k = 0; k < static_cast<size_t>(n_pred); ++k) {
      scale[k] = std::max(avg(k), 4);
      scale_log[k] = ilog2(static_cast<uint64_t>(scale[k]));
    }
    if (row_samples) {
      gather_image(x_short);
      pred[0] = lms[0].predict(x_short.data());
      pred[1] = lms[1].predict(x_short.data());
      if (med) {
        pixel_predictions();
      } else {
        pred[2] = channels > 1 ? x_short[7] : (int64_t{x_short[0]} + x_short[1]) / 2;
        pred[3] = 0;
        pred[4] = 0;
        pred[5] = 0;
      }
    } else {
      gather_audio(x_short, kOwnShort);
      gather_audio(x_long, kOwnLong);
      pred[0] = lms[0].predict(x_short.data());
      pred[1] = lms[1].predict(x_long.data());
      x_err.resize(kStage2);
      for (int i = 0; i < kStage2; ++i)
        x_err[static_cast<size_t>(i)] = errs[sample - static_cast<size_t>(channels) * static_cast<size_t>(i + 1)];
      pred[2] = pred[1] + lms[2].predict(x_err.data());
      gather_audio(x_mid, kOwnMid);
      pred[3] = lms[3].predict(x_mid.data());
      pred[4] = 0;
      x_err2.resize(kStage3);
      for (int i = 0; i < kStage3; ++i)
        x_err2[static_cast<size_t>(i)] = errs2[sample - static_cast<size_t>(channels) * static_cast<size_t>(i + 1)];
      pred[5] = pred[2] + lms[4].predict(x_err2.data());
      if (signal) signal_predictions();
    }
  }

  // The signal's first differences: the channel's own past (newest first),
  // then the other channel's (the previous one, whose current sample is
  // known, else the next), its newest first.
  void gather_signal(std::vector<int32_t>& x, int own) const {
    const size_t c = static_cast<size_t>(channels);
    x.assign(static_cast<size_t>(own + kSigOther + 1), 0);
    for (int i = 0; i < own; ++i) x[static_cast<size_t>(i)] = dsig[sample - c * static_cast<size_t>(i + 1)];
    if (channels == 1) return;
    const size_t other = channel() > 0 ? sample - 1 : sample + 1 - c;  // its newest known sample
    for (int i = 0; i <= kSigOther; ++i) x[static_cast<size_t>(own + i)] = dsig[other - c * static_cast<size_t>(i)];
  }

  // The rebuilt signal s follows s[t] = r[t] + base[t], base[t] =
  // 2ρ s[t-1] − ρ² s[t-2] with ρ = 1 − 2^-kSigLeak: the samples themselves
  // (r = x − (2x[t-1] − x[t-2])) but for a high-pass below a few Hz, which
  // also forgets the offset and slope a segment starting inside the
  // payload cannot know. Kept in 2^-16 of a sample (the high-pass would
  // amplify rounding errors), predicted in 2^-sig_frac.
  void signal_predictions() {
    const size_t c = static_cast<size_t>(channels);
    const size_t ch = static_cast<size_t>(channel());
    const int64_t s1 = sig_state[2 * ch], s2 = sig_state[2 * ch + 1];
    sig_base = 2 * s1 - s2 - ((s1 - s2) >> (kSigLeak - 1)) - (s2 >> (2 * kSigLeak));
    const auto as_residual = [&](int64_t p) { return (p * (int64_t{1} << (16 - sig_frac)) - sig_base) >> 16; };
    const int64_t last = sig[sample - c];
    int64_t from = last;
    if (ch > 0) {
      // The difference to the previous channel, predicted from its past.
      x_sig_short.resize(kSigSide);
      for (int i = 0; i < kSigSide; ++i) {
        const size_t j = sample - c * static_cast<size_t>(i + 1);
        x_sig_short[static_cast<size_t>(i)] = sig[j] - sig[j - 1];
      }
      from = sig[sample - 1];
      short_fast = &lms[5], short_slow = &lms[9];
    } else {
      gather_signal(x_sig_short, kSigShort);
      short_fast = &lms[8], short_slow = &lms[10];
    }
    sig_short = from + short_fast->predict(x_sig_short.data());
    sig_slow = from + short_slow->predict(x_sig_short.data());
    pred[6] = as_residual(sig_short);
    pred[9] = as_residual(sig_slow);
    gather_signal(x_sig_long, kSigLong);
    sig_long = last + lms[6].predict(x_sig_long.data());
    pred[7] = as_residual(sig_long);
    x_sig_err.resize(kSigStage);
    for (int i = 0; i < kSigStage; ++i) x_sig_err[static_cast<size_t>(i)] = sig_errs[sample - c * static_cast<size_t>(i + 1)];
    sig_stage = lms[7].predict(x_sig_err.data());
    pred[8] = as_residual(sig_long + sig_stage);
  }

  void end_sample() {
    const int32_t v = static_cast<int32_t>(prefix) - (is_signed ? (1 << (bits - 1)) : 0);
    vals[sample] = v;
    for (int i = 0; i < n_pred; ++i) {
      const int64_t e = v - pred[static_cast<size_t>(i)];
      const int32_t a = static_cast<int32_t>(std::min<int64_t>(std::abs(e), 1 << 24)) << 4;
      int32_t& m = avg(static_cast<size_t>(i));
      m += (a - m) >> 4;
    }
    if (row_samples) {
      lms[0].update(x_short.data(), v - pred[0]);
      lms[1].update(x_short.data(), v - pred[1]);
      if (med) {
        const int32_t x = (v + med_here) & mask();
        pix[sample] = x;
        lms[2].update(x_pix.data(), (x - half()) - pixel_lms);
      }
    } else {
      lms[0].update(x_short.data(), v - pred[0]);
      lms[1].update(x_long.data(), v - pred[1]);
      lms[2].update(x_err.data(), v - pred[2]);
      lms[3].update(x_mid.data(), v - pred[3]);
      lms[4].update(x_err2.data(), v - pred[5]);
      errs[sample] = static_cast<int32_t>(std::clamp<int64_t>(v - pred[1], -(1 << 24), 1 << 24));
      errs2[sample] = static_cast<int32_t>(std::clamp<int64_t>(v - pred[2], -(1 << 24), 1 << 24));
      if (signal) {
        const size_t c = static_cast<size_t>(channels), ch = static_cast<size_t>(channel());
        int64_t* st = &sig_state[2 * ch];
        st[1] = st[0];
        st[0] = std::clamp<int64_t>(int64_t{v} * 65536 + sig_base, -(int64_t{1} << 44), int64_t{1} << 44);
        const int32_t s = static_cast<int32_t>(std::clamp<int64_t>(st[0] >> (16 - sig_frac), -(1 << 25), 1 << 25));
        sig[sample] = s;
        dsig[sample] = s - sig[sample - c];
        short_fast->update(x_sig_short.data(), s - sig_short);
        short_slow->update(x_sig_short.data(), s - sig_slow);
        lms[6].update(x_sig_long.data(), s - sig_long);
        const int64_t e = std::clamp<int64_t>(s - sig_long, -(1 << 24), 1 << 24);
        lms[7].update(x_sig_err.data(), e - sig_stage);
        sig_errs[sample] = static_cast<int32_t>(e);
      }
    }
    ++sample;
    depth = 0;
    prefix = 0;
    begin_sample();
  }

  // The next bit's interval contexts and their counters, found as soon as
  // the bit before is known so that the counters can be fetched while the
  // mixer trains: predict() then only reads them.
  void begin_bit() {
    flip = is_signed && depth == 0;
    const int left = bits - depth;  // bits still to code: the interval is 2^left wide
    const int64_t lo = (int64_t{prefix} << left) - (is_signed ? (int64_t{1} << (bits - 1)) : 0);
    const int64_t mid = lo + (int64_t{1} << (left - 1));
    const bool fine_q = row_samples == 0;
    const size_t coarse_ch = static_cast<size_t>(sample_channel & 3);
    for (int i = 0; i < n_pred; ++i) {
      const size_t k = static_cast<size_t>(i);
      qd[k] = quantize((mid - pred[k]) * 64 / scale[k], fine_q);
      qw[k] = std::clamp(left - scale_log[k] + 4 + 3, 0, kQw - 1);
      live[2 * k] = &fine[(k * kQw + static_cast<size_t>(qw[k])) * kQd + static_cast<size_t>(qd[k] + 32)];
      const int qc = std::clamp(qd[k] / 4, -7, 7) + 8;
      live[2 * k + 1] = &coarse[((k * kQw + static_cast<size_t>(qw[k])) * 16 + static_cast<size_t>(qc)) * 4 + coarse_ch];
      __builtin_prefetch(live[2 * k]);
      __builtin_prefetch(live[2 * k + 1]);
    }
  }

  void predict(int32_t* in) const {
    const int sign = flip ? -1 : 1;
    for (int i = 0; i < n_pred; ++i) {
      const size_t k = static_cast<size_t>(i);
      in[3 * i] = sign * live[2 * k]->stretched();
      in[3 * i + 1] = sign * live[2 * k]->stretched_slow();
      in[3 * i + 2] = sign * live[2 * k + 1]->stretched();
    }
  }

  void update(int bit) {
    const int up = bit ^ (flip ? 1 : 0);
    for (int i = 0; i < 2 * n_pred; ++i) live[static_cast<size_t>(i)]->train(up, 30);
    prefix = (prefix << 1) | static_cast<uint32_t>(up);
    if (++depth == bits) end_sample();
    begin_bit();
  }
};

NumericModel::NumericModel(SampleShape shape, size_t segment_len) : st_(std::make_unique<State>(shape, segment_len)) {}
NumericModel::~NumericModel() = default;
int NumericModel::inputs() const { return 3 * st_->n_pred; }
void NumericModel::predict(int32_t* in) { st_->predict(in); }
int NumericModel::weight_set() const {
  const int set = std::min(st_->depth, 15) * 16 + st_->qw[0];
  return st_->signal ? set + 256 * std::min(st_->channel(), 1) : set;
}
int NumericModel::weight_sets() const { return st_->signal ? 512 : 256; }
// Audio refines by the second stage's prediction, images by the first.
int NumericModel::refine_context() const {
  return std::min(st_->depth, 15) * 64 + st_->qd[st_->row_samples ? 0 : 2] + 32;
}
int NumericModel::stage_context() const {
  return st_->row_samples ? -1 : std::min(st_->depth, 15) * 64 + st_->qd[5] + 32;
}
void NumericModel::update(int bit) { st_->update(bit); }

}  // namespace mbz::mix
