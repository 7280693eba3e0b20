// Profile 13 in two stages (profile13_stages.hpp). Every line that decides
// a probability is profiles/profile13_image.cpp's, in its order; only the
// cut between the two stages is new. That unit is frozen and stays the
// oracle: tests/test_staged_encode.cpp compares the two decision by decision.
#include "mix/staged/profile13_stages.hpp"

#include <algorithm>

#include "mix/blocks/counter_tables.hpp"
#include "mix/blocks/interval_contexts.hpp"
#include "mix/context_hash.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix::p13 {

namespace {

// The unit's constants (profile13_image.cpp, legends in profile13_image.hpp).
constexpr size_t kSetSizes[Unit::kSets] = {4 * 256, 256, 512, 1024, 4096, 4096, 1024, 4096, ImageTextures::kSelectors * 16};
constexpr int kSetRates[Unit::kSets] = {24, 24, 24, 24, 12, 12, 12, 12, 12};
constexpr int kFinalRate = 32;
constexpr size_t kBiasSlot = 3;
constexpr int kApmShifts[Unit::kApms] = {6, 6, 6, 7, 7, 7, 7};
constexpr int kApmWeights[Unit::kApms] = {1, 1, 2, 2, 2, 2, 2};

size_t final_slot(size_t set) { return set < kBiasSlot ? set : set + 1; }

uint32_t as_byte(int64_t v) { return static_cast<uint32_t>(std::clamp<int64_t>(v, -127, 127) + 128); }

size_t texture_table_bytes(size_t segment_len) {
  size_t bytes = size_t{1} << 20;
  while (bytes < (size_t{1} << 26) && bytes < segment_len * 64) bytes <<= 1;
  return bytes;
}

}  // namespace

// ---- The front ----

static_assert(kStretchMax < 32768, "inputs fit 16 bits");
static_assert(ImageTextures::kSelectors * 16 <= 65536 && 4096 * 16 <= 65536, "rows fit 16 bits");

Front::Front(size_t segment_len, SampleShape shape)
    : grid_(shape, segment_len),
      scales_(grid_),
      ensemble_(grid_),
      textures_(grid_),
      contexts_(shape),
      bytes_(segment_len),
      counters_(table_bits(segment_len)) {
  begin_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  begin_byte();
  counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
}

int Front::depth() const { return std::min(grid_.depth, 15); }

void Front::begin_sample() {
  grid_.begin_sample();
  scales_.begin(grid_);
  ensemble_.predict(grid_, pred_.data());
  textures_.begin(grid_, pred_.data(), ensemble_.te(), ensemble_.act());
}

void Front::end_sample() {
  const int32_t v = grid_.end_sample();
  textures_.end(grid_, v);
  scales_.update(grid_, v, pred_.data());
  ensemble_.update(grid_, v, pred_.data());
  grid_.next_sample();
  begin_sample();
}

// The unit's begin_byte(), less finding the texture counters (the back's).
void Front::begin_byte() {
  contexts_.begin_byte(bytes_, base_);
  const uint32_t ph = contexts_.place() + 1;
  base_[7] = hash2(ph, hash2(as_byte(pred_[6]) | as_byte(pred_[13]) << 8, 21));
  base_[8] = hash2(ph, hash2(as_byte(pred_[3] / 2) | as_byte(pred_[0] / 2) << 8 | static_cast<uint32_t>(ensemble_.te()) << 16, 22));
  const uint32_t byte_index = static_cast<uint32_t>(grid_.depth / 8);
  for (int k = 0; k < Unit::kTextures; ++k) {
    const uint32_t h = textures_.hash(k);
    texture_byte_[static_cast<size_t>(k)] = byte_index ? hash2(h, byte_index) : h;
  }
}

// The selectors of profile13_image.cpp's set_of(), legend there.
uint32_t Front::set_of(Unit::Set s) const {
  const int d = depth(), ch = std::min(grid_.channel, 3), te = ensemble_.te(), act = ensemble_.act();
  auto q64 = [&](size_t k) { return std::clamp(intervals_.qd(k) + 32, 0, 63); };
  int set = 0;
  switch (s) {
    case Unit::kSetA: set = static_cast<int>((contexts_.place() & 3) * 256 + bytes_.c0); break;
    case Unit::kSetB: set = d < 8 ? (2 * d + (grid_.channel > 0 ? 1 : 0)) * 16 + te : d * 16 + te; break;
    case Unit::kSetC: set = (d * 8 + act) * 4 + std::min(te / 4, 3); break;
    case Unit::kSetD: set = d * 64 + q64(6); break;
    case Unit::kSetGap: set = (d * 4 + ch) * 64 + q64(3); break;
    case Unit::kSetOls: set = (d * 4 + ch) * 64 + q64(13); break;
    case Unit::kSetOlsWidth: set = (d * 4 + ch) * 16 + intervals_.qw(13); break;
    case Unit::kSetDisagree: {
      const int64_t dd = ((pred_[6] - pred_[13] + grid_.half()) & grid_.mask()) - grid_.half();
      set = (d * 8 + act) * 32 + std::clamp(quantize(scales_.divide(dd * 64, 6), false), -15, 15) + 16;
      break;
    }
    case Unit::kSetTexture: set = static_cast<int>(textures_.selector()) * 16 + d; break;
    case Unit::kSets: break;
  }
  return static_cast<uint32_t>(set);
}

