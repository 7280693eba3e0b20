// Context mixer: counters, match model, logistic mixer, probability maps.
#include "mix/context_mixer.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include "mix/context_hash.hpp"
#include "mix/counter.hpp"
#include "common/huge_pages.hpp"
#include "mix/logistic.hpp"
#include "mix/numeric_model.hpp"

namespace mbz::mix {

void path_counts(const uint32_t* cum, uint8_t byte, NodeCounts out[8]) {
  uint32_t c0 = 1;
  for (int d = 0; d < 8; ++d) {
    out[d] = node_counts(cum, c0);
    c0 = (c0 << 1) | ((byte >> (7 - d)) & 1u);
  }
}

NodeCounts node_counts(const uint32_t* cum, uint32_t c0) {
  const int depth = 31 - __builtin_clz(c0);  // bits below c0's leading 1 (c0 >= 1)
  const uint32_t width = 256u >> depth;
  const uint32_t lo = (c0 - (1u << depth)) * width, mid = lo + width / 2, hi = lo + width;
  return NodeCounts{cum[hi] - cum[mid], cum[hi] - cum[lo]};
}

namespace {

// Hashed tables of counters, `count` of 2^bits slots each, in one block of
// huge pages; a slot whose check differs is taken over.
class CounterTables {
 public:
  CounterTables(int count, uint32_t bits)
      : slots_(size_t{static_cast<uint32_t>(count)} << bits), bits_(bits), mask_((1u << bits) - 1) {}
  Counter& at(int table, uint32_t h) {
    Counter& c = slots_.data()[slot(table, h)];
    const uint8_t check = static_cast<uint8_t>(h >> 24);
    if (c.check != check) c = Counter{32768, 32768, 0, check};
    return c;
  }
  // Starts loading the slot of h into the cache: the tables are far larger
  // than it, so every lookup would otherwise wait for memory.
  void prefetch(int table, uint32_t h) const { __builtin_prefetch(&slots_.data()[slot(table, h)], 1); }

 private:
  size_t slot(int table, uint32_t h) const { return (size_t{static_cast<uint32_t>(table)} << bits_) + (h & mask_); }
  HugePageArray<Counter> slots_;
  uint32_t bits_, mask_;
};

// Starts loading bytes [p, p + n) into the cache.
inline void prefetch_span(const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  for (size_t i = 0; i < n; i += 64) __builtin_prefetch(c + i);
  __builtin_prefetch(c + n - 1);
}

// Adaptive probability map: refines p in context ctx by interpolating 33 cells.
class ProbabilityMap {
 public:
  // Every context starts as the identity map; its 33 cells are computed once
  // and copied (2 M squash calls made a mixer's set-up cost ~7 ms), into
  // memory not zeroed first (4.3 MiB for order 1: huge pages, few faults).
  explicit ProbabilityMap(uint32_t contexts) : cells_(size_t{contexts} * 33, Uninitialized{}) {
    std::array<uint16_t, 33> identity{};
    for (int j = 0; j < 33; ++j) identity[static_cast<size_t>(j)] = static_cast<uint16_t>(squash((j - 16) * 128) * 16);
    for (size_t c = 0; c < contexts; ++c) std::copy(identity.begin(), identity.end(), cells_.data() + c * 33);
  }
  int refine(int p, uint32_t ctx) {
    const int s = stretch(p) + 2048;  // 1..4095
    const int w = s & 127;
    const size_t lo = ctx * 33 + static_cast<uint32_t>(s >> 7);
    idx_ = static_cast<uint32_t>(lo) + (w >= 64 ? 1 : 0);  // the nearer cell learns
    return std::clamp((cells_[lo] * (128 - w) + cells_[lo + 1] * w) >> 11, 1, kProbOne - 1);
  }
  void prefetch(uint32_t ctx) const { prefetch_span(&cells_[size_t{ctx} * 33], 33 * sizeof(uint16_t)); }
  void update(int bit, int shift) {
    const int32_t target = bit ? 65535 : 0;
    cells_[idx_] = static_cast<uint16_t>(cells_[idx_] + ((target - cells_[idx_]) >> shift));
  }

