// segment_mixer.hpp — predict and update of a mixed segment, the skeleton
// every profile shares (docs/FORMAT.md "Mixed segments", "Coding a
// segment"), composed with the parts a profile chooses.
//
// Each byte is coded as 8 binary decisions (MSB first), each predicted from
// (a) the model's probability of that bit, read off its frequency table, (b)
// the counters of ten hashed byte contexts, (c) a match model over the
// segment so far and (d) whatever the profile's side model adds, combined by
// online logistic mixing in two weight sets and refined by adaptive
// probability maps. Everything is integer arithmetic on state that starts
// the same for every segment, so encoder and decoder compute the same
// probabilities on any platform (docs/EXACTNESS.md §6).
//
// The profile's parts:
//   Contexts: its byte contexts (byte_contexts.hpp): Contexts(SampleShape),
//     place() (the byte's place in its sample frame), begin_byte(ByteState, base).
//   Side: ByteSide (byte_side.hpp; profiles 1, 2) or a NumericModel
//     (numeric_model.hpp; profiles 3, 4), providing
//     static constexpr int kInputs (from slot 24), uint32_t kWeightSets (NB),
//     uint32_t kStageContexts (APM2's size); Side(SampleShape, size_t len);
//     inputs(x + 24); weight_set(match_state, x[11], bit_pos): B;
//     early_weight_set(): B if known before predict (to prefetch), else -1;
//     apm1_context(c0, c1); apm2_context(): -1 for none; update(bit).
// Frozen: listed in tests/frozen-units.sha256.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "mix/blocks/byte_state.hpp"
#include "mix/blocks/context_counters.hpp"
#include "mix/blocks/counter_tables.hpp"
#include "mix/blocks/match_model.hpp"
#include "mix/blocks/probability_map.hpp"
#include "mix/blocks/weight_sets.hpp"
#include "mix/logistic.hpp"
#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

// The inputs' slots: 0..9 the contexts' fast probabilities, then these,
// then 14..23 their slow ones; a side model's from kByteInputs on.
constexpr size_t kMatchInput = kContexts;              // 10
constexpr size_t kModelStretched = kContexts + 1;      // 11 (kModelInput)
constexpr size_t kModelLinear = kContexts + 2;         // 12
constexpr size_t kBiasInput = kContexts + 3;           // 13
constexpr size_t kByteInputs = 2 * kContexts + 4;      // 24
static_assert(kModelStretched == kModelInput, "weight sets start as the model's stretched probability");

template <class Contexts, class Side>
class SegmentMixer {
 public:
  static constexpr size_t kInputs = kByteInputs + Side::kInputs;
  static_assert(kInputs <= kMaxMixerInputs, "the weight sets' 32-bit sums are proven up to kMaxMixerInputs");

  // segment_len sizes the hash tables (a pure function of it: part of the format).
  SegmentMixer(size_t segment_len, SampleShape shape)
      : side_(shape, segment_len),
        contexts_(shape),
        bytes_(segment_len),
        counters_(table_bits(segment_len)),
        match_(table_bits(segment_len)),
        mixer_a_(4 * 256, kInputs),
        mixer_b_(Side::kWeightSets, kInputs),
        apm0_(256),
        apm1_(65536),
        apm2_(Side::kStageContexts) {
    contexts_.begin_byte(bytes_, base_);
    counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
  }
  SegmentMixer(const SegmentMixer&) = delete;
  SegmentMixer& operator=(const SegmentMixer&) = delete;

  // P(next bit = 1) in [1, 4095] of 4096, given the model's counts for it.
  int predict(NodeCounts model) {
    counters_.read(x_.data());
    x_[kMatchInput] = match_.input(bytes_.history, bytes_.c0, bytes_.bit_pos);
    const int pm = static_cast<int>(std::clamp<uint64_t>((uint64_t{model.ones} * kProbOne + model.total / 2) / model.total, 1, kProbOne - 1));
    x_[kModelStretched] = stretch(pm);
    x_[kModelLinear] = (pm - 2048) / 2;
    x_[kBiasInput] = 256;
    wa_ = mixer_a_.set(set_a());
    side_.inputs(&x_[kByteInputs]);
    wb_ = mixer_b_.set(static_cast<size_t>(side_.weight_set(match_.state(), x_[kModelStretched], bytes_.bit_pos)));
    p_a_ = mixer_a_.predict(x_.data(), wa_);
    p_b_ = mixer_b_.predict(x_.data(), wb_);
    const int p_mix = squash((stretch(p_a_) + stretch(p_b_)) / 2);
    const int r0 = apm0_.refine(p_mix, bytes_.c0);
    const int r1 = apm1_.refine(p_mix, side_.apm1_context(bytes_.c0, bytes_.c1()));
    const int stage = side_.apm2_context();
    stage_refined_ = stage >= 0;
    if (stage_refined_) {
      const int r2 = apm2_.refine(p_mix, static_cast<uint32_t>(stage));
      return std::clamp((r0 + r1 + 2 * r2 + 2) >> 2, 1, kProbOne - 1);
    }
    return std::clamp((p_mix + r0 + 2 * r1 + 2) >> 2, 1, kProbOne - 1);
  }

  // The bit that was coded; after the 8th, the byte joins the history.
  // Moves the contexts on first and starts fetching the next bit's slots,
  // which then arrive while this bit trains what predict() used (the
  // training reads nothing that moving on changes). The match table's slot,
  // far in memory, is read last of all, once its prefetch has had time to
  // arrive.
  void update(int bit) {
    const bool byte_done = bytes_.push_bit(bit);
    if (byte_done) {
      bytes_.end_byte();
      match_.extend(bytes_.history);
      contexts_.begin_byte(bytes_, base_);
    }
    counters_.begin_bit(base_, bytes_.c0, bytes_.c1());
    side_.update(bit);  // which also finds its next contexts
    prefetch_rows();
    counters_.train(bit);
    match_.train(bit);
    mixer_a_.train(x_.data(), wa_, p_a_, bit);
    mixer_b_.train(x_.data(), wb_, p_b_, bit);
    apm0_.update(bit, 6);
    apm1_.update(bit, 6);
    if (stage_refined_) apm2_.update(bit, 6);
    if (byte_done) match_.find(bytes_.history);
  }

 private:
  size_t set_a() const { return (contexts_.place() & 3) * 256 + bytes_.c0; }

  // Starts fetching the next bit's weight rows and probability map cells
  // that are known before predict().
  void prefetch_rows() const {
    mixer_a_.prefetch(set_a());
    apm0_.prefetch(bytes_.c0);
    const int b = side_.early_weight_set();
    if (b >= 0) mixer_b_.prefetch(static_cast<size_t>(b));
    apm1_.prefetch(side_.apm1_context(bytes_.c0, bytes_.c1()));
    const int stage = side_.apm2_context();
    if (stage >= 0) apm2_.prefetch(static_cast<uint32_t>(stage));
  }

  Side side_;
  Contexts contexts_;
  ByteState bytes_;
  ByteContexts base_{};
  ContextCounters counters_;
  MatchModel match_;
  WeightSets mixer_a_, mixer_b_;  // WA by (place & 3, c0); WB by the side's choice
  std::array<int32_t, kInputs> x_{};
  int32_t* wa_ = nullptr;
  int32_t* wb_ = nullptr;
  int p_a_ = 2048, p_b_ = 2048;
  ProbabilityMap apm0_, apm1_, apm2_;
  bool stage_refined_ = false;
};

}  // namespace mbz::mix