// The APMs' contexts of profile13_image.cpp's apm_context(), legend there.
uint32_t Front::apm_context(Unit::Apm a) const {
  const uint32_t c0 = bytes_.c0, ch = static_cast<uint32_t>(std::min(grid_.channel, 3));
  switch (a) {
    case Unit::kApmOrder0: return c0;
    case Unit::kApmP0: return static_cast<uint32_t>(depth() * 64 + intervals_.qd(0) + 32);
    case Unit::kApmP6: return static_cast<uint32_t>(depth() * 64 + std::clamp(intervals_.qd(6) + 32, 0, 63));
    case Unit::kApmGap: return as_byte(pred_[3]) << 8 | c0;
    case Unit::kApmTexture: return (textures_.hash(0) >> 22) << 8 | c0;
    case Unit::kApmWeighted: return ch << 16 | as_byte(pred_[6]) << 8 | c0;
    case Unit::kApmOls: return ch << 16 | as_byte(pred_[13]) << 8 | c0;
    case Unit::kApms: break;
  }
  return 0;
}

void Front::describe(NodeCounts model, Decision& out) {
  std::array<int32_t, Unit::kTextureInputs> x;
  counters_.read(x.data());
  x[kMatchInput] = 0;  // the back's
  const int pm = static_cast<int>(std::clamp<uint64_t>((uint64_t{model.ones} * kProbOne + model.total / 2) / model.total, 1, kProbOne - 1));
  x[kModelStretched] = stretch(pm);
  x[kModelLinear] = (pm - 2048) / 2;
  x[kBiasInput] = 256;
  intervals_.inputs(&x[kByteInputs]);
  std::copy(x.begin(), x.end(), out.x.begin());
  for (size_t s = 0; s < Unit::kSets; ++s) out.set[s] = static_cast<uint16_t>(set_of(static_cast<Unit::Set>(s)));
  for (size_t a = 0; a < Unit::kApms; ++a) out.apm[a] = apm_context(static_cast<Unit::Apm>(a));
  if (bytes_.bit_pos == 0) out.texture_byte = texture_byte_;
}

// The unit's update(), its numeric part and the byte contexts' counters: the
// same calls in the same order.
void Front::update(int bit) {
  const bool byte_done = bytes_.push_bit(bit);
  const int up = intervals_.up(bit);
  intervals_.train(up);
  if (grid_.push_bit(up)) end_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  if (byte_done) {
    bytes_.end_byte();
    begin_byte();
  }
  counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
  counters_.train(bit);
}

// ---- The back ----

Back::Back(size_t segment_len, SampleShape shape, const WeightPrior* prior)
    : bytes_(segment_len),
      match_(table_bits(segment_len)),
      texture_table_(texture_table_bytes(segment_len)),
      final_(size_t{256} * Unit::kFinalInputs, 65536 / Unit::kSets) {
  sets_.reserve(Unit::kSets);
  for (size_t s = 0; s < Unit::kSets; ++s) sets_.emplace_back(kSetSizes[s], Unit::kInputs);
  for (size_t k = kBiasSlot; k < final_.size(); k += Unit::kFinalInputs) final_[k] = 0;
  if (prior) {
    for (size_t r = 0; r < prior->rows(); ++r)
      prior->copy_row(r, sets_[prior->row_set[r]].set(prior->row_index[r]));
    std::copy(prior->final_weights.begin(), prior->final_weights.end(), final_.begin());
  }
  const int channels = static_cast<int>(shape.stride) / value_bytes(shape.value_format);  // as SampleGrid's
  const uint32_t per_channel = static_cast<uint32_t>(std::min(channels, 4)) << 16;
  const uint32_t apm_contexts[Unit::kApms] = {256, 1024, 1024, 1u << 16, 1u << 18, per_channel, per_channel};
  apms_.reserve(Unit::kApms);
  for (uint32_t n : apm_contexts) apms_.emplace_back(n);
}

