// Mixer profile 11 (docs/FORMAT.md "Mixed segments", "Profile 11"). Frozen
// since mbz 0.20.0: do not edit (tests/frozen-units.sha256).
#include "mix/profiles/profile11_image.hpp"

#include <algorithm>
#include <cstdlib>

#include "mix/blocks/counter_tables.hpp"
#include "mix/blocks/interval_contexts.hpp"
#include "mix/context_hash.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix {

namespace {

// The dot product's 32-bit halves (weight_sets.hpp) hold this many inputs.
static_assert(int64_t{Profile11Image::kInputs} * kStretchMax * 4096 < (int64_t{1} << 31), "dot's halves fit 32 bits");

// Sizes and rates of the first-layer sets (legend: Profile11Image::Set).
constexpr size_t kSetSizes[Profile11Image::kSets] = {4 * 256, 256, 512, 1024, 4096, 4096, 1024, 4096};
constexpr int kSetRates[Profile11Image::kSets] = {24, 24, 24, 24, 12, 12, 12, 12};  // w += x * err * rate / 2^16
constexpr int kFinalRate = 32;  // final mixer: w += round(x * err * 32 / 2^20)
constexpr size_t kBiasSlot = 3; // of the final mixer's inputs

size_t final_slot(size_t set) { return set < kBiasSlot ? set : set + 1; }

// A prediction (a residual) as a byte context: clamped to +-127, offset.
uint32_t as_byte(int64_t v) { return static_cast<uint32_t>(std::clamp<int64_t>(v, -127, 127) + 128); }

}  // namespace

Profile11Image::Profile11Image(size_t segment_len, SampleShape shape, const WeightPrior* prior)
    : grid_(shape, segment_len),
      scales_(grid_),
      ensemble_(grid_),
      contexts_(shape),
      bytes_(segment_len),
      counters_(table_bits(segment_len)),
      match_(table_bits(segment_len)),
      final_(size_t{256} * kFinalInputs, 65536 / kSets),
      apm0_(256),
      apm1_(1024),
      apm2_(1024) {
  sets_.reserve(kSets);
  for (size_t s = 0; s < kSets; ++s) sets_.emplace_back(kSetSizes[s], kInputs);
  for (size_t k = kBiasSlot; k < final_.size(); k += kFinalInputs) final_[k] = 0;
  if (prior) {
    for (size_t r = 0; r < prior->rows(); ++r)
      prior->copy_row(r, sets_[prior->row_set[r]].set(prior->row_index[r]));
    std::copy(prior->final_weights.begin(), prior->final_weights.end(), final_.begin());
  }
  begin_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  begin_byte();
  counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
}

std::vector<int32_t> Profile11Image::dense_weights() {
  std::vector<int32_t> w;
  for (size_t s = 0; s < kSets; ++s)
    for (size_t r = 0; r < kSetSizes[s]; ++r) w.insert(w.end(), sets_[s].set(r), sets_[s].set(r) + kInputs);
  w.insert(w.end(), final_.begin(), final_.end());
  return w;
}

std::vector<uint32_t> Profile11Image::set_rows() { return std::vector<uint32_t>(kSetSizes, kSetSizes + kSets); }

int Profile11Image::depth() const { return std::min(grid_.depth, 15); }

void Profile11Image::begin_sample() {
  grid_.begin_sample();
  scales_.begin(grid_);
  ensemble_.predict(grid_, pred_.data());
}

void Profile11Image::end_sample() {
  const int32_t v = grid_.end_sample();
  scales_.update(grid_, v, pred_.data());
  ensemble_.update(grid_, v, pred_.data());
  grid_.next_sample();
  begin_sample();
}

// Profiles 2-4's sampled contexts, but for base[7] and base[8], which hash
// the predictions of the sample the byte belongs to: the weighted
// predictor's and the least squares'; GAP's and P0's halved (C division)
// with te.
void Profile11Image::begin_byte() {
  contexts_.begin_byte(bytes_, base_);
  const uint32_t ph = contexts_.place() + 1;
  base_[7] = hash2(ph, hash2(as_byte(pred_[6]) | as_byte(pred_[13]) << 8, 21));
  base_[8] = hash2(ph, hash2(as_byte(pred_[3] / 2) | as_byte(pred_[0] / 2) << 8 | static_cast<uint32_t>(ensemble_.te()) << 16, 22));
}