 private:
  HugePageArray<uint16_t> cells_;
  uint32_t idx_ = 0;
};

constexpr int kContexts = 10;          // hashed context counters
constexpr int kInputs = 2 * kContexts + 4;  // + match, model (stretched and linear), bias
constexpr int kWeightSetsB = 7 * 8 * 8;  // mixer_b: match state x model confidence x bit
constexpr int kMatchMin = 3;            // bytes that must repeat before the match model predicts
constexpr int kLearningRate = 24;      // mixer step: w += x * err * 24 / 2^16
constexpr int kCounterLimit = 6;       // fast counters adapt at 1/(n+1.5), n <= this
constexpr int32_t kWeightMax = 1 << 24;  // |weight| <= 256.0 keeps every sum in range
constexpr int kMaxMixerInputs = kInputs + NumericModel::kMaxInputs;

// The mixer's arithmetic in 32 bits, exactly as in 64: every input is a
// stretched probability or less, |x| <= kStretchMax (the model's linear
// input is (p - 2048) / 2, the bias 256), so
//   dot:   w = (w >> 12) * 4096 + (w & 4095) with |w >> 12| <= 4096 splits
//          the sum of x * w into two sums of at most 54 terms under
//          2047 * 4096 each, below 2^31;
//   train: |err| <= 4095 * kLearningRate, so |x * err| < 2047 * 98280 < 2^31,
//          and the clamped weight plus its step fits too.
// Plain int32 loops vectorize.
static_assert(int64_t{kMaxMixerInputs} * kStretchMax * 4096 < (int64_t{1} << 31), "dot's halves fit 32 bits");
static_assert(int64_t{kStretchMax} * (kProbOne - 1) * kLearningRate < (int64_t{1} << 31), "train's steps fit 32 bits");

// sum(x[i] * w[i]) / 2^16 in stretch units, clamped.
__attribute__((target_clones("avx2", "default")))
int mixer_dot(const int32_t* x, const int32_t* w, size_t n) {
  int32_t high = 0, low = 0;
  for (size_t i = 0; i < n; ++i) {
    high += x[i] * (w[i] >> 12);
    low += x[i] * (w[i] & 4095);
  }
  const int64_t s = int64_t{high} * 4096 + low;
  return static_cast<int>(std::clamp<int64_t>(s >> 16, -kStretchMax, kStretchMax));
}

// w += x * err / 2^16, each weight clamped to +-kWeightMax.
__attribute__((target_clones("avx2", "default")))
void mixer_train(const int32_t* x, int32_t* w, size_t n, int32_t err) {
  for (size_t i = 0; i < n; ++i) w[i] = std::clamp(w[i] + ((x[i] * err) >> 16), -kWeightMax, kWeightMax);
}

uint32_t table_bits(size_t segment_len) {
  uint32_t bits = 16;
  while (bits < 20 && (size_t{1} << bits) < segment_len * 2) ++bits;
  return bits;
}

}  // namespace

struct ContextMixer::State {
  State(size_t len, SampleShape sh)
      : shape(sh),
        numeric(sh.value_format ? std::make_unique<NumericModel>(sh, len) : nullptr),
        n_inputs(kInputs + (numeric ? static_cast<size_t>(numeric->inputs()) : 0)),
        tables(kContexts, table_bits(len)),
        match_table(size_t{1} << table_bits(len), 0),
        match_counters(64 * 2),
        mixer_a(size_t{4 * 256} * n_inputs, 0),
        mixer_b(static_cast<size_t>(numeric ? numeric->weight_sets() : kWeightSetsB) * n_inputs, 0),
        apm_order0(256),
        apm_order1(65536),
        apm_stage(numeric ? 1024 : 0) {
    history.reserve(len);
    for (size_t set = 0; set < mixer_a.size() / n_inputs; ++set) mixer_a[set * n_inputs + kContexts + 1] = 65536;  // start as the model alone
    for (size_t set = 0; set < mixer_b.size() / n_inputs; ++set) mixer_b[set * n_inputs + kContexts + 1] = 65536;
    begin_byte();
    begin_bit();
  }

