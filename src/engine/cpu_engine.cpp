// cpu_engine.cpp — Engine and StepDecoder on the CPU backend (no ML
// framework), and the hand-over to an accelerator when one is asked for.
//
// Teacher forcing is scheduled as tasks over a small pool of threads: each
// layer of the global model runs chunk after chunk of each segment (a chunk
// needs the previous chunk's keys of that layer), chunks flow from layer to
// layer as a pipeline, and the local model plus the byte tables run for
// groups of patches as soon as their chunk's conditioning exists, on any
// thread. So one segment keeps several cores busy, and many segments keep
// many. No task's integers depend on which thread ran it.
//
// Dimension legend: P patch size, Dg/Dl widths, C patches per global chunk.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <exception>
#include <mutex>
#include <thread>

#include "engine/accelerator.hpp"
#include "engine/cpu_model.hpp"
#include "engine/cpu_requant.hpp"
#include "engine/cpu_stack.hpp"
#include "engine/engine.hpp"
#include "engine/huge_blocks.hpp"
#include "engine/scratch.hpp"
#include "mbz/error.hpp"

namespace mbz {

namespace {

constexpr int64_t kGlobalChunk = 128;    // patches per global task
constexpr int64_t kLocalGroup = 64;      // patches per local task
constexpr size_t kMaxQueuedLocal = 16;   // bounds the conditioning held in memory
constexpr int64_t kPipelineChunks = 6;   // chunks of a segment in the global pipeline at once
constexpr int32_t kR = kResidualMax;

thread_local int t_threads = 0;

}  // namespace

void set_compute_threads(int threads) { t_threads = threads; }
int compute_threads() { return std::max(1, t_threads); }

DeviceKind parse_device(const std::string& s) {
  if (s == "auto") return DeviceKind::automatic;
  if (s == "cpu") return DeviceKind::cpu;
  if (s == "cuda") return DeviceKind::cuda;
  throw Error(ErrorCode::invalid_argument, "unknown device '" + s + "' (expected auto, cpu or cuda)");
}

Engine::Engine(std::shared_ptr<const ModelFile> model, DeviceKind device, int threads, kernels::Isa isa)
    : model_(std::move(model)) {
  if (threads > 0) set_compute_threads(threads);
  if (device == DeviceKind::cuda) {
    std::string why;
    if (!load_accelerator_plugin(&why))
      throw Error(ErrorCode::device_unavailable, "CUDA requested but " + why + "; use --device cpu");
  }
  if (device != DeviceKind::cpu)
    if (AcceleratorFactory f = registered_accelerator()) accel_ = f(model_, device);
  if (!accel_) cpu_ = make_cpu_model(*model_, isa);
}

Engine::~Engine() = default;

std::string Engine::device_name() const {
  return accel_ ? accel_->device_name() : std::string("cpu (") + kernels::isa_name(cpu_->isa) + ")";
}

namespace {

// The global input row of a patch: the byte embeddings of the patch before
// it (prev, P bytes), or the pad for patch 0 (prev null). [Dg]
void global_row(const CpuModel& m, const uint8_t* prev, int32_t* row) {
  if (!prev) {
    std::copy(m.g_pad.begin(), m.g_pad.end(), row);
    return;
  }
  const int64_t p = m.cfg.patch, eg = m.cfg.g_dim / p;
  for (int64_t i = 0; i < p; ++i) std::copy_n(&m.g_emb[static_cast<size_t>(prev[i]) * eg], eg, row + i * eg);
}

// The global input of patches [a, a+c) of a segment (bytes past its end read as 0): [c, Dg].
void global_input(const CpuModel& m, ByteSpan seg, int64_t a, int64_t c, int32_t* x) {
  const int64_t p = m.cfg.patch, dg = m.cfg.g_dim;
  std::vector<uint8_t> prev(static_cast<size_t>(p));
  for (int64_t k = a; k < a + c; ++k) {
    if (k == 0) {
      global_row(m, nullptr, x);
      continue;
    }
    for (int64_t i = 0; i < p; ++i) {
      const size_t at = static_cast<size_t>((k - 1) * p + i);
      prev[i] = at < seg.size ? seg.data[at] : 0;
    }
    global_row(m, prev.data(), x + (k - a) * dg);
  }
}

// Local conditioning of c patches from the global outputs g [c, Dg]: [c, P*Dl].
template <class Vector>
void global_to_local(const CpuModel& m, int32_t* g, int64_t c, Vector& cond) {
  const int dg = static_cast<int>(m.cfg.g_dim), n = static_cast<int>(m.cfg.patch * m.cfg.l_dim);
  thread_local ScratchVector<int8_t> normed;  // [c, Dg]
  int8_t* h = scratch(normed, static_cast<size_t>(c) * dg);
  rms_norm(g, static_cast<int>(c), dg, m.cfg.norm_scale, h, m.isa);
  cond.resize(static_cast<size_t>(c) * n);
  m.g2l.multiply(h, static_cast<int>(c), cond.data());
  requant_to_i32(cond.data(), static_cast<int>(c), n, m.g2l_m, -kR, kR, cond.data(), m.wide_requant);
}

// Local input of position j of a patch: the previous byte's embedding (row
// 256 at j = 0) plus the patch's conditioning for j.
void local_input(const CpuModel& m, int prev, const int32_t* cond_j, int32_t* x) {
  const int dl = static_cast<int>(m.cfg.l_dim);
  const int32_t* e = &m.l_emb[static_cast<size_t>(prev) * dl];
  for (int i = 0; i < dl; ++i) x[i] = std::clamp(e[i] + cond_j[i], -kR, kR);
}

// A chunk's residual or conditioning: on 2 MiB pages from 256 KiB (huge_blocks.hpp).
using ChunkVector = HugeBlockVector<int32_t>;

// One segment's global model as a pipeline of stages, one per layer: stage
// g runs layer g on chunk after chunk (its ring needs them in order), and a
// chunk reaches stage g once stage g-1 is done with it, so up to L chunks
// are in flight at once on different threads.
struct SegmentWork {
  ByteSpan bytes;
  int64_t patches = 0;
  std::vector<int64_t> next;  // per stage: first patch of its next chunk
  std::vector<char> busy;     // per stage: a thread runs it
  std::map<int64_t, ChunkVector> x;  // residual of each chunk between stages: [C, Dg]
  std::unique_ptr<StackState> global;
};

// A thread's buffers for the local model's groups (run_local).
struct LocalBuffers {
  ScratchVector<int32_t> x;      // [rows, Dl]
  ScratchVector<uint32_t> freq;  // [rows, 256]
  // The last group's rings, reset for the next group of its shape: a fresh
  // StackState per group (256 KiB for 64 patches of text-small) took 32-64
  // first touches of 4 KiB pages, ~700 of a 10 KB file's forcing (~11 µs
  // each on the virtual machines measured). Kept, as the buffers above,
  // until the thread ends.
  std::unique_ptr<StackState> rings;
};
LocalBuffers& local_buffers() {
  thread_local LocalBuffers b;
  return b;
}

// Vectors a forcing's chunks hand from thread to thread (a chunk's residual
// between its stages, its local conditioning until its groups are done),
// given back when done and taken again by a later chunk: each fresh one
// (128 KiB, 512 KiB for text-small's chunks of 128 patches) took its first
// touches of 4 KiB pages, ~550 of a 10 KB file's forcing at ~11 µs each on
// the virtual machines measured (and on 2 MiB pages, one). Taken vectors
// have the asked size and unspecified contents.
class ChunkBuffers {
 public:
  ChunkVector take(size_t n) {
    ChunkVector v;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) v = std::move(free_.back()), free_.pop_back();
    }
    v.resize(n);
    return v;
  }
  // Never throws (it runs in a shared_ptr's deleter): a vector that cannot
  // be kept is freed.
  void give(ChunkVector&& v) noexcept {
    try {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(std::move(v));
    } catch (...) {
    }
  }
  // A conditioning shared by a chunk's groups, given back with the last of them.
  std::shared_ptr<ChunkVector> shared(size_t n) {
    return std::shared_ptr<ChunkVector>(new ChunkVector(take(n)), [this](ChunkVector* v) {
      give(std::move(*v));
      delete v;
    });
  }