// Legend of the sets' selectors (d: the depth, at most 15; ch: the
// channel, at most 3; te, act: ImageEnsemble's; q64(k): P_k's qd + 32 in
// 0..63):
//   A     (place & 3) x 256 + c0, as profiles 1-4
//   B     d < 8: (2d + [channel > 0]) x 16 + te; else d x 16 + te
//   C     (d x 8 + act) x 4 + min(te / 4, 3)
//   D     d x 64 + q64(6)                     the weighted predictor's
//   Gap   (d x 4 + ch) x 64 + q64(3)
//   Ols   (d x 4 + ch) x 64 + q64(13)
//   OlsW  (d x 4 + ch) x 16 + qw(13)
//   Dis   (d x 8 + act) x 32 + 16 + clamp(quantize(64 (P6 - P13) / scale6, coarse), -15, 15),
//         P6 - P13 wrapped to the sample's range
size_t Profile11Image::set_of(Set s) const {
  const int d = depth(), ch = std::min(grid_.channel, 3), te = ensemble_.te(), act = ensemble_.act();
  auto q64 = [&](size_t k) { return std::clamp(intervals_.qd(k) + 32, 0, 63); };
  int set = 0;
  switch (s) {
    case kSetA: set = static_cast<int>((contexts_.place() & 3) * 256 + bytes_.c0); break;
    case kSetB: set = d < 8 ? (2 * d + (grid_.channel > 0 ? 1 : 0)) * 16 + te : d * 16 + te; break;
    case kSetC: set = (d * 8 + act) * 4 + std::min(te / 4, 3); break;
    case kSetD: set = d * 64 + q64(6); break;
    case kSetGap: set = (d * 4 + ch) * 64 + q64(3); break;
    case kSetOls: set = (d * 4 + ch) * 64 + q64(13); break;
    case kSetOlsWidth: set = (d * 4 + ch) * 16 + intervals_.qw(13); break;
    case kSetDisagree: {
      const int64_t dd = ((pred_[6] - pred_[13] + grid_.half()) & grid_.mask()) - grid_.half();
      set = (d * 8 + act) * 32 + std::clamp(quantize(scales_.divide(dd * 64, 6), false), -15, 15) + 16;
      break;
    }
    case kSets: break;
  }
  return static_cast<size_t>(set);
}

// APM1 by P0's interval context, APM2 by the weighted predictor's.
uint32_t Profile11Image::apm1_context() const { return static_cast<uint32_t>(depth() * 64 + intervals_.qd(0) + 32); }
uint32_t Profile11Image::apm2_context() const { return static_cast<uint32_t>(depth() * 64 + std::clamp(intervals_.qd(6) + 32, 0, 63)); }

int Profile11Image::predict(NodeCounts model) {
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
    fx_[final_slot(s)] = stretch(p_set_[s]);
  }
  fx_[kBiasSlot] = 256;
  fw_ = &final_[set_of(kSetB) * kFinalInputs];
  p_final_ = squash(mixer_dot(fx_.data(), fw_, kFinalInputs));
  const int r0 = apm0_.refine(p_final_, bytes_.c0);
  const int r1 = apm1_.refine(p_final_, apm1_context());
  const int r2 = apm2_.refine(p_final_, apm2_context());
  return std::clamp((r0 + r1 + 2 * r2 + 2) >> 2, 1, kProbOne - 1);
}

// The numeric side moves on first, so that a new byte's contexts see the
// next sample's predictions; then the byte contexts, whose slots are
// fetched while the bit trains what predict() used.
void Profile11Image::update(int bit) {
  const bool byte_done = bytes_.push_bit(bit);
  const int up = intervals_.up(bit);
  intervals_.train(up);
  if (grid_.push_bit(up)) end_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  if (byte_done) {
    bytes_.end_byte();
    match_.extend(bytes_.history);
    begin_byte();
  }
  counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
  prefetch_rows();
  counters_.train(bit);
  match_.train(bit);
  for (size_t s = 0; s < kSets; ++s) mixer_train(x_.data(), w_[s], kInputs, ((bit << kProbBits) - p_set_[s]) * kSetRates[s]);
  const int err = (bit << kProbBits) - p_final_;
  for (size_t i = 0; i < kFinalInputs; ++i)
    fw_[i] = static_cast<int32_t>(std::clamp<int64_t>(fw_[i] + ((int64_t{fx_[i]} * err * kFinalRate + (1 << 19)) >> 20), -kWeightMax, kWeightMax));
  apm0_.update(bit, 6);
  apm1_.update(bit, 6);
  apm2_.update(bit, 6);
  if (byte_done) match_.find(bytes_.history);
}

// The next bit's weight rows and probability map cells, all known now.
void Profile11Image::prefetch_rows() const {
  for (size_t s = 0; s < kSets; ++s) sets_[s].prefetch(set_of(static_cast<Set>(s)));
  apm0_.prefetch(bytes_.c0);
  apm1_.prefetch(apm1_context());
  apm2_.prefetch(apm2_context());
}

}  // namespace mbz::mix