  SampleShape shape;
  std::unique_ptr<NumericModel> numeric;  // profiles 3, 4: inputs from the samples' values
  size_t n_inputs;
  uint32_t phase = 0;  // byte of the sample frame being coded (0 without a shape)

  // Byte history and context hashes.
  std::vector<uint8_t> history;
  uint32_t c0 = 1, c4 = 0, c8 = 0, word = 0, prev_word = 0;
  int bit_pos = 0;
  std::array<uint32_t, kContexts> base{};
  CounterTables tables;
  std::array<uint32_t, kContexts> slot_hash{};  // of the next bit's context in each table (begin_bit)
  std::array<Counter*, kContexts> live{};

  // Match model: last position after each hash of kMatchMin bytes.
  std::vector<uint32_t> match_table;
  uint32_t match_ptr = 0, match_len = 0;
  uint32_t* match_slot = nullptr;  // of the bytes just coded, between extend_match() and find_match()
  std::vector<Counter> match_counters;  // by length bucket and expected bit
  Counter* match_live = nullptr;
  int match_bucket = 0;

  // Mixer: two weight sets (by partial byte; by match state and bit position).
  std::vector<int32_t> mixer_a, mixer_b;
  std::array<int32_t, kMaxMixerInputs> in{};
  int32_t* wa = nullptr;
  int32_t* wb = nullptr;
  int p_a = 2048, p_b = 2048, p_mix = 2048;
  ProbabilityMap apm_order0, apm_order1;
  ProbabilityMap apm_stage;  // profiles 3, 4, audio: by the last LMS stage
  bool stage_refined = false;
  int p_final = 2048;

  // The byte k back in the segment (0 before its start).
  uint32_t back(uint64_t k) const { return k <= history.size() ? history[history.size() - k] : 0; }

  // Sampled data: contexts of the same byte of earlier samples (left, and
  // the row above for images) at this byte's place in its frame.
  void begin_sampled_byte() {
    const uint64_t at = history.size() + shape.phase;
    const uint32_t s = shape.stride;
    const uint64_t up = shape.row ? shape.row : 3 * uint64_t{s};
    phase = static_cast<uint32_t>((shape.row ? at % shape.row : at) % s);
    const uint32_t c1 = back(1), c2 = back(2), l = back(s), l2 = back(2 * uint64_t{s}), u = back(up);
    const uint32_t ul = back(up + s), ur = up > s ? back(up - s) : 0;
    const uint32_t ph = phase + 1;
    base[0] = c1 << 8;
    base[1] = hash2(ph, hash2(c1 | c2 << 8, 11));
    base[2] = hash2(ph, hash2(l, 12));
    base[3] = hash2(ph, hash2(l | l2 << 8, 13));
    base[4] = hash2(ph, hash2(u, 14));
    base[5] = hash2(ph, hash2(u | l << 8, 15));
    base[6] = hash2(ph, hash2(u | ul << 8 | ur << 16, 16));
    base[7] = hash2(ph, hash2(c1 | l << 8, 17));
    base[8] = hash2(ph, hash2(c1 | u << 8, 18));
    base[9] = hash2(ph, hash2(c1 | c2 << 8 | back(3) << 16, 19));
  }

  void begin_byte() {
    if (shape.stride > 0) return begin_sampled_byte();
    const uint32_t c1 = c4 & 0xFF;
    base[0] = c1 << 8;  // order 1 is direct: (c1, c0) fits 16 bits
    base[1] = hash2(c4 & 0xFFFF, 2);
    base[2] = hash2(c4 & 0xFFFFFF, 3);
    base[3] = hash2(c4, 4);
    base[4] = hash2(c4, hash2(c8 & 0xFFFF, 6));
    base[5] = hash2(word, 7);
    base[6] = hash2((c4 >> 8) & 0xFF, 8);        // the byte before last: the same byte of a 16-bit sample
    base[7] = hash2(c4 & 0xFF00FF00u, 9);      // every other byte
    base[8] = hash2(c4, hash2(c8 & 0xFF, 5));
    base[9] = hash2(word, hash2(prev_word, 10));  // word pair
  }