 private:
  std::mutex mu_;
  std::vector<ChunkVector> free_;
};

struct LocalWork {
  size_t segment;
  int64_t first, count;                       // patches
  std::shared_ptr<const ChunkVector> cond;  // [chunk, P*Dl]
  int64_t cond_first;                          // patch of cond's row 0
};

class TeacherForcing {
 public:
  TeacherForcing(const CpuModel& m, const std::vector<ByteSpan>& segs, const Engine::TableSink& sink,
                 const std::function<void(double)>& progress, const Engine::RangeDone& done)
      : m_(m), sink_(sink), progress_(progress), done_range_(done), stages_(std::max<int>(1, static_cast<int>(m.global.layers.size()))) {
    const int64_t p = m.cfg.patch;
    for (const ByteSpan& s : segs) {
      SegmentWork w;
      w.bytes = s;
      w.patches = static_cast<int64_t>((s.size + p - 1) / p);
      w.next.assign(static_cast<size_t>(stages_), 0);
      w.busy.assign(static_cast<size_t>(stages_), 0);
      total_ += s.size;
      segs_.push_back(std::move(w));
    }
  }

  void run(int threads, ForcingHelp* help = nullptr) {
    const int workers = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, 64)));
    if (help) help->open([this] { return this->help(); });
    std::vector<std::thread> pool;
    for (int i = 1; i < workers; ++i) pool.emplace_back([this] { work(); });
    work();
    for (auto& t : pool) t.join();
    if (help) help->close();  // waits for tasks helpers hold
    if (error_) std::rethrow_exception(error_);
  }

  // One task for a thread lent by ForcingHelp: false if none may run now.
  bool help() {
    std::unique_lock<std::mutex> lock(mu_);
    if (error_) return false;
    bool finished = false;
    return step(lock, finished);
  }

 private:
  // A stage of a segment that may run now: later stages first, so chunks drain
  // to the local model; stage 0 only while the pipeline and the local queue
  // have room.
  bool ready(const SegmentWork& s, int g) const {
    if (s.busy[g] || s.next[g] >= s.patches) return false;
    if (g > 0) return s.next[g - 1] > s.next[g];
    return s.next[0] - s.next[stages_ - 1] < kPipelineChunks * kGlobalChunk && local_.size() < kMaxQueuedLocal;
  }

  // Runs one task that may run now, if any (the lock held on entry and on
  // return, released while the task runs): a local group first, else the
  // latest stage of a segment that is ready. False if none may run now;
  // `finished` then says whether anything is left for anyone.
  bool step(std::unique_lock<std::mutex>& lock, bool& finished) {
    finished = false;
    if (!local_.empty()) {
      LocalWork job = std::move(local_.front());
      local_.pop_front();
      cv_.notify_all();  // room for another global chunk
      lock.unlock();
      size_t bytes = 0;
      try {
        bytes = run_local(job);
      } catch (...) {
        fail(lock);
        return true;
      }
      lock.lock();
      done_ += bytes;
      if (progress_ && total_ > 0) progress_(static_cast<double>(done_) / static_cast<double>(total_));
      return true;
    }
    SegmentWork* seg = nullptr;
    size_t index = 0;
    int stage = -1;
    bool pending = false;
    for (size_t i = 0; i < segs_.size() && !seg; ++i) {
      SegmentWork& s = segs_[i];
      if (s.next[stages_ - 1] >= s.patches) continue;
      pending = true;
      for (int g = stages_ - 1; g >= 0 && !seg; --g)
        if (ready(s, g)) seg = &s, index = i, stage = g;
    }
    if (!seg) {
      finished = !pending;  // what is left is held by other threads
      return false;
    }
    const int64_t a = seg->next[stage], c = std::min(kGlobalChunk, seg->patches - a);
    seg->busy[stage] = 1;
    ChunkVector x;
    if (stage > 0) {
      x = std::move(seg->x[a]);
      seg->x.erase(a);
    }
    if (!seg->global) {
      // A ring of W - 1 + C keys serves any chunk; one of every patch of
      // a short segment (fewer) serves them too, never wrapping.
      const int64_t cap = std::min<int64_t>(m_.global.window - 1 + kGlobalChunk, seg->patches);
      seg->global = std::make_unique<StackState>(m_.global, 1, static_cast<int>(cap));
    }
    lock.unlock();
    std::shared_ptr<ChunkVector> cond;
    try {
      cond = run_stage(*seg, stage, a, c, x);
    } catch (...) {
      fail(lock);
      return true;
    }
    lock.lock();
    if (cond) {
      for (int64_t k = a; k < a + c; k += kLocalGroup)
        local_.push_back(LocalWork{index, k, std::min(kLocalGroup, a + c - k), cond, a});
      buffers_.give(std::move(x));
    } else {
      seg->x[a] = std::move(x);
    }
    seg->next[stage] = a + c;
    seg->busy[stage] = 0;
    cv_.notify_all();
    return true;
  }

  void work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!error_) {
      bool finished = false;
      if (step(lock, finished)) continue;
      if (finished) break;
      cv_.wait(lock);
    }
    cv_.notify_all();
  }

  void fail(std::unique_lock<std::mutex>& lock) {
    if (!lock.owns_lock()) lock.lock();
    if (!error_) error_ = std::current_exception();
    cv_.notify_all();
  }

  // Stage g on patches [a, a+c): x is the chunk's residual (built here at
  // stage 0). Returns the local conditioning after the last stage, else null.
  std::shared_ptr<ChunkVector> run_stage(SegmentWork& s, int g, int64_t a, int64_t c, ChunkVector& x) {
    const CpuStack& gs = m_.global;
    if (g == 0) {
      x = buffers_.take(static_cast<size_t>(c) * gs.d);
      global_input(m_, s.bytes, a, c, x.data());
    }
    if (!gs.layers.empty()) stack_layers(m_, gs, *s.global, x.data(), 1, static_cast<int>(c), a, g, g + 1);
    if (g < stages_ - 1) return nullptr;
    auto cond = buffers_.shared(static_cast<size_t>(c) * m_.cfg.patch * m_.cfg.l_dim);
    global_to_local(m_, x.data(), c, *cond);
    return cond;
  }

  size_t run_local(const LocalWork& job) {
    const int64_t p = m_.cfg.patch, dl = m_.cfg.l_dim, n = job.count;
    const ByteSpan seg = segs_[job.segment].bytes;
    const int rows = static_cast<int>(n * p);
    // Per-thread buffers, grown and never shrunk: a fresh vector of every
    // group's tables (512 KiB for 64 patches) cost a page-faulted, zeroed
    // mapping each time, and every entry is written before it is read.
    LocalBuffers& b = local_buffers();
    int32_t* x = scratch(b.x, static_cast<size_t>(rows) * dl);
    uint32_t* freq = scratch(b.freq, static_cast<size_t>(rows) * 256);
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < p; ++j) {
        const size_t at = static_cast<size_t>((job.first + k) * p + j);
        const int prev = j == 0 ? 256 : (at - 1 < seg.size ? seg.data[at - 1] : 0);
        const int32_t* cond = job.cond->data() + ((job.first + k - job.cond_first) * p + j) * dl;
        local_input(m_, prev, cond, x + static_cast<size_t>(k * p + j) * dl);
      }
    if (b.rings && b.rings->holds(m_.local, static_cast<int>(n), static_cast<int>(p)))
      b.rings->reset();
    else
      b.rings = std::make_unique<StackState>(m_.local, static_cast<int>(n), static_cast<int>(p));
    stack_forward(m_, m_.local, *b.rings, x, static_cast<int>(n), static_cast<int>(p), 0);
    byte_tables(m_, x, rows, freq);
    const size_t begin = static_cast<size_t>(job.first * p), end = std::min(seg.size, static_cast<size_t>((job.first + n) * p));
    for (size_t i = begin; i < end; ++i) sink_(job.segment, i, &freq[(i - begin) * 256]);
    if (done_range_ && end > begin) done_range_(job.segment, begin, end);
    return end - begin;
  }

  ChunkBuffers buffers_;  // first: the chunks' vectors go back to it until the last is destroyed
  const CpuModel& m_;
  const Engine::TableSink& sink_;
  const std::function<void(double)>& progress_;
  const Engine::RangeDone& done_range_;
  const int stages_;
  std::vector<SegmentWork> segs_;
  std::deque<LocalWork> local_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::exception_ptr error_;
  size_t total_ = 0, done_ = 0;
};

}  // namespace

