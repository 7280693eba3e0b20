// Profile 8 in two stages (profile8_stages.hpp). Every line that decides a
// probability is profiles/profile8_audio.cpp's, in its order; only the cut
// between the stages is new. That unit is frozen and stays the oracle:
// tests/test_staged_encode.cpp compares the two decision by decision.
#include "mix/staged/profile8_stages.hpp"

#include <algorithm>

#include "mix/blocks/counter_tables.hpp"
#include "mix/blocks/interval_contexts.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix::p8 {

namespace {

// The unit's constants (profile8_audio.cpp, legends in profile8_audio.hpp).
constexpr size_t kSetSizes[Unit::kSets] = {4 * 256, 512, 16 * 2 * 27, 16 * 64, 16 * 9 * 16, 16 * 16 * 16, 16 * 9 * 16};
constexpr int kSetRates[Unit::kSets] = {24, 24, 12, 12, 12, 12, 12};
constexpr int kFinalRate = 32;
constexpr size_t kFinalSets = 512;
constexpr size_t kBiasSlot = Unit::kSets;
constexpr int kApmRate = 6;

static_assert(kStretchMax < 32768, "inputs fit 16 bits");
static_assert(16 * 16 * 16 <= 65536 && 16 * 64 * 9 <= 65536, "rows and APM contexts fit 16 bits");

}  // namespace

// ---- The front ----

Front::Front(size_t segment_len, SampleShape shape)
    : grid_(shape, segment_len),
      scales_(grid_),
      audio_(grid_),
      signal_(grid_),
      cascade_(grid_),
      signs_(static_cast<size_t>(grid_.channels), 0),
      contexts_(shape),
      bytes_(segment_len) {
  begin_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  contexts_.begin_byte(bytes_, base_);
}

int Front::depth() const { return std::min(grid_.depth, 15); }

void Front::begin_sample() {
  grid_.begin_sample();
  scales_.begin(grid_);
  best_ = 0;
  for (int k = 1; k < Unit::kPredictors; ++k)
    if (scales_.scale[static_cast<size_t>(k)] < scales_.scale[static_cast<size_t>(best_)]) best_ = k;
  audio_.predict(grid_, pred_.data());
  signal_.predict(grid_, pred_.data());
  cascade_.predict(grid_, pred_.data());
}

