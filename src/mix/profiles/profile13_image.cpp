// Mixer profile 13 (docs/FORMAT.md "Mixed segments", "Profile 13"): a copy
// of profile 9's unit (profile9_image.cpp, frozen) whose weights start from
// a prior. Frozen since mbz 0.21.0: do not edit (tests/frozen-units.sha256).
#include "mix/profiles/profile13_image.hpp"

#include <algorithm>
#include <cstdlib>

#include "mix/blocks/counter_tables.hpp"
#include "mix/blocks/interval_contexts.hpp"
#include "mix/context_hash.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix {

namespace {

// The dot product's 32-bit halves (weight_sets.hpp) hold this many inputs.
static_assert(int64_t{Profile13Image::kInputs} * kStretchMax * 4096 < (int64_t{1} << 31), "dot's halves fit 32 bits");

// Sizes and rates of the first-layer sets (legend: Profile13Image::Set):
// profile 6's eight, then the texture set (512 gradient selectors x 16 depths).
constexpr size_t kSetSizes[Profile13Image::kSets] = {4 * 256, 256, 512, 1024, 4096, 4096, 1024, 4096, ImageTextures::kSelectors * 16};
constexpr int kSetRates[Profile13Image::kSets] = {24, 24, 24, 24, 12, 12, 12, 12, 12};  // w += x * err * rate / 2^16
constexpr int kFinalRate = 32;  // final mixer: w += round(x * err * 32 / 2^20)
constexpr size_t kBiasSlot = 3; // of the final mixer's inputs
// The APMs' update shifts (legend: Profile13Image::Apm): profile 6's three
// at 2^-6, the four added at 2^-7; and their weights in the average (of 12).
constexpr int kApmShifts[Profile13Image::kApms] = {6, 6, 6, 7, 7, 7, 7};
constexpr int kApmWeights[Profile13Image::kApms] = {1, 1, 2, 2, 2, 2, 2};

size_t final_slot(size_t set) { return set < kBiasSlot ? set : set + 1; }

// A prediction (a residual) as a byte context: clamped to +-127, offset.
uint32_t as_byte(int64_t v) { return static_cast<uint32_t>(std::clamp<int64_t>(v, -127, 127) + 128); }

// The texture table: 64 bytes a segment byte in a power of two, 1 to 64 MiB.
size_t texture_table_bytes(size_t segment_len) {
  size_t bytes = size_t{1} << 20;
  while (bytes < (size_t{1} << 26) && bytes < segment_len * 64) bytes <<= 1;
  return bytes;
}

}  // namespace

Profile13Image::Profile13Image(size_t segment_len, SampleShape shape, const WeightPrior* prior)
    : grid_(shape, segment_len),
      scales_(grid_),
      ensemble_(grid_),
      textures_(grid_),
      contexts_(shape),
      bytes_(segment_len),
      counters_(table_bits(segment_len)),
      match_(table_bits(segment_len)),
      texture_table_(texture_table_bytes(segment_len)),
      final_(size_t{256} * kFinalInputs, 65536 / kSets) {
  sets_.reserve(kSets);
  for (size_t s = 0; s < kSets; ++s) sets_.emplace_back(kSetSizes[s], kInputs);
  for (size_t k = kBiasSlot; k < final_.size(); k += kFinalInputs) final_[k] = 0;
  if (prior) {
    for (size_t r = 0; r < prior->rows(); ++r)
      prior->copy_row(r, sets_[prior->row_set[r]].set(prior->row_index[r]));
    std::copy(prior->final_weights.begin(), prior->final_weights.end(), final_.begin());
  }
  const uint32_t per_channel = static_cast<uint32_t>(std::min(grid_.channels, 4)) << 16;
  const uint32_t apm_contexts[kApms] = {256, 1024, 1024, 1u << 16, 1u << 18, per_channel, per_channel};
  apms_.reserve(kApms);
  for (uint32_t n : apm_contexts) apms_.emplace_back(n);
  begin_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  begin_byte();
  counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
}

std::vector<int32_t> Profile13Image::dense_weights() {
  std::vector<int32_t> w;
  for (size_t s = 0; s < kSets; ++s)
    for (size_t r = 0; r < kSetSizes[s]; ++r) w.insert(w.end(), sets_[s].set(r), sets_[s].set(r) + kInputs);
  w.insert(w.end(), final_.begin(), final_.end());
  return w;
}

std::vector<uint32_t> Profile13Image::set_rows() { return std::vector<uint32_t>(kSetSizes, kSetSizes + kSets); }