bool ForcingHelp::run_one() {
  std::function<bool()> step;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!step_) return false;
    step = step_;
    ++in_hand_;
  }
  bool ran = false;
  try {
    ran = step();
  } catch (...) {  // a task's error is the forcing's (it stops and rethrows it); here only a failed copy
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (--in_hand_ == 0) idle_.notify_all();
  return ran;
}

void ForcingHelp::open(std::function<bool()> step) {
  std::lock_guard<std::mutex> lock(mu_);
  step_ = std::move(step);
}

void ForcingHelp::close() {
  std::unique_lock<std::mutex> lock(mu_);
  step_ = nullptr;
  idle_.wait(lock, [&] { return in_hand_ == 0; });
}

void Engine::teacher_force(const std::vector<ByteSpan>& segments, const TableSink& sink,
                           const std::function<void(double)>& progress, const RangeDone& done, ForcingHelp* help) const {
  if (accel_) {
    accel_->teacher_force(segments, sink, progress);
    if (done)
      for (size_t s = 0; s < segments.size(); ++s)
        if (segments[s].size) done(s, 0, segments[s].size);
    return;
  }
  TeacherForcing(*cpu_, segments, sink, progress, done).run(compute_threads(), help);
}

std::vector<std::vector<SymbolCode>> Engine::evaluate(const std::vector<ByteSpan>& segments,
                                                      const std::function<void(double)>& progress) const {
  std::vector<std::vector<SymbolCode>> out(segments.size());
  for (size_t i = 0; i < segments.size(); ++i) out[i].resize(segments[i].size);
  teacher_force(
      segments,
      [&](size_t s, size_t i, const uint32_t* f) {
        const uint8_t sym = segments[s].data[i];
        uint32_t cum = 0, total = 0;
        for (int t = 0; t < 256; ++t) {
          cum += t < sym ? f[t] : 0;
          total += f[t];
        }
        out[s][i] = SymbolCode{cum, f[sym], total};
      },
      progress);
  return out;
}

