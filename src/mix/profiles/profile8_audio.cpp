// Mixer profile 8 (docs/FORMAT.md "Mixed segments", "Profile 8"). Frozen
// since mbz 0.12.0: do not edit (tests/frozen-units.sha256).
#include "mix/profiles/profile8_audio.hpp"

#include <algorithm>

#include "mix/blocks/counter_tables.hpp"
#include "mix/blocks/interval_contexts.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix {

namespace {

// The dot product's 32-bit halves (weight_sets.hpp) hold this many inputs.
static_assert(int64_t{Profile8Audio::kInputs} * kStretchMax * 4096 < (int64_t{1} << 31), "dot's halves fit 32 bits");

// Sizes and rates of the first-layer sets (legend: Profile8Audio::Set).
constexpr size_t kSetSizes[Profile8Audio::kSets] = {4 * 256, 512, 16 * 2 * 27, 16 * 64, 16 * 9 * 16, 16 * 16 * 16, 16 * 9 * 16};
constexpr int kSetRates[Profile8Audio::kSets] = {24, 24, 12, 12, 12, 12, 12};  // w += x * err * rate / 2^16
constexpr int kFinalRate = 32;  // final mixer: w += round(x * err * 32 / 2^20)
constexpr size_t kFinalSets = 512;  // as WB
constexpr size_t kBiasSlot = Profile8Audio::kSets;  // of the final mixer's inputs
constexpr int kApmRate = 6;

}  // namespace

Profile8Audio::Profile8Audio(size_t segment_len, SampleShape shape)
    : grid_(shape, segment_len),
      scales_(grid_),
      audio_(grid_),
      signal_(grid_),
      cascade_(grid_),
      signs_(static_cast<size_t>(grid_.channels), 0),
      contexts_(shape),
      bytes_(segment_len),
      counters_(table_bits(segment_len)),
      match_(table_bits(segment_len)),
      final_(kFinalSets * kFinalInputs, 65536 / kSets),
      apm0_(256),
      apm1_(1024),
      apm2_(1024),
      apm3_(16 * 64 * 9) {
  sets_.reserve(kSets);
  for (size_t s = 0; s < kSets; ++s) sets_.emplace_back(kSetSizes[s], kInputs);
  for (size_t k = kBiasSlot; k < final_.size(); k += kFinalInputs) final_[k] = 0;
  begin_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  contexts_.begin_byte(bytes_, base_);
  counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
}

int Profile8Audio::depth() const { return std::min(grid_.depth, 15); }

// The scales first: the best predictor is the one of the smallest scale
// (the lowest index of equals) before the sample is seen.
void Profile8Audio::begin_sample() {
  grid_.begin_sample();
  scales_.begin(grid_);
  best_ = 0;
  for (int k = 1; k < kPredictors; ++k)
    if (scales_.scale[static_cast<size_t>(k)] < scales_.scale[static_cast<size_t>(best_)]) best_ = k;
  audio_.predict(grid_, pred_.data());
  signal_.predict(grid_, pred_.data());
  cascade_.predict(grid_, pred_.data());
}

void Profile8Audio::end_sample() {
  const int32_t v = grid_.end_sample();
  const int64_t e = v - pred_[static_cast<size_t>(best_)];
  uint32_t& h = signs_[static_cast<size_t>(grid_.channel)];
  h = ((h << 2) | static_cast<uint32_t>((e > 0) - (e < 0) + 1)) & 0xFF;
  scales_.update(v, pred_.data());
  audio_.update(grid_, v, pred_.data());
  signal_.update(grid_, v);
  cascade_.update(grid_, v);
  grid_.next_sample();
  begin_sample();
}

// The signs of the best predictor's last two errors in the channel, the
// newest the more significant (0..8), and of its last three (0..26).
int Profile8Audio::signs2() const {
  const uint32_t h = signs_[static_cast<size_t>(grid_.channel)];
  return static_cast<int>((h & 3) * 3 + ((h >> 2) & 3));
}
int Profile8Audio::signs3() const { return signs2() * 3 + static_cast<int>((signs_[static_cast<size_t>(grid_.channel)] >> 4) & 3); }
// ilog2 of the best predictor's scale (0..15).
int Profile8Audio::best_scale() const { return std::clamp(scales_.scale_log[static_cast<size_t>(best_)], 0, 15); }