  void set_match_bucket() {
    match_bucket = 0;
    if (match_len > 0) match_bucket = match_len < 16 ? static_cast<int>(match_len) : std::min(31, 12 + ilog2(match_len));
  }

  static int ilog2(uint32_t v) {
    int r = 0;
    while (v >>= 1) ++r;
    return r;
  }

  // The next bit's slot in every table, and a prefetch of each. Order 1
  // indexes directly (c1, c0) and checks with c1; the rest hash.
  void begin_bit() {
    slot_hash[0] = base[0] | c0 | ((c4 & 0xFF) << 24);
    const uint32_t bit_hash = mix32(c0 * 0x2545F491u);
    for (int i = 1; i < kContexts; ++i) slot_hash[i] = base[i] ^ bit_hash;
    for (int i = 0; i < kContexts; ++i) tables.prefetch(i, slot_hash[i]);
  }

  // Starts fetching the next bit's mixer weights and probability map cells
  // that are known before predict() (all but mixer_b's without numbers).
  void prefetch_rows() const {
    const size_t row = n_inputs * sizeof(int32_t);
    prefetch_span(&mixer_a[((phase & 3) * 256 + c0) * n_inputs], row);
    apm_order0.prefetch(c0);
    if (numeric) {
      prefetch_span(&mixer_b[static_cast<size_t>(numeric->weight_set()) * n_inputs], row);
      apm_order1.prefetch(static_cast<uint32_t>(numeric->refine_context()));
      const int stage = numeric->stage_context();
      if (stage >= 0) apm_stage.prefetch(static_cast<uint32_t>(stage));
    } else {
      apm_order1.prefetch(c0 | ((c4 & 0xFF) << 8));
    }
  }

  int predict(NodeCounts model) {
    for (int i = 0; i < kContexts; ++i) live[i] = &tables.at(i, slot_hash[i]);
    for (int i = 0; i < kContexts; ++i) in[i] = live[i]->stretched(), in[kContexts + 4 + i] = live[i]->stretched_slow();
    // Match model: the bit the repeated string predicts, if the byte still agrees.
    match_live = nullptr;
    in[kContexts] = 0;
    int expected = 0;
    if (match_len > 0) {
      const uint32_t predicted = history[match_ptr] | 256u;
      if ((predicted >> (8 - bit_pos)) == c0) {
        expected = (predicted >> (7 - bit_pos)) & 1;
        match_live = &match_counters[match_bucket * 2 + expected];
        in[kContexts] = match_live->n == 0 ? (expected ? 512 : -512) : match_live->stretched();
      }
    }
    const int pm = static_cast<int>(std::clamp<uint64_t>((uint64_t{model.ones} * kProbOne + model.total / 2) / model.total, 1, kProbOne - 1));
    in[kContexts + 1] = stretch(pm);
    in[kContexts + 2] = (pm - 2048) / 2;
    in[kContexts + 3] = 256;

    wa = &mixer_a[((phase & 3) * 256 + c0) * n_inputs];
    if (numeric) {
      numeric->predict(&in[kInputs]);
      wb = &mixer_b[static_cast<size_t>(numeric->weight_set()) * n_inputs];
    } else {
      const int match_state = match_live ? 1 + std::min(match_bucket, 14) / 5 * 2 + expected : 0;  // 0..6
      const int confidence = std::min(7, std::abs(in[kContexts + 1]) / 256);  // the model's certainty
      wb = &mixer_b[((match_state * 8 + confidence) * 8 + bit_pos) * n_inputs];
    }
    p_a = squash(dot(wa));
    p_b = squash(dot(wb));
    p_mix = squash((stretch(p_a) + stretch(p_b)) / 2);
    const int r0 = apm_order0.refine(p_mix, c0);
    const int r1 = apm_order1.refine(p_mix, numeric ? static_cast<uint32_t>(numeric->refine_context()) : c0 | ((c4 & 0xFF) << 8));
    const int stage = numeric ? numeric->stage_context() : -1;
    stage_refined = stage >= 0;
    if (stage_refined) {
      const int r2 = apm_stage.refine(p_mix, static_cast<uint32_t>(stage));
      p_final = std::clamp((r0 + r1 + 2 * r2 + 2) >> 2, 1, kProbOne - 1);
    } else {
      p_final = std::clamp((p_mix + r0 + 2 * r1 + 2) >> 2, 1, kProbOne - 1);
    }
    return p_final;
  }