// The slots of the texture contexts for a nibble: 1 at a byte's first bit,
// 16 + its first four bits at its fifth (as the unit's find_textures()).
void Back::find_textures(uint32_t nibble) {
  std::array<uint32_t, Unit::kTextures> h;
  for (size_t k = 0; k < Unit::kTextures; ++k) h[k] = hash2(texture_byte_[k], nibble), texture_table_.prefetch(h[k]);
  for (size_t k = 0; k < Unit::kTextures; ++k) texture_slot_[k] = texture_table_.find(h[k]);
}

// The unit's predict(). A byte's texture hashes arrive with its first
// decision: finding its slots (the unit's begin_byte() does) happens here,
// after the bit before it; the texture table is touched by this block alone,
// so its operations keep the unit's order.
int Back::predict(const Decision& d) {
  if (bytes_.bit_pos == 0) {
    texture_byte_ = d.texture_byte;
    find_textures(1);
    texture_counter_ = texture_slot_;
  }
  std::copy(d.x.begin(), d.x.end(), x_.begin());
  x_[kMatchInput] = match_.input(bytes_.history, bytes_.c0, bytes_.bit_pos);
  for (size_t k = 0; k < Unit::kTextures; ++k) {  // a counter that has seen no bit says nothing
    const uint16_t c = *texture_counter_[k];
    x_[Unit::kTextureInputs + k] = NibbleCounters::count(c) ? stretch(NibbleCounters::p(c)) : 0;
  }
  for (size_t s = 0; s < Unit::kSets; ++s) {
    w_[s] = sets_[s].set(d.set[s]);
    p_set_[s] = sets_[s].predict(x_.data(), w_[s]);
    fx_[final_slot(s)] = stretch(p_set_[s]);
  }
  fx_[kBiasSlot] = 256;
  fw_ = &final_[d.set[Unit::kSetB] * Unit::kFinalInputs];
  p_final_ = squash(mixer_dot(fx_.data(), fw_, Unit::kFinalInputs));
  int sum = 0, weight = 0;
  for (size_t a = 0; a < Unit::kApms; ++a) {
    sum += kApmWeights[a] * apms_[a].refine(p_final_, d.apm[a]);
    weight += kApmWeights[a];
  }
  return std::clamp((sum + weight / 2) / weight, 1, kProbOne - 1);
}

// The unit's update() less its numeric part and the counters, in its
// order: the texture counters, the byte (the match model extends), the next
// decision's texture slots within the byte, the match model learns, the
// mixing learns, and after a byte the match model looks again.
void Back::update(int bit) {
  for (size_t k = 0; k < Unit::kTextures; ++k) NibbleCounters::update(*texture_counter_[k], bit);
  const bool byte_done = bytes_.push_bit(bit);
  if (byte_done) {
    bytes_.end_byte();
    match_.extend(bytes_.history);
  } else {
    if (bytes_.bit_pos == 4) find_textures(bytes_.c0);
    const uint32_t c0 = bytes_.c0, k = static_cast<uint32_t>(bytes_.bit_pos & 3);
    const size_t node = bytes_.bit_pos < 4 ? c0 - 1 : ((1u << k) | (c0 & ((1u << k) - 1))) - 1;
    for (size_t i = 0; i < Unit::kTextures; ++i) texture_counter_[i] = texture_slot_[i] + node;
  }
  match_.train(bit);
  for (size_t s = 0; s < Unit::kSets; ++s) mixer_train(x_.data(), w_[s], Unit::kInputs, ((bit << kProbBits) - p_set_[s]) * kSetRates[s]);
  const int err = (bit << kProbBits) - p_final_;
  for (size_t i = 0; i < Unit::kFinalInputs; ++i)
    fw_[i] = static_cast<int32_t>(std::clamp<int64_t>(fw_[i] + ((int64_t{fx_[i]} * err * kFinalRate + (1 << 19)) >> 20), -kWeightMax, kWeightMax));
  for (size_t a = 0; a < Unit::kApms; ++a) apms_[a].update(bit, kApmShifts[a]);
  if (byte_done) match_.find(bytes_.history);
}

void Back::prefetch(const Decision& d) const {
  for (size_t s = 0; s < Unit::kSets; ++s) sets_[s].prefetch(d.set[s]);
  for (size_t a = 0; a < Unit::kApms; ++a) apms_[a].prefetch(d.apm[a]);
}

}  // namespace mbz::mix::p13