// Legend of the sets' selectors (d: the depth, at most 15; ch: whether the
// channel is not the first; b: the best predictor; q64(k): P_k's qd + 32
// in 0..63; q15(k): P_k's qd / 4 (C division) clamped to +-7, + 7):
//   A           (place & 3) x 256 + c0, as profiles 1-4
//   B           (d x 16 + qw(b)) + 256 ch
//   Signs3      (d x 2 + ch) x 27 + signs3
//   Best        d x 64 + q64(b)
//   SignsBest   (d x 9 + signs2) x 16 + q15(b)
//   ScaleBest   (d x 16 + best_scale) x 16 + q15(b)
//   SignsScale  (d x 9 + signs2) x 16 + best_scale
size_t Profile8Audio::set_of(Set s) const {
  const int d = depth(), ch = std::min(grid_.channel, 1);
  const size_t b = static_cast<size_t>(best_);
  const int q64 = std::clamp(intervals_.qd(b) + 32, 0, 63);
  const int q15 = std::clamp(intervals_.qd(b) / 4, -7, 7) + 7;
  int set = 0;
  switch (s) {
    case kSetA: set = static_cast<int>((contexts_.place() & 3) * 256 + bytes_.c0); break;
    case kSetB: set = d * 16 + intervals_.qw(b) + 256 * ch; break;
    case kSetSigns3: set = (d * 2 + ch) * 27 + signs3(); break;
    case kSetBest: set = d * 64 + q64; break;
    case kSetSignsBest: set = (d * 9 + signs2()) * 16 + q15; break;
    case kSetScaleBest: set = (d * 16 + best_scale()) * 16 + q15; break;
    case kSetSignsScale: set = (d * 9 + signs2()) * 16 + best_scale(); break;
    case kSets: break;
  }
  return static_cast<size_t>(set);
}

// APM1 by P2's interval context, APM2 by P5's (as profile 4), APM3 by the
// best predictor's and the signs of its last two errors.
uint32_t Profile8Audio::apm1_context() const { return static_cast<uint32_t>(depth() * 64 + intervals_.qd(2) + 32); }
uint32_t Profile8Audio::apm2_context() const { return static_cast<uint32_t>(depth() * 64 + intervals_.qd(5) + 32); }
uint32_t Profile8Audio::apm3_context() const {
  const int q64 = std::clamp(intervals_.qd(static_cast<size_t>(best_)) + 32, 0, 63);
  return static_cast<uint32_t>((depth() * 64 + q64) * 9 + signs2());
}

int Profile8Audio::predict(NodeCounts model) {
  counters_.read(x_.data());
  x_[kMatchInput] = match_.input(bytes_.history, bytes_.c0, bytes_.bit_pos);
  const int pm = static_cast<int>(std::clamp<uint64_t>((uint64_t{model.ones} * kProbOne + model.total / 2) / model.total, 1, kProbOne - 1));
  x_[kModelStretched] = stretch(pm);
  x_[kModelLinear] = (pm - 2048) / 2;
  x_[kBiasInput] = 256;
  intervals_.inputs(&x_[kByteInputs]);
  for (size_t s = 0; s < kSets; ++s) {
    w_[s] = sets_[s].set(set_of(static_cast<Set>(s)));
    p_set_[s] = sets_[s].predict(x_.data(), w_[s]);
    fx_[s] = stretch(p_set_[s]);
  }
  fx_[kBiasSlot] = 256;
  fw_ = &final_[set_of(kSetB) * kFinalInputs];
  p_final_ = squash(mixer_dot(fx_.data(), fw_, kFinalInputs));
  const int r0 = apm0_.refine(p_final_, bytes_.c0);
  const int r1 = apm1_.refine(p_final_, apm1_context());
  const int r2 = apm2_.refine(p_final_, apm2_context());
  const int r3 = apm3_.refine(p_final_, apm3_context());
  return std::clamp((r0 + r1 + r2 + r3 + 2) >> 2, 1, kProbOne - 1);
}

// The numeric side moves on first (as profile 6's); then the byte
// contexts, whose slots are fetched while the bit trains what predict()
// used.
void Profile8Audio::update(int bit) {
  const bool byte_done = bytes_.push_bit(bit);
  const int up = intervals_.up(bit);
  intervals_.train(up);
  if (grid_.push_bit(up)) end_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  if (byte_done) {
    bytes_.end_byte();
    match_.extend(bytes_.history);
    contexts_.begin_byte(bytes_, base_);
  }
  counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
  prefetch_rows();
  counters_.train(bit);
  match_.train(bit);
  for (size_t s = 0; s < kSets; ++s) mixer_train(x_.data(), w_[s], kInputs, ((bit << kProbBits) - p_set_[s]) * kSetRates[s]);
  const int err = (bit << kProbBits) - p_final_;
  for (size_t i = 0; i < kFinalInputs; ++i)
    fw_[i] = static_cast<int32_t>(std::clamp<int64_t>(fw_[i] + ((int64_t{fx_[i]} * err * kFinalRate + (1 << 19)) >> 20), -kWeightMax, kWeightMax));
  apm0_.update(bit, kApmRate);
  apm1_.update(bit, kApmRate);
  apm2_.update(bit, kApmRate);
  apm3_.update(bit, kApmRate);
  if (byte_done) match_.find(bytes_.history);
}

// The next bit's weight rows and probability map cells, all known now.
void Profile8Audio::prefetch_rows() const {
  for (size_t s = 0; s < kSets; ++s) sets_[s].prefetch(set_of(static_cast<Set>(s)));
  apm0_.prefetch(bytes_.c0);
  apm1_.prefetch(apm1_context());
  apm2_.prefetch(apm2_context());
  apm3_.prefetch(apm3_context());
}

}  // namespace mbz::mix
