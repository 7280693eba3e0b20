// method_choice.hpp — which method a segment is written with: of the codings
// the encoder tried (segment_encoder.cpp), the smallest, and stored unless
// one is smaller, so a segment never grows by more than its block header; a
// forced coding (--force-model, for tests and benchmarks) wins regardless.
// Ties keep the coding tried first.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "container/segment_encoder.hpp"

namespace mbz {

class MethodChoice {
 public:
  // Starts as stored (the raw bytes).
  MethodChoice(EncodedSegment& out, size_t raw_size) : out_(out), best_(raw_size) { out_.method = Method::stored; }
  void consider(Method method, std::vector<uint8_t> coded, double ideal_bits, bool forced) {
    if (coded.size() >= best_ && !forced) return;
    best_ = coded.size();
    out_.method = method;
    out_.coded = std::move(coded);
    out_.ideal_bits = ideal_bits;
  }

 private:
  EncodedSegment& out_;
  size_t best_;
};

}  // namespace mbz