std::vector<std::vector<mix::PackedCounts>> Engine::evaluate_paths(const std::vector<ByteSpan>& segments,
                                                                   const std::function<void(double)>& progress) const {
  std::vector<std::vector<mix::PackedCounts>> out(segments.size());
  for (size_t i = 0; i < segments.size(); ++i) out[i].resize(segments[i].size * 8);
  evaluate_paths_into(segments, out, progress, {});
  return out;
}

void Engine::evaluate_paths_into(const std::vector<ByteSpan>& segments, std::vector<std::vector<mix::PackedCounts>>& out,
                                 const std::function<void(double)>& progress, const RangeDone& done, ForcingHelp* help) const {
  teacher_force(
      segments,
      [&](size_t s, size_t i, const uint32_t* f) {
        // cum[j] = sum of f[0, j); node d of the byte's path spans [lo, lo + w), w = 256 >> d.
        uint32_t cum[257];
        cum[0] = 0;
        for (int t = 0; t < 256; ++t) cum[t + 1] = cum[t] + f[t];
        const int sym = segments[s].data[i];
        for (int d = 0; d < 8; ++d) {
          const int w = 256 >> d, lo = sym - sym % w;
          out[s][i * 8 + d] = mix::pack(mix::NodeCounts{cum[lo + w] - cum[lo + w / 2], cum[lo + w] - cum[lo]});
        }
      },
      progress, done, help);
}

