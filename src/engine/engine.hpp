// engine.hpp — exact-integer MEGABYTE inference (docs/EXACTNESS.md).
//
// Two paths that yield the same integers for every byte of a segment:
//  - Engine::evaluate(): teacher forcing, all positions of many segments in
//    batched passes (encoder, eval);
//  - StepDecoder: one global step per patch and one local step per byte, with
//    KV caches, many segments stepped together (decoder).
// The frequency table of byte i depends only on the model and bytes 0..i-1
// of its segment. This header is free of libtorch on purpose: only
// engine*.cpp include it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mix/node_counts.hpp"
#include "model/model_file.hpp"

namespace mbz {

// A view of one segment's bytes.
struct ByteSpan {
  const uint8_t* data;
  size_t size;
};

// What the coder needs for the byte actually present at a position: its
// cumulative frequency, frequency, and the table total.
struct SymbolCode {
  uint32_t cum;
  uint32_t freq;
  uint32_t total;
};

enum class DeviceKind { automatic, cpu, cuda };

// Sets libtorch's intra-op thread count for the calling thread's work.
void set_compute_threads(int threads);
DeviceKind parse_device(const std::string& s);  // "auto" | "cpu" | "cuda"

class Engine {
 public:
  // Threads: intra-op threads for libtorch (0 = leave as is). Throws
  // Error(device_unavailable) if CUDA is asked for and not available.
  // reference_ops: teacher forcing with plain tensor ops even on CPU, instead
  // of the fused one-pass loops (for tests: both give the same integers).
  Engine(std::shared_ptr<const ModelFile> model, DeviceKind device, int threads, bool reference_ops = false);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const ModelFile& model() const;
  std::string device_name() const;

  // Teacher forcing: the code of every byte of every segment. progress, if
  // set, is called now and then with the fraction of the work done.
  std::vector<std::vector<SymbolCode>> evaluate(const std::vector<ByteSpan>& segments,
                                                const std::function<void(double)>& progress = {}) const;

  // Teacher forcing for the context mixer: the 8 binary decisions of every
  // byte's path through its table (MSB first), 8 per byte.
  std::vector<std::vector<mix::NodeCounts>> evaluate_paths(const std::vector<ByteSpan>& segments,
                                                           const std::function<void(double)>& progress = {}) const;

  // Teacher forcing: every full frequency table of one segment, [size][256],
  // row-major. For tests, golden vectors and analysis.
  std::vector<uint32_t> frequency_tables(ByteSpan segment) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend class StepDecoder;
};

// Incremental decoding of `batch` segments in lockstep. Usage per position:
// tables() gives batch x 257 cumulative frequencies (cum[0] = 0, cum[256] =
// total) for the current byte of every segment; push() then supplies the byte
// each segment actually has there.
class StepDecoder {
 public:
  // libtorch: the tensor step path (any device; the reference for the kernel).
  // kernel: plain C++ integer loops (CPU only; much faster at small batch).
  // automatic: kernel on CPU, libtorch elsewhere.
  enum class Path { automatic, libtorch, kernel };
  StepDecoder(const Engine& engine, int batch, Path path = Path::automatic);
  ~StepDecoder();
  const std::vector<uint32_t>& tables();
  void push(const uint8_t* bytes);  // batch bytes
  int batch() const;

 private:
  struct State;
  std::unique_ptr<State> st_;
  std::unique_ptr<class CpuStepper> kernel_;
};

}  // namespace mbz
