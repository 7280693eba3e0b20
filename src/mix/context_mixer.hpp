// context_mixer.hpp — adaptive context mixing on top of the model's tables.
//
// The engine's model is static: it cannot learn a file's own statistics or
// repeat a string it saw more than a window ago. The mixer codes each byte as
// 8 binary decisions (MSB first) and predicts each from (a) the model's
// probability of that bit, read off its frequency table, (b) hashed order-1..6,
// word and sparse context counters and (c) a match model over the segment so
// far, combined by online logistic mixing and refined by adaptive probability
// maps. Everything is integer arithmetic on state that starts the same for
// every segment, so encoder and decoder compute the same probabilities on any
// platform (docs/EXACTNESS.md §6, docs/FORMAT.md "Mixed segments").
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

// The 8 nodes a byte passes through in a cumulative table cum[257]
// (cum[0] = 0, cum[256] = total), MSB first.
void path_counts(const uint32_t* cum257, uint8_t byte, NodeCounts out[8]);
// One node: the prefix c0 (1 followed by the bits so far, 1..255).
NodeCounts node_counts(const uint32_t* cum257, uint32_t c0);

class ContextMixer {
 public:
  // segment_len sizes the hash tables (a pure function of it: part of the format).
  explicit ContextMixer(size_t segment_len, SampleShape shape = {});
  ~ContextMixer();
  ContextMixer(const ContextMixer&) = delete;
  ContextMixer& operator=(const ContextMixer&) = delete;

  // P(next bit = 1) in [1, 4095] of 4096, given the model's counts for it.
  int predict(NodeCounts model);
  // The bit that was coded; after the 8th, the byte joins the history.
  void update(int bit);

 private:
  struct State;
  State* st_;
};

}  // namespace mbz::mix
