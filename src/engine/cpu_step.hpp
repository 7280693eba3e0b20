// cpu_step.hpp — the decoder's step path in plain C++ integer arithmetic.
//
// Decoding steps one byte at a time for a small batch of segments; through
// libtorch each step is ~150 tiny ops whose dispatch cost dwarfs the
// arithmetic. This is the same integer computation (docs/EXACTNESS.md §4)
// written as loops: int16 operands, int32/int64 accumulators, and the same
// float64 requantization. Tests check it against the libtorch step path and
// teacher forcing bit for bit. No libtorch here.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "model/model_file.hpp"

namespace mbz {

struct CpuModel;  // weights unpacked for the loops; built once per engine
std::shared_ptr<const CpuModel> make_cpu_model(const ModelFile& file);

class CpuStepper {
 public:
  CpuStepper(std::shared_ptr<const CpuModel> model, int batch);
  ~CpuStepper();
  // batch x 257 cumulative frequencies for the current position.
  const std::vector<uint32_t>& tables();
  void push(const uint8_t* bytes);

 private:
  struct State;
  std::unique_ptr<State> st_;
};

}  // namespace mbz