int Profile13Image::depth() const { return std::min(grid_.depth, 15); }

void Profile13Image::begin_sample() {
  grid_.begin_sample();
  scales_.begin(grid_);
  ensemble_.predict(grid_, pred_.data());
  textures_.begin(grid_, pred_.data(), ensemble_.te(), ensemble_.act());
}

void Profile13Image::end_sample() {
  const int32_t v = grid_.end_sample();
  textures_.end(grid_, v);
  scales_.update(grid_, v, pred_.data());
  ensemble_.update(grid_, v, pred_.data());
  grid_.next_sample();
  begin_sample();
}

// Profile 6's byte contexts; then the texture contexts of the byte (the
// sample's hashes, hashed with the byte's index in the sample after the
// first) and their slots of its first nibble.
void Profile13Image::begin_byte() {
  contexts_.begin_byte(bytes_, base_);
  const uint32_t ph = contexts_.place() + 1;
  base_[7] = hash2(ph, hash2(as_byte(pred_[6]) | as_byte(pred_[13]) << 8, 21));
  base_[8] = hash2(ph, hash2(as_byte(pred_[3] / 2) | as_byte(pred_[0] / 2) << 8 | static_cast<uint32_t>(ensemble_.te()) << 16, 22));
  const uint32_t byte_index = static_cast<uint32_t>(grid_.depth / 8);
  for (int k = 0; k < kTextures; ++k) {
    const uint32_t h = textures_.hash(k);
    texture_byte_[static_cast<size_t>(k)] = byte_index ? hash2(h, byte_index) : h;
  }
  find_textures(1);
  texture_counter_ = texture_slot_;
}

// The slots of the texture contexts for a nibble: 1 at a byte's first bit,
// 16 + its first four bits at its fifth.
void Profile13Image::find_textures(uint32_t nibble) {
  std::array<uint32_t, kTextures> h;
  for (size_t k = 0; k < kTextures; ++k) h[k] = hash2(texture_byte_[k], nibble), texture_table_.prefetch(h[k]);
  for (size_t k = 0; k < kTextures; ++k) texture_slot_[k] = texture_table_.find(h[k]);
}

// Legend of the sets' selectors (d: the depth, at most 15; ch: the
// channel, at most 3; te, act: ImageEnsemble's; q64(k): P_k's qd + 32 in
// 0..63):
//   A       (place & 3) x 256 + c0, as profiles 1-4
//   B       d < 8: (2d + [channel > 0]) x 16 + te; else d x 16 + te
//   C       (d x 8 + act) x 4 + min(te / 4, 3)
//   D       d x 64 + q64(6)                     the weighted predictor's
//   Gap     (d x 4 + ch) x 64 + q64(3)
//   Ols     (d x 4 + ch) x 64 + q64(13)
//   OlsW    (d x 4 + ch) x 16 + qw(13)
//   Dis     (d x 8 + act) x 32 + 16 + clamp(quantize(64 (P6 - P13) / scale6, coarse), -15, 15),
//           P6 - P13 wrapped to the sample's range
//   Texture ImageTextures::selector() x 16 + d
size_t Profile13Image::set_of(Set s) const {
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
    case kSetTexture: set = static_cast<int>(textures_.selector()) * 16 + d; break;
    case kSets: break;
  }
  return static_cast<size_t>(set);
}

// Legend of the APMs' contexts (c0: the byte's bits so far with a leading 1;
// ch: the channel, at most 3):
//   Order0    c0                                          (profile 6's APM0)
//   P0        d x 64 + P0's qd + 32                       (APM1)
//   P6        d x 64 + clamp(P6's qd + 32, 0, 63)         (APM2)
//   Gap       as_byte(P3) << 8 | c0                       GAP's expected residual
//   Texture   (texture context 0's hash >> 22) << 8 | c0  W and N
//   Weighted  ch << 16 | as_byte(P6) << 8 | c0            the weighted predictor's
//   Ols       ch << 16 | as_byte(P13) << 8 | c0           the least squares'
uint32_t Profile13Image::apm_context(Apm a) const {
  const uint32_t c0 = bytes_.c0, ch = static_cast<uint32_t>(std::min(grid_.channel, 3));
  switch (a) {
    case kApmOrder0: return c0;
    case kApmP0: return static_cast<uint32_t>(depth() * 64 + intervals_.qd(0) + 32);
    case kApmP6: return static_cast<uint32_t>(depth() * 64 + std::clamp(intervals_.qd(6) + 32, 0, 63));
    case kApmGap: return as_byte(pred_[3]) << 8 | c0;
    case kApmTexture: return (textures_.hash(0) >> 22) << 8 | c0;
    case kApmWeighted: return ch << 16 | as_byte(pred_[6]) << 8 | c0;
    case kApmOls: return ch << 16 | as_byte(pred_[13]) << 8 | c0;
    case kApms: break;
  }
  return 0;
}