std::vector<uint32_t> Engine::frequency_tables(ByteSpan segment) const {
  std::vector<uint32_t> out(segment.size * 256);
  teacher_force(
      {segment}, [&](size_t, size_t i, const uint32_t* f) { std::copy_n(f, 256, &out[i * 256]); }, {});
  return out;
}

// ---------------------------------------------------------------- StepDecoder

struct StepDecoder::CpuState {
  std::shared_ptr<const CpuModel> m;
  int64_t pos = 0;
  std::unique_ptr<StackState> global, local;
  std::vector<uint8_t> patch, prev_patch;  // [B, P]
  std::vector<int32_t> cond;               // [B, P*Dl]
  std::vector<int32_t> x;                  // [B, max(Dg, Dl)]
  std::vector<uint32_t> freq;              // [B, 256]
  std::vector<uint32_t> tables;            // [B, 257]
  bool ready = false;
};

StepDecoder::StepDecoder(const Engine& engine, int batch, size_t max_len) : batch_(batch) {
  if (batch < 1) throw Error(ErrorCode::invalid_argument, "decoder batch must be >= 1");
  if (engine.accel_) {
    accel_ = engine.accel_->stepper(batch);
    return;
  }
  cpu_ = std::make_unique<CpuState>();
  CpuState& s = *cpu_;
  s.m = engine.cpu_;
  const ModelConfig& c = s.m->cfg;
  // A ring of the window holds every key a step reads; one of all the
  // patches there will be holds them too, never wrapping.
  int64_t cap = c.g_window;
  if (max_len > 0) {
    max_patches_ = static_cast<int64_t>((max_len + static_cast<size_t>(c.patch) - 1) / static_cast<size_t>(c.patch));
    cap = std::min(cap, max_patches_);
  }
  s.global = std::make_unique<StackState>(s.m->global, batch, static_cast<int>(cap));
  s.local = std::make_unique<StackState>(s.m->local, batch, static_cast<int>(c.patch));
  s.patch.assign(static_cast<size_t>(batch) * c.patch, 0);
  s.prev_patch = s.patch;
  s.x.resize(static_cast<size_t>(batch) * std::max(c.g_dim, c.l_dim));
  s.freq.resize(static_cast<size_t>(batch) * 256);
  s.tables.resize(static_cast<size_t>(batch) * 257);
}

