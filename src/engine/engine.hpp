// engine.hpp — exact-integer MEGABYTE inference (docs/EXACTNESS.md).
//
// Two paths that yield the same integers for every byte of a segment:
//  - Engine::evaluate(): teacher forcing, all positions of many segments in
//    batched passes (encoder, eval);
//  - StepDecoder: one global step per patch and one local step per byte, with
//    KV caches, many segments stepped together (decoder).
// The frequency table of byte i depends only on the model and bytes 0..i-1
// of its segment.
//
// Backends, as in ggml: the CPU backend (cpu_engine.cpp, int8 SIMD kernels)
// is always there and needs no ML framework. An accelerator backend (the
// libtorch one, for CUDA) registers itself from a plugin library that is
// loaded only when a device other than the CPU is asked for
// (accelerator.hpp); it computes the same integers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/kernels/gemm_s8.hpp"
#include "mix/node_counts.hpp"
#include "mix/packed_counts.hpp"
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

// Threads the calling thread's engine work may use (teacher forcing); 0 or
// unset: 1. Never changes a result.
void set_compute_threads(int threads);
int compute_threads();
DeviceKind parse_device(const std::string& s);  // "auto" | "cpu" | "cuda"

class AcceleratorEngine;   // accelerator.hpp
class AcceleratorStepper;
struct CpuModel;

// A door into a teacher forcing in progress on other threads: a thread that
// waits for its results (the mixer of a small file, coding bytes as they
// become final) runs one of its tasks instead of idling, so a file's
// forcing uses the cores its coders leave free. Results do not depend on
// which thread runs a task. Thread-safe; the forcing opens it while it runs
// and closes it (waiting for tasks in hand) before it returns.
class ForcingHelp {
 public:
  // Runs one task of the forcing now in progress if one is ready: true if
  // it ran one, false if none was ready or no forcing is in progress.
  bool run_one();

  // The forcing's side (cpu_engine.cpp).
  void open(std::function<bool()> step);
  void close();

 private:
  std::mutex mu_;
  std::condition_variable idle_;
  std::function<bool()> step_;  // set while a forcing runs
  int in_hand_ = 0;             // tasks helpers are running
};

class Engine {
 public:
  // device: cpu runs the CPU backend; cuda loads the accelerator plugin and
  // throws Error(device_unavailable) if it or a GPU is missing; automatic
  // uses an accelerator only when one is already registered and has a GPU.
  // isa: the CPU backend's GEMM kernel (tests force each one).
  Engine(std::shared_ptr<const ModelFile> model, DeviceKind device, int threads = 0,
         kernels::Isa isa = kernels::default_isa());
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const ModelFile& model() const { return *model_; }
  std::string device_name() const;  // "cpu (avx512vnni)", "cuda:0", ...

  // Teacher forcing: the code of every byte of every segment. progress, if
  // set, is called now and then with the fraction of the work done.
  std::vector<std::vector<SymbolCode>> evaluate(const std::vector<ByteSpan>& segments,
                                                const std::function<void(double)>& progress = {}) const;

  // Teacher forcing for the context mixer: the 8 binary decisions of every
  // byte's path through its table (MSB first), 8 per byte, packed
  // (mix::unpack gives each decision's NodeCounts).
  std::vector<std::vector<mix::PackedCounts>> evaluate_paths(const std::vector<ByteSpan>& segments,
                                                             const std::function<void(double)>& progress = {}) const;

  // The same into out[s] (sized 8 per byte by the caller), calling
  // done(segment, begin, end) once bytes [begin, end) of a segment are final,
  // from the thread that finished them: consumers may start on a segment's
  // first bytes while later ones are computed.
  // help, if set, lets other threads waiting for those bytes run some of
  // the work meanwhile (ForcingHelp::run_one).
  using RangeDone = std::function<void(size_t, size_t, size_t)>;
  void evaluate_paths_into(const std::vector<ByteSpan>& segments, std::vector<std::vector<mix::PackedCounts>>& out,
                           const std::function<void(double)>& progress, const RangeDone& done,
                           ForcingHelp* help = nullptr) const;

  // Teacher forcing: every full frequency table of one segment, [size][256],
  // row-major. For tests, golden vectors and analysis.
  std::vector<uint32_t> frequency_tables(ByteSpan segment) const;

  // Teacher forcing with a callback per byte: sink(segment, position, freq[256]).
  // Called from several threads at once (distinct positions).
  // done, if set, as in evaluate_paths_into.
  using TableSink = std::function<void(size_t, size_t, const uint32_t*)>;
  void teacher_force(const std::vector<ByteSpan>& segments, const TableSink& sink,
                     const std::function<void(double)>& progress, const RangeDone& done = {},
                     ForcingHelp* help = nullptr) const;

 private:
  std::shared_ptr<const ModelFile> model_;
  std::shared_ptr<const CpuModel> cpu_;          // the CPU backend, or
  std::unique_ptr<AcceleratorEngine> accel_;     // an accelerator's engine
  friend class StepDecoder;
};

// Incremental decoding of `batch` segments in lockstep. Usage per position:
// tables() gives batch x 257 cumulative frequencies (cum[0] = 0, cum[256] =
// total) for the current byte of every segment; push() then supplies the byte
// each segment actually has there.
class StepDecoder {
 public:
  // max_len, if not 0: the most bytes any segment of the batch has. The
  // global keys and values then take room for that many patches when it is
  // fewer than the window (a 100-byte segment needs 13 of 256), and a step
  // past it throws Error(internal).
  StepDecoder(const Engine& engine, int batch, size_t max_len = 0);
  ~StepDecoder();
  const std::vector<uint32_t>& tables();
  void push(const uint8_t* bytes);  // batch bytes
  int batch() const { return batch_; }

 private:
  struct CpuState;
  int batch_;
  int64_t max_patches_ = 0;  // 0: no bound
  std::unique_ptr<CpuState> cpu_;
  std::unique_ptr<AcceleratorStepper> accel_;
};

}  // namespace mbz
