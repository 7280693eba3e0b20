// cpu_stack.hpp — one transformer stack of the CPU backend over rows of
// sequences, with per-sequence key/value rings: the same code runs teacher
// forcing (a chunk of C consecutive positions of S sequences) and decoding
// steps (C = 1). Integer arithmetic of docs/EXACTNESS.md §4, no libtorch.
//
// Dimension legend: S sequences, C positions per sequence in this call,
// D width, H heads, dh = D/H, F ffn width, W window, cap ring length.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/huge_blocks.hpp"

#include "engine/cpu_model.hpp"

namespace mbz {

// Keys and values of every layer for S sequences: position p of sequence s
// lives in slot p % cap; cap >= W - 1 + C for every call with C positions.
// They are stored as int8 (a quarter of the cache a float ring needs); the
// attention's integer dot products read them as they are, its plain form
// widens them to float32 (exact: every partial sum is an integer below 2^24,
// docs/EXACTNESS.md §2). Both are transposed per head for the VNNI dot
// products: the scores of consecutive keys are one contiguous vector loop,
// and so are the weighted values of four slots side by side.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "StackState's value words hold slot s % 4 in byte s % 4");

class StackState {
 public:
  StackState(const CpuStack& stack, int sequences, int cap);
  int cap() const { return cap_; }
  // Whether this is the state the constructor makes for these arguments
  // (a reset() one serves in place of a new one).
  bool holds(const CpuStack& stack, int sequences, int cap) const;
  // Back to the state the constructor made: every key component 128, every value 0.
  void reset();
  // Keys of head h as unsigned bytes k + 128, four components of a key side
  // by side (the VNNI dot product's operand): component j of the key in
  // slot s at keys(layer, seq, h)[(j / 4) * cap * 4 + s * 4 + j % 4]
  // (HeadRing, cpu_attention.hpp); components past dh hold 128 (k = 0).
  uint8_t* keys(int layer, int seq, int head) {
    return k_.data() + ((static_cast<size_t>(layer) * s_ + seq) * h_ + head) * dh4_ * 4 * cap_;
  }
  // Values of head h, the same components of four slots side by side:
  // component j of the value in slot s at values(layer, seq, h)[(s / 4) *
  // dh * 4 + j * 4 + s % 4] (HeadRing); the slots past cap, up to a whole
  // quad, hold 0.
  const int8_t* values(int layer, int seq, int head) const {
    return reinterpret_cast<const int8_t*>(v_.data() + value_words(layer, seq, head));
  }
  void store(int layer, int seq, int64_t pos, const int8_t* k, const int8_t* v);

 private:
  size_t value_words(int layer, int seq, int head) const {  // the first word of a head's values in v_
    return ((static_cast<size_t>(layer) * s_ + seq) * h_ + head) * dh_ * (cap4_ / 4);
  }

  int s_, cap_, cap4_, h_, dh_, dh4_;  // cap4_: cap rounded up to whole quads
  // On 2 MiB pages from 256 KiB (huge_blocks.hpp): a 10 KB segment's rings
  // are 0.5-2.6 MB, 128-640 first touches of 4 KiB pages at ~11 µs each on
  // the virtual machines measured, at the start of its teacher forcing and
  // of its decoding.
  HugeBlockVector<uint8_t> k_;  // [L, S, H, ceil(dh / 4), cap, 4]
  HugeBlockVector<uint32_t> v_;  // [L, S, H, cap4 / 4, dh]: four slots' bytes per word, slot s % 4 in byte s % 4
};

// Runs the stack on x [S*C, D] (row s*C + c is sequence s at position pos0 + c),
// updating x in place (the residual stream) and the rings.
void stack_forward(const CpuModel& m, const CpuStack& s, StackState& st, int32_t* x, int sequences, int c,
                   int64_t pos0);

// The same for layers [first_layer, end_layer) only: layer l's ring is
// touched by layer l alone, so different layers may run at once on
// different chunks (the teacher-forcing pipeline).
void stack_layers(const CpuModel& m, const CpuStack& s, StackState& st, int32_t* x, int sequences, int c, int64_t pos0,
                  int first_layer, int end_layer);

// Integer RMSNorm of rows x [R, D] into int8 h [R, D] (isa: the model's kernel,
// which also picks the element-wise form). |x| <= kResidualMax, as every row
// the engine norms (residuals, clamped; the AVX-512 form relies on it).
void rms_norm(const int32_t* x, int rows, int d, int64_t norm_scale, int8_t* h, kernels::Isa isa);

// Byte frequency tables from final local states x [R, Dl]: freq [R, 256],
// each >= 1, summing to at most freq_total.
void byte_tables(const CpuModel& m, const int32_t* x, int rows, uint32_t* freq);

// The coder's cumulative tables of byte tables freq [R, 256]: cum [R, 257],
// cum[r][0] = 0 and cum[r][t + 1] = cum[r][t] + freq[r][t].
void cumulative_tables(const uint32_t* freq, int rows, uint32_t* cum, kernels::Isa isa);

}  // namespace mbz