  int dot(const int32_t* w) const { return mixer_dot(in.data(), w, n_inputs); }

  void train(int32_t* w, int p, int bit) const {
    mixer_train(in.data(), w, n_inputs, ((bit << kProbBits) - p) * kLearningRate);
  }

  // Moves the contexts on first and starts fetching the next bit's slots,
  // which then arrive while this bit trains what predict() used (the
  // training reads nothing that moving on changes).
  // The match table's slot, far in memory, is read last of all, once its
  // prefetch has had time to arrive.
  void update(int bit) {
    c0 = (c0 << 1) | static_cast<uint32_t>(bit);
    const bool byte_done = ++bit_pos == 8;
    if (byte_done) end_byte(static_cast<uint8_t>(c0 & 0xFF));
    begin_bit();
    if (numeric) numeric->update(bit);  // which also finds its next contexts
    prefetch_rows();
    for (int i = 0; i < kContexts; ++i) live[i]->train(bit, kCounterLimit);
    if (match_live) match_live->train(bit, 255);
    train(wa, p_a, bit);
    train(wb, p_b, bit);
    apm_order0.update(bit, 6);
    apm_order1.update(bit, 6);
    if (stage_refined) apm_stage.update(bit, 6);
    if (byte_done) find_match();
  }

  void end_byte(uint8_t byte) {
    history.push_back(byte);
    c8 = (c8 << 8) | (c4 >> 24);
    c4 = (c4 << 8) | byte;
    c0 = 1;
    bit_pos = 0;
    const uint8_t lower = (byte >= 'A' && byte <= 'Z') ? static_cast<uint8_t>(byte + 32) : byte;
    if ((lower >= 'a' && lower <= 'z') || lower >= 128) {
      word = hash2(word, lower);
    } else if (word != 0) {
      prev_word = word;
      word = 0;
    }
    extend_match(byte);
    begin_byte();
  }

  // The match model after a byte, in two steps: extend_match() follows the
  // current match and starts fetching the slot of the last kMatchMin bytes;
  // find_match() then looks for a new match there and records this position.
  void extend_match(uint8_t byte) {
    const uint32_t pos = static_cast<uint32_t>(history.size());  // index of the next byte
    if (match_len > 0 && history[match_ptr] == byte) {
      ++match_ptr;
      if (match_len < 65535) ++match_len;
    } else {
      match_len = 0;
    }
    match_slot = nullptr;
    if (pos < kMatchMin) return;
    uint32_t h = 0;
    for (uint32_t i = pos - kMatchMin; i < pos; ++i) h = hash2(h, history[i]);
    match_slot = &match_table[h & (match_table.size() - 1)];
    __builtin_prefetch(match_slot, 1);
  }

  void find_match() {
    if (match_slot) {
      const uint32_t pos = static_cast<uint32_t>(history.size());
      uint32_t& slot = *match_slot;
      if (match_len == 0 && slot > 0) {
        uint32_t len = 0;
        while (len < 64 && len < slot && history[slot - 1 - len] == history[pos - 1 - len]) ++len;
        if (len >= kMatchMin) match_len = len, match_ptr = slot;
      }
      slot = pos;
    }
    set_match_bucket();
  }
};

ContextMixer::ContextMixer(size_t segment_len, SampleShape shape) : st_(new State(segment_len, shape)) {}
ContextMixer::~ContextMixer() { delete st_; }
int ContextMixer::predict(NodeCounts model) { return st_->predict(model); }
void ContextMixer::update(int bit) { st_->update(bit); }

}  // namespace mbz::mix
