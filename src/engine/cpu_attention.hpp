// cpu_attention.hpp — integer softmax attention of the CPU backend for a
// block of up to 4 consecutive queries of one head (docs/EXACTNESS.md §4).
//
// Keys and values are int8 in a ring (cpu_stack.hpp). q·k is an integer dot
// product (VNNI with the AVX-512 kernels); so is sum p·v there, each weight
// p <= 2^16 split into a high and a low byte (256 hi·v + lo·v, the values of
// four keys side by side); the plain form widens the values to float32 and
// sums with float multiply-adds whose partial sums are integers below 2^24:
// all exact in any order. A block of R queries shares one pass over
// the keys (the union of their windows), which is what makes teacher forcing
// fast; a decoding step is a block of 1.
//
// Dimension legend: R queries in the block, T keys in the union of their
// windows, dh head width, W window, cap ring length.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/kernels/gemm_s8.hpp"
#include "engine/scratch.hpp"

namespace mbz {

constexpr int kQueryBlock = 4;

struct AttentionRule {
  int64_t mant, round;  // rq of q·k: (dot * mant + round) >> shift
  int32_t shift;
  int64_t slope;        // ALiBi: score -= slope * distance
  const int32_t* lut;   // exp table, every entry in [0, 2^31)
  int64_t lut_len;
  double one;           // 2^(attn_prob_bits + 1)
  int window;           // W
};

// One head's keys and values for one sequence.
struct HeadRing {
  const uint8_t* kt;    // [ceil(dh/4), cap, 4]: k + 128, component j of slot s at kt[(j/4)*cap*4 + s*4 + j%4]
  const int8_t* v;      // [ceil(cap/4), dh, 4]: component j of slot s at v[(s/4)*v_stride + j*4 + s%4]
  int v_stride;         // bytes from one quad of slots to the next (dh * 4)
  int cap;
};

// Work buffers of attend_block, from the thread's scratch region
// (scratch.hpp): keep one per thread, freed on that thread.
struct AttentionScratch {
  ScratchVector<float> scores, probs;  // [R, W + R]
  ScratchVector<int64_t> work;         // [W]
  ScratchVector<int8_t> q4;            // [R, ceil(dh/4)*4]: the queries, zero-padded
  ScratchVector<uint8_t> pb;           // [R, 2, 4 * quads]: the weights' high and low bytes, quad-aligned
};

// av[r][0, dh) = attention output (exact integers, as floats) of the query q[r]
// (q + r * q_stride, dh int8) at position p0 + r, for r < R <= kQueryBlock.
void attend_block(kernels::Isa isa, const AttentionRule& rule, const HeadRing& ring, int dh, const int8_t* q, int q_stride,
                  int rows, int64_t p0, float* av, int av_stride, AttentionScratch& scratch);

// One query (a decoding step) at position pos over a window of at most 8
// keys in one run of ring slots (a local model's step; a global model's
// first 8), for each of `heads` heads (h's slope slopes[h], its ring
// rings[h], its query q + h * dh): attend_block's values, exactly, as int32
// into out + h * dh, in one pass with no float forms, the weights held in
// registers and the heads' chains side by side. Returns a bit per head it
// did (bit h); where it does not apply (no AVX-512 VNNI, more than 32 heads,
// more keys, a run that wraps, rings of different lengths among a group of
// four heads, a weight of 2^16, weights summing to 0) it writes nothing for
// the head, and attend_block serves.
uint32_t attend_step_few(kernels::Isa isa, const AttentionRule& rule, const int64_t* slopes, const HeadRing* rings, int heads,
                         int dh, const int8_t* q, int64_t pos, int32_t* out);

// The value pass alone (for the tests that pin its forms to each other):
// av[r][0, dh) += sum_t p[r][t] * v(slot0 + t) over t < count, slots
// [slot0, slot0 + count) within the ring (no wrap), p[r][t] integers in
// [0, 2^16] as floats; the form is the one attend_block uses with isa.
void attend_values(kernels::Isa isa, const float* p, int p_stride, int rows, const HeadRing& ring, int64_t slot0, int dh,
                   int count, float* av, int av_stride, AttentionScratch& scratch);

}  // namespace mbz
