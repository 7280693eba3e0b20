// Mixer profile 12 (docs/FORMAT.md "Mixed segments", "Profile 12"): a copy
// of profile 10's unit (profile10_text.cpp, frozen) whose weights start from
// a prior. Frozen since mbz 0.20.0: do not edit (tests/frozen-units.sha256).
#include "mix/profiles/profile12_text.hpp"

#include "mix/profiles/profile10_text.hpp"

#include <algorithm>
#include <cstdlib>

#include "mix/blocks/counter_tables.hpp"
#include "mix/blocks/prefetch.hpp"
#include "mix/blocks/weight_sets.hpp"
#include "mix/context_hash.hpp"
#include "mix/logistic.hpp"

namespace mbz::mix {

namespace {

constexpr uint32_t kMatchMin = 6;      // bytes that must repeat before a match predicts
constexpr uint32_t kMatchVerify = 255; // bytes compared back when a match is found
// Weight sets: w += x * err * rate / 2^16, rate = 20 + (20 >> h) after
// h * 2^14 bytes (h <= 5): 40 (profile 7's) over the first 16 KiB, 30, 25,
// 22, 21, then 20 from 80 KiB. On held-out text, 20 throughout was 0.1%
// smaller than 40 on 100-300 KB and 0.8% larger on 4 KB; the steps code
// 4 KB as 40 does and 100-300 KB 0.06% smaller than 20.
constexpr int kSetRate = 20;
constexpr int kSetRateHalving = 14;
constexpr int kFinalRate = 2;          // final mixer: w += x * err * 2 / 2^14
constexpr int32_t kFinalMax = 1 << 22;
// Sizes of the six weight sets' selectors (legend in predict()).
constexpr uint32_t kSetSizes[Profile12Text::kSets] = {256, 17 * 8, 32 * 8, 8 * 24, 256 * 8, 256 * 8};

// mixer_dot splits each weight into w >> 12 and w & 4095 and sums each half
// in 32 bits; with every |x| <= kStretchMax and |w| <= kWeightMax (so
// |w >> 12| <= 4096) the halves of 70 terms still fit, so it gives the exact
// sum (weight_sets.hpp argues it for 54).
static_assert(int64_t{Profile12Text::kInputs} * kStretchMax * 4096 < (int64_t{1} << 31), "dot's halves fit 32 bits");
static_assert(int64_t{kStretchMax} * (kProbOne - 1) * 2 * kSetRate < (int64_t{1} << 31), "train's steps fit 32 bits");

int ilog2(uint32_t v) {
  int r = 0;
  while (v >>= 1) ++r;
  return r;
}

// A byte's class for the character-class context.
uint32_t char_class(uint32_t c) {
  if (c >= 'a' && c <= 'z') return 1;
  if (c >= 'A' && c <= 'Z') return 2;
  if (c >= '0' && c <= '9') return 3;
  if (c == ' ') return 4;
  if (c == '\n') return 5;
  if (c >= 128) return 6;
  return 7 + c;
}

// The model's stretched probability in 32 steps.
int model_bucket(int stretched) { return std::clamp((stretched + 2048) >> 7, 0, 31); }

}  // namespace

Profile12Text::Profile12Text(size_t segment_len, SampleShape, const WeightPrior* prior)
    : follow2_(65536, 0),
      follow3_(65536, 0),
      follow1_(256, 0),
      order2_bits_(p10_order2_bits(segment_len)),
      table_(p10_nibble_table_bytes(segment_len)),
      match_table_(size_t{1} << table_bits(segment_len), 0),
      match_map_(64),
      long_match_(match_table_.size()),
      final_(size_t{256} * kSets, 65536 / kSets),
      model_map_(65536),
      apm0_(256),
      apm1_(65536),
      apm2_(1u << (order2_bits_ + 8)),
      apm3_(64 * 256) {
  history_.reserve(segment_len);
  maps_.reserve(kContexts);
  for (int i = 0; i < kContexts; ++i) maps_.push_back(StateMap::for_bit_histories());
  for (int s = 0; s < kSets; ++s) {
    sets_[static_cast<size_t>(s)].assign(size_t{kSetSizes[s]} * kInputs, 0);
    for (uint32_t k = 0; k < kSetSizes[s]; ++k) sets_[static_cast<size_t>(s)][k * kInputs + kModelInputs] = 65536;  // the model alone
  }
  if (prior) {
    for (size_t r = 0; r < prior->rows(); ++r)
      prior->copy_row(r, &sets_[prior->row_set[r]][size_t{prior->row_index[r]} * kInputs]);
    std::copy(prior->final_weights.begin(), prior->final_weights.end(), final_.begin());
  }
  begin_byte();
}

std::vector<int32_t> Profile12Text::dense_weights() const {
  std::vector<int32_t> w;
  for (const std::vector<int32_t>& set : sets_) w.insert(w.end(), set.begin(), set.end());
  w.insert(w.end(), final_.begin(), final_.end());
  return w;
}

std::vector<uint32_t> Profile12Text::set_rows() { return std::vector<uint32_t>(kSetSizes, kSetSizes + kSets); }

// Which of the nibble's 15 states this decision uses: 1 followed by the
// nibble's bits so far, minus 1.
int Profile12Text::node() const {
  if (bit_pos_ < 4) return static_cast<int>(c0_) - 1;
  const uint32_t k = static_cast<uint32_t>(bit_pos_ - 4);
  return static_cast<int>((1u << k) | (c0_ & ((1u << k) - 1))) - 1;
}

void Profile12Text::find_slots(uint32_t nibble) {
  std::array<uint32_t, kContexts> h;
  for (int i = 0; i < kContexts; ++i) h[static_cast<size_t>(i)] = hash2(base_[static_cast<size_t>(i)], nibble), table_.prefetch(h[static_cast<size_t>(i)]);
  for (int i = 0; i < kContexts; ++i) slot_[static_cast<size_t>(i)] = table_.find(h[static_cast<size_t>(i)]);
}

void Profile12Text::begin_byte() {
  const uint32_t c1 = c4_ & 0xFF, c2 = (c4_ >> 8) & 0xFF;
  const uint32_t pos = static_cast<uint32_t>(history_.size());
  const uint32_t col = pos - line_;
  const uint32_t above = (line_ > 0 && prev_line_ + col < line_) ? history_[prev_line_ + col] : 0;
  const uint32_t f2 = follow2_[c1 << 8 | c2];
  const uint32_t f3 = follow3_[hash2(c4_ & 0xFFFFFF, 9) & 0xFFFF];
  const TextStructure& s = structure_;
  const uint32_t depth = std::min(s.depth, 15u);
  const uint32_t nest = depth | (s.openers & 0xFF) << 4 | s.quote << 12;
  const uint32_t c3 = (c4_ >> 16) & 0xFF;
  const uint32_t above_next = (line_ > 0 && prev_line_ + col + 1 < line_) ? history_[prev_line_ + col + 1] : 0;
  // Legend: the 31 contexts.
  base_ = {
      hash2(0, 100),                                        //  0 order 0
      hash2(c1, 101),                                       //  1 order 1
      hash2(c4_ & 0xFFFF, 102),                             //  2 order 2
      hash2(c4_ & 0xFFFFFF, 103),                           //  3 order 3
      hash2(c4_, 104),                                      //  4 order 4
      hash2(c4_, hash2(c8_ & 0xFF, 105)),                   //  5 order 5
      hash2(c4_, hash2(c8_ & 0xFFFF, 106)),                 //  6 order 6
      hash2(c4_, hash2(c8_, 107)),                          //  7 order 8
      hash2(word_, hash2(c1, 108)),                         //  8 word so far, last byte
      hash2(word_, hash2(word1_, 109)),                     //  9 word pair
      hash2(c4_ & 0xFF00FF00u, 110),                        // 10 bytes 2 and 4 back
      hash2(c4_ & 0xFFFF0000u, 111),                        // 11 bytes 3 and 4 back
      hash2(above | std::min<uint32_t>(col, 255) << 8, hash2(c1, 112)),  // 12 column, byte above, last byte
      hash2(word1_, hash2(word2_, hash2(word_, 113))),      // 13 word triple
      hash2(c1 | f2 << 8, 114),                             // 14 last byte, what followed the last two before
      hash2((c4_ & 0xFFFF) | f3 << 16, 115),                // 15 last two bytes, what followed the last three before
      hash2(word_, hash2(c1, hash2(char_class(c2), 116))),  // 16 word, last byte, class of the one before
      hash2(word1_, hash2(c1, 117)),                        // 17 previous word, last byte
      // The structure contexts (text_structure.hpp): d = depth (15 at most),
      // o = the innermost four openers, q = quote, h = the line's head. The
      // lab's layouts are kept as they were tuned: in 21, c1 << 16 shares
      // bit 16 with the head's "two bytes" mark.
      hash2(nest | c1 << 16, 125),                                                   // 18 d, o, q, last byte
      hash2(depth | std::min(s.indent, 63u) << 4, hash2(word_, 128)),                // 19 d, indent, word so far
      hash2(nest, hash2(c4_ & 0xFFFF, 130)),                                         // 20 d, o, q, last two bytes
      hash2(s.head | c1 << 16, hash2(std::min(s.column, 31u), 133)),                 // 21 h, column, last byte
      hash2(std::min(s.field, 63u) | c1 << 8, hash2(s.separator, 134)),              // 22 field index, separator, last byte
      hash2(s.head | c1 << 17, hash2(word_, 136)),                                   // 23 h, word so far, last byte
      hash2(s.prev_head | c1 << 17, hash2(std::min(s.column, 63u), 137)),            // 24 previous line's h, column, last byte
      hash2(s.head, hash2(c4_ & 0xFFFF, 138)),                                       // 25 h, last two bytes
      hash2(s.head | above << 17, hash2(c1, 139)),                                   // 26 h, byte above, last byte
      // Profile 10's (salts as in the text lab, whose candidates 5, 7, 11, 13 they are).
      hash2(word_, hash2(word2_, 205)),                                              // 27 word so far, the word two back
      hash2(c1 | uint32_t{follow1_[c1]} << 8, 207),                                  // 28 last byte, the two bytes that last followed it
      hash2(char_class(c1) | char_class(c2) << 8 | char_class(c3) << 16, hash2(c1, 211)),  // 29 classes of the last three, last byte
      hash2(above | above_next << 8 | c1 << 16, 213),                                // 30 byte above, the one after it, last byte
  };
  order2_bucket_ = hash2(c4_ & 0xFFFF, 77) >> (32 - order2_bits_);
  find_slots(1);
  for (int i = 0; i < kContexts; ++i) state_[static_cast<size_t>(i)] = slot_[static_cast<size_t>(i)];
  prefetch_rows();
}

int Profile12Text::predict(NodeCounts model) {
  known_ = 0;
  for (int i = 0; i < kContexts; ++i) {
    const uint8_t s = *state_[static_cast<size_t>(i)];
    const int p = maps_[static_cast<size_t>(i)].p(s);
    int32_t* x = &x_[static_cast<size_t>(i < kBaseContexts                          ? 2 * i
                                         : i < kBaseContexts + kStructureContexts ? kStructureInputs + 2 * (i - kBaseContexts)
                                                                                  : kMoreInputs + 2 * (i - kBaseContexts - kStructureContexts))];
    if (s == 0) {
      x[0] = x[1] = 0;
      continue;
    }
    if (i < kBaseContexts) ++known_;  // set 3 counts profile 5's contexts only
    const BitHistory& h = kBitHistories.state[s];
    x[0] = stretch(p);
    x[1] = (h.n0 == 0 || h.n1 == 0) ? x[0] : (p - 2048) >> 2;
  }

  // Match: the bit a repeat predicts, while the byte still agrees with it.
  match_ctx_ = -1;
  int match_state = 0;
  x_[kMatchInputs] = x_[kMatchInputs + 1] = 0;
  if (match_len_ > 0) {
    const uint32_t predicted = history_[match_ptr_] | 256u;
    if ((predicted >> (8 - bit_pos_)) == c0_) {
      const int expected = static_cast<int>(predicted >> (7 - bit_pos_)) & 1;
      const int bucket = match_len_ < 12 ? static_cast<int>(match_len_) : std::min(15, ilog2(match_len_) + 8);
      match_ctx_ = bucket * 2 + expected;
      x_[kMatchInputs] = stretch(match_map_.p(static_cast<size_t>(match_ctx_)));
      const int strength = static_cast<int>(std::min<uint32_t>(2047, match_len_ * 32));
      x_[kMatchInputs + 1] = expected ? strength : -strength;
      match_state = 1 + expected + 2 * (bucket >> 1);  // 1..16
    }
  }

  // The model: its probability stretched, linear, and refined by the last byte.
  const uint32_t c1 = c4_ & 0xFF, c2 = (c4_ >> 8) & 0xFF;
  const int pm = static_cast<int>(std::clamp<uint64_t>((uint64_t{model.ones} * kProbOne + model.total / 2) / model.total, 1, kProbOne - 1));
  const int sm = stretch(pm);
  x_[kModelInputs] = sm;
  x_[kModelInputs + 1] = (pm - 2048) >> 1;
  x_[kModelInputs + 2] = stretch(model_map_.refine(pm, c0_ | c1 << 8));
  x_[kBiasInput] = 256;
  long_match_.predict(history_, c0_, bit_pos_, &x_[kLongMatchInputs]);

  // Legend: the weight sets' selectors.
  const uint32_t bp = static_cast<uint32_t>(bit_pos_);
  const uint32_t confidence = static_cast<uint32_t>(std::min(7, std::abs(sm) / 256));
  const uint32_t selector[kSets] = {
      c0_,                                                              // partial byte
      static_cast<uint32_t>(match_state) * 8 + bp,                       // match state, bit
      static_cast<uint32_t>(model_bucket(sm)) * 8 + bp,                  // model's probability, bit
      static_cast<uint32_t>(known_ * 8 / (kBaseContexts + 1)) * 24 + confidence * 3 + std::min(2u, bp / 3),  // known contexts, model's certainty
      c1 * 8 + bp,                                                      // last byte, bit
      c2 * 8 + bp,                                                      // the byte before, bit
  };
  int64_t final_dot = 0;
  fw_ = &final_[size_t{c0_} * kSets];
  for (int s = 0; s < kSets; ++s) {
    w_[static_cast<size_t>(s)] = &sets_[static_cast<size_t>(s)][size_t{selector[s]} * kInputs];
    dot_[static_cast<size_t>(s)] = mixer_dot(x_.data(), w_[static_cast<size_t>(s)], kInputs);
    p_set_[static_cast<size_t>(s)] = squash(dot_[static_cast<size_t>(s)]);
    final_dot += int64_t{dot_[static_cast<size_t>(s)]} * fw_[s];
  }
  p_mix_ = squash(static_cast<int>(std::clamp<int64_t>(final_dot >> 16, -kStretchMax, kStretchMax)));

  const int r0 = apm0_.refine(p_mix_, c0_);
  const int r1 = apm1_.refine(p_mix_, c0_ | c1 << 8);
  const int r2 = apm2_.refine(p_mix_, order2_bucket_ << 8 | c0_);
  const int r3 = apm3_.refine(p_mix_, static_cast<uint32_t>(model_bucket(sm) * 2 + (match_ctx_ >= 0)) << 8 | c0_);
  return std::clamp((2 * p_mix_ + r0 + 2 * r1 + 2 * r2 + r3 + 4) >> 3, 1, kProbOne - 1);
}

void Profile12Text::update(int bit) {
  for (int i = 0; i < kContexts; ++i) {
    maps_[static_cast<size_t>(i)].update(bit);
    uint8_t& s = *state_[static_cast<size_t>(i)];
    s = kBitHistories.next[s][static_cast<size_t>(bit)];
  }
  if (match_ctx_ >= 0) match_map_.update(bit);
  long_match_.update(bit);
  const int32_t final_err = ((bit << kProbBits) - p_mix_) * kFinalRate;
  for (int s = 0; s < kSets; ++s)
    fw_[s] = std::clamp(fw_[s] + static_cast<int32_t>((int64_t{dot_[static_cast<size_t>(s)]} * final_err) >> 14), -kFinalMax, kFinalMax);
  const int rate = kSetRate + (kSetRate >> std::min<size_t>(history_.size() >> kSetRateHalving, 5));
  for (int s = 0; s < kSets; ++s)
    mixer_train(x_.data(), w_[static_cast<size_t>(s)], kInputs, ((bit << kProbBits) - p_set_[static_cast<size_t>(s)]) * rate);
  model_map_.update(bit, 6);
  apm0_.update(bit, 6);
  apm1_.update(bit, 6);
  apm2_.update(bit, 6);
  apm3_.update(bit, 6);

  c0_ = (c0_ << 1) | static_cast<uint32_t>(bit);
  if (++bit_pos_ == 8) {
    end_byte(static_cast<uint8_t>(c0_));
    return;
  }
  if (bit_pos_ == 4) find_slots(c0_);
  const int n = node();
  for (int i = 0; i < kContexts; ++i) state_[static_cast<size_t>(i)] = slot_[static_cast<size_t>(i)] + n;
  prefetch_rows();
}

// Starts loading what the next decision reads from large tables and is
// known before predict(): speed only.
void Profile12Text::prefetch_rows() const {
  const uint32_t c1 = c4_ & 0xFF;
  apm1_.prefetch(c0_ | c1 << 8);
  apm2_.prefetch(order2_bucket_ << 8 | c0_);
  model_map_.prefetch(c0_ | c1 << 8);
  const size_t row = kInputs * sizeof(int32_t);
  const uint32_t bp = static_cast<uint32_t>(bit_pos_);
  prefetch_span(&sets_[0][size_t{c0_} * kInputs], row);
  prefetch_span(&sets_[4][size_t{c1 * 8 + bp} * kInputs], row);
  prefetch_span(&sets_[5][size_t{((c4_ >> 8) & 0xFF) * 8 + bp} * kInputs], row);
}

void Profile12Text::end_byte(uint8_t byte) {
  follow1_[c4_ & 0xFF] = static_cast<uint16_t>(follow1_[c4_ & 0xFF] << 8 | byte);
  follow2_[(c4_ & 0xFF) << 8 | ((c4_ >> 8) & 0xFF)] = byte;
  follow3_[hash2(c4_ & 0xFFFFFF, 9) & 0xFFFF] = byte;
  history_.push_back(byte);
  c8_ = (c8_ << 8) | (c4_ >> 24);
  c4_ = (c4_ << 8) | byte;
  c0_ = 1;
  bit_pos_ = 0;
  const uint32_t pos = static_cast<uint32_t>(history_.size());
  const uint8_t lower = (byte >= 'A' && byte <= 'Z') ? static_cast<uint8_t>(byte + 32) : byte;
  if ((lower >= 'a' && lower <= 'z') || lower >= 128) {
    word_ = hash2(word_, lower);
  } else if (word_ != 0) {
    word2_ = word1_;
    word1_ = word_;
    word_ = 0;
  }
  if (byte == '\n') prev_line_ = line_, line_ = pos;
  structure_.update(byte);
  long_match_.end_byte(history_);

  // Match: follow the repeat, or look for one ending with the last kMatchMin bytes.
  if (match_len_ > 0 && history_[match_ptr_] == byte) {
    ++match_ptr_;
    if (match_len_ < 65535) ++match_len_;
  } else {
    match_len_ = 0;
  }
  if (pos >= kMatchMin) {
    uint32_t h = 0;
    for (uint32_t i = pos - kMatchMin; i < pos; ++i) h = hash2(h, history_[i]);
    uint32_t& slot = match_table_[h & (match_table_.size() - 1)];
    if (match_len_ == 0 && slot > 0) {
      uint32_t len = 0;
      while (len < kMatchVerify && len < slot && history_[slot - 1 - len] == history_[pos - 1 - len]) ++len;
      if (len >= kMatchMin) match_len_ = len, match_ptr_ = slot;
    }
    slot = pos;
  }
  begin_byte();
}

}  // namespace mbz::mix