int Profile13Image::predict(NodeCounts model) {
  counters_.read(x_.data());
  x_[kMatchInput] = match_.input(bytes_.history, bytes_.c0, bytes_.bit_pos);
  const int pm = static_cast<int>(std::clamp<uint64_t>((uint64_t{model.ones} * kProbOne + model.total / 2) / model.total, 1, kProbOne - 1));
  x_[kModelStretched] = stretch(pm);
  x_[kModelLinear] = (pm - 2048) / 2;
  x_[kBiasInput] = 256;
  intervals_.inputs(&x_[kByteInputs]);
  for (size_t k = 0; k < kTextures; ++k) {  // a counter that has seen no bit says nothing
    const uint16_t c = *texture_counter_[k];
    x_[kTextureInputs + k] = NibbleCounters::count(c) ? stretch(NibbleCounters::p(c)) : 0;
  }
  for (size_t s = 0; s < kSets; ++s) {
    w_[s] = sets_[s].set(set_of(static_cast<Set>(s)));
    p_set_[s] = sets_[s].predict(x_.data(), w_[s]);
    fx_[final_slot(s)] = stretch(p_set_[s]);
  }
  fx_[kBiasSlot] = 256;
  fw_ = &final_[set_of(kSetB) * kFinalInputs];
  p_final_ = squash(mixer_dot(fx_.data(), fw_, kFinalInputs));
  int sum = 0, weight = 0;
  for (size_t a = 0; a < kApms; ++a) {
    sum += kApmWeights[a] * apms_[a].refine(p_final_, apm_context(static_cast<Apm>(a)));
    weight += kApmWeights[a];
  }
  return std::clamp((sum + weight / 2) / weight, 1, kProbOne - 1);
}

// The texture counters learn the bit first; then, as profile 6, the numeric
// side moves on, so that a new byte's contexts see the next sample's
// predictions; then the byte contexts, whose slots are fetched while the bit
// trains what predict() used.
void Profile13Image::update(int bit) {
  for (size_t k = 0; k < kTextures; ++k) NibbleCounters::update(*texture_counter_[k], bit);
  const bool byte_done = bytes_.push_bit(bit);
  const int up = intervals_.up(bit);
  intervals_.train(up);
  if (grid_.push_bit(up)) end_sample();
  intervals_.begin_bit(grid_, pred_.data(), scales_);
  if (byte_done) {
    bytes_.end_byte();
    match_.extend(bytes_.history);
    begin_byte();
  } else {
    // The counter of the next decision: its node in the nibble's tree.
    if (bytes_.bit_pos == 4) find_textures(bytes_.c0);
    const uint32_t c0 = bytes_.c0, k = static_cast<uint32_t>(bytes_.bit_pos & 3);
    const size_t node = bytes_.bit_pos < 4 ? c0 - 1 : ((1u << k) | (c0 & ((1u << k) - 1))) - 1;
    for (size_t i = 0; i < kTextures; ++i) texture_counter_[i] = texture_slot_[i] + node;
  }
  counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
  prefetch_rows();
  counters_.train(bit);
  match_.train(bit);
  for (size_t s = 0; s < kSets; ++s) mixer_train(x_.data(), w_[s], kInputs, ((bit << kProbBits) - p_set_[s]) * kSetRates[s]);
  const int err = (bit << kProbBits) - p_final_;
  for (size_t i = 0; i < kFinalInputs; ++i)
    fw_[i] = static_cast<int32_t>(std::clamp<int64_t>(fw_[i] + ((int64_t{fx_[i]} * err * kFinalRate + (1 << 19)) >> 20), -kWeightMax, kWeightMax));
  for (size_t a = 0; a < kApms; ++a) apms_[a].update(bit, kApmShifts[a]);
  if (byte_done) match_.find(bytes_.history);
}

// The next bit's weight rows and probability map cells, all known now.
void Profile13Image::prefetch_rows() const {
  for (size_t s = 0; s < kSets; ++s) sets_[s].prefetch(set_of(static_cast<Set>(s)));
  for (size_t a = 0; a < kApms; ++a) apms_[a].prefetch(apm_context(static_cast<Apm>(a)));
}

}  // namespace mbz::mix