void Front::end_sample() {
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

int Front::signs2() const {
  const uint32_t h = signs_[static_cast<size_t>(grid_.channel)];
  return static_cast<int>((h & 3) * 3 + ((h >> 2) & 3));
}
int Front::signs3() const { return signs2() * 3 + static_cast<int>((signs_[static_cast<size_t>(grid_.channel)] >> 4) & 3); }
int Front::best_scale() const { return std::clamp(scales_.scale_log[static_cast<size_t>(best_)], 0, 15); }

// The selectors of profile8_audio.cpp's set_of(), legend there.
uint32_t Front::set_of(Unit::Set s) const {
  const int d = depth(), ch = std::min(grid_.channel, 1);
  const size_t b = static_cast<size_t>(best_);
  const int q64 = std::clamp(intervals_.qd(b) + 32, 0, 63);
  const int q15 = std::clamp(intervals_.qd(b) / 4, -7, 7) + 7;
  int set = 0;
  switch (s) {
    case Unit::kSetA: set = static_cast<int>((contexts_.place() & 3) * 256 + bytes_.c0); break;
    case Unit::kSetB: set = d * 16 + intervals_.qw(b) + 256 * ch; break;
    case Unit::kSetSigns3: set = (d * 2 + ch) * 27 + signs3(); break;
    case Unit::kSetBest: set = d * 64 + q64; break;
    case Unit::kSetSignsBest: set = (d * 9 + signs2()) * 16 + q15; break;
    case Unit::kSetScaleBest: set = (d * 16 + best_scale()) * 16 + q15; break;
    case Unit::kSetSignsScale: set = (d * 9 + signs2()) * 16 + best_scale(); break;
    case Unit::kSets: break;
  }
  return static_cast<uint32_t>(set);
}

void Front::describe(NodeCounts model, Decision& out) {
  const int pm = static_cast<int>(std::clamp<uint64_t>((uint64_t{model.ones} * kProbOne + model.total / 2) / model.total, 1, kProbOne - 1));
  out.model = {static_cast<int16_t>(stretch(pm)), static_cast<int16_t>((pm - 2048) / 2)};
  std::array<int32_t, Unit::kInputs - kByteInputs> numeric;
  intervals_.inputs(numeric.data());
  std::copy(numeric.begin(), numeric.end(), out.numeric.begin());
  for (size_t s = 0; s < Unit::kSets; ++s) out.set[s] = static_cast<uint16_t>(set_of(static_cast<Unit::Set>(s)));
  // APMs 1..3 (profile8_audio.cpp's apm1_context() .. apm3_context()).
  const int q64 = std::clamp(intervals_.qd(static_cast<size_t>(best_)) + 32, 0, 63);
  out.apm = {static_cast<uint16_t>(depth() * 64 + intervals_.qd(2) + 32), static_cast<uint16_t>(depth() * 64 + intervals_.qd(5) + 32),
             static_cast<uint16_t>((depth() * 64 + q64) * 9 + signs2())};
  if (bytes_.bit_pos == 0) out.base = base_;
}

// The unit's update(), its numeric part and the byte contexts' hashes: the
// same calls in the same order.
void Front::update(int bit) {
  const bool byte_done = bytes_.push_bit(bit);
  const int up = intervals_.up(bit);
  intervals_.train(up);
  if (grid_.push_bit(up)) end_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  if (byte_done) {
    bytes_.end_byte();
    contexts_.begin_byte(bytes_, base_);
  }
}

// ---- The back ----

Back::Back(size_t segment_len)
    : bytes_(segment_len),
      counters_(table_bits(segment_len)),
      match_(table_bits(segment_len)),
      final_(kFinalSets * Unit::kFinalInputs, 65536 / Unit::kSets),
      apm0_(256),
      apm1_(1024),
      apm2_(1024),
      apm3_(16 * 64 * 9) {
  sets_.reserve(Unit::kSets);
  for (size_t s = 0; s < Unit::kSets; ++s) sets_.emplace_back(kSetSizes[s], Unit::kInputs);
  for (size_t k = kBiasSlot; k < final_.size(); k += Unit::kFinalInputs) final_[k] = 0;
  x_[kBiasInput] = 256;
}

// The unit's predict(). A byte's contexts arrive with its first decision:
// its counters' slots (begin_bit, which changes no table) are found here.
int Back::predict(const Decision& d) {
  if (bytes_.bit_pos == 0) {
    base_ = d.base;
    counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
  }
  counters_.read(x_.data());
  x_[kMatchInput] = match_.input(bytes_.history, bytes_.c0, bytes_.bit_pos);
  x_[kModelStretched] = d.model[0];
  x_[kModelLinear] = d.model[1];
  std::copy(d.numeric.begin(), d.numeric.end(), x_.begin() + kByteInputs);
  for (size_t s = 0; s < Unit::kSets; ++s) {
    w_[s] = sets_[s].set(d.set[s]);
    p_set_[s] = sets_[s].predict(x_.data(), w_[s]);
    fx_[s] = stretch(p_set_[s]);
  }
  fx_[kBiasSlot] = 256;
  fw_ = &final_[d.set[Unit::kSetB] * Unit::kFinalInputs];
  p_final_ = squash(mixer_dot(fx_.data(), fw_, Unit::kFinalInputs));
  const int r0 = apm0_.refine(p_final_, bytes_.c0);
  const int r1 = apm1_.refine(p_final_, d.apm[0]);
  const int r2 = apm2_.refine(p_final_, d.apm[1]);
  const int r3 = apm3_.refine(p_final_, d.apm[2]);
  return std::clamp((r0 + r1 + r2 + r3 + 2) >> 2, 1, kProbOne - 1);
}

// The unit's update() less its numeric part, in its order.
void Back::update(int bit) {
  const bool byte_done = bytes_.push_bit(bit);
  if (byte_done) {
    bytes_.end_byte();
    match_.extend(bytes_.history);
  } else {
    counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
  }
  counters_.train(bit);
  match_.train(bit);
  for (size_t s = 0; s < Unit::kSets; ++s) mixer_train(x_.data(), w_[s], Unit::kInputs, ((bit << kProbBits) - p_set_[s]) * kSetRates[s]);
  const int err = (bit << kProbBits) - p_final_;
  for (size_t i = 0; i < Unit::kFinalInputs; ++i)
    fw_[i] = static_cast<int32_t>(std::clamp<int64_t>(fw_[i] + ((int64_t{fx_[i]} * err * kFinalRate + (1 << 19)) >> 20), -kWeightMax, kWeightMax));
  apm0_.update(bit, kApmRate);
  apm1_.update(bit, kApmRate);
  apm2_.update(bit, kApmRate);
  apm3_.update(bit, kApmRate);
  if (byte_done) match_.find(bytes_.history);
}

void Back::prefetch(const Decision& d) const {
  for (size_t s = 0; s < Unit::kSets; ++s) sets_[s].prefetch(d.set[s]);
  apm1_.prefetch(d.apm[0]);
  apm2_.prefetch(d.apm[1]);
  apm3_.prefetch(d.apm[2]);
}

}  // namespace mbz::mix::p8