StepDecoder::~StepDecoder() = default;

const std::vector<uint32_t>& StepDecoder::tables() {
  if (accel_) return accel_->tables();
  CpuState& s = *cpu_;
  if (s.ready) return s.tables;
  const CpuModel& m = *s.m;
  const ModelConfig& c = m.cfg;
  const int64_t p = c.patch, dg = c.g_dim, dl = c.l_dim, k = s.pos / p, j = s.pos % p;
  if (max_patches_ > 0 && k >= max_patches_) throw Error(ErrorCode::internal, "decoder stepped past its max_len");
  if (j == 0) {  // one global step: patch k sees patch k-1
    for (int r = 0; r < batch_; ++r)
      global_row(m, k == 0 ? nullptr : &s.prev_patch[static_cast<size_t>(r) * p], &s.x[static_cast<size_t>(r) * dg]);
    stack_forward(m, m.global, *s.global, s.x.data(), batch_, 1, k);
    global_to_local(m, s.x.data(), batch_, s.cond);
  }
  for (int r = 0; r < batch_; ++r) {
    const int prev = j == 0 ? 256 : s.patch[r * p + j - 1];
    local_input(m, prev, &s.cond[(static_cast<size_t>(r) * p + j) * dl], &s.x[static_cast<size_t>(r) * dl]);
  }
  stack_forward(m, m.local, *s.local, s.x.data(), batch_, 1, j);
  byte_tables(m, s.x.data(), batch_, s.freq.data());
  cumulative_tables(s.freq.data(), batch_, s.tables.data(), m.isa);
  s.ready = true;
  return s.tables;
}

void StepDecoder::push(const uint8_t* bytes) {
  if (accel_) return accel_->push(bytes);
  CpuState& s = *cpu_;
  if (!s.ready) tables();  // keeps the caches in step even if the caller skipped tables()
  const int64_t p = s.m->cfg.patch, j = s.pos % p;
  for (int r = 0; r < batch_; ++r) s.patch[r * p + j] = bytes[r];
  ++s.pos;
  s.ready = false;
  if (s.pos % p == 0) s.prev_patch = s.patch;
}

}  // namespace mbz
