// staged_run.hpp — a known segment's decisions through a unit cut in two
// stages (profile13_stages.hpp, profile8_stages.hpp), the front on a thread
// of its own, the back on the caller's.
//
// The front describes each decision (its Decision: the mixer's inputs and
// selectors) into a ring of blocks and moves on with the known bit; the back
// takes the decisions in order, mixes, hands code(i, bit, p1) each
// probability and learns the bit. The two meet once a block: a count of
// decisions written and one of decisions read, each published by its stage
// (release) and read by the other (acquire). A stage with nothing to do
// spins a little, then sleeps on a condition variable until the other
// publishes. Decisions, their order and their arithmetic are the frozen
// unit's: the probabilities are the same on any schedule.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "mix/node_counts.hpp"
#include "mix/packed_counts.hpp"

namespace mbz::mix {

// Decisions a block (a stage publishes its count once a block), blocks in
// the ring, and the pauses a stage spins before it sleeps. A block is ~0.2
// ms of a stage's work, and the ring (~500 KB of profile 13's decisions)
// leaves the slower stage seven blocks of slack, so the faster one can
// sleep without starving it; spinning longer only burns the other core
// (measured: bench/RESULTS.md "Images and audio — the encoder in two stages").
constexpr size_t kStagedBlock = 256;
constexpr size_t kStagedBlocks = 8;
constexpr int kStagedSpins = 256;

namespace staged_detail {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// The two counts and the sleeping place.
class Handoff {
 public:
  // Blocks until ready() holds, or the other stage has failed (returns false).
  template <class Ready>
  bool wait(Ready ready) {
    for (int spin = 0; spin < kStagedSpins; ++spin) {
      if (ready()) return true;
      if (failed_.load(std::memory_order_acquire)) return false;
      cpu_relax();
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return ready() || failed_.load(std::memory_order_acquire); });
    return ready();
  }
  void publish(std::atomic<size_t>& count, size_t n) {
    count.store(n, std::memory_order_release);
    std::lock_guard<std::mutex> lock(mu_);  // a waiter checks under the lock: no wake-up is lost
    cv_.notify_all();
  }
  void fail() {
    failed_.store(true, std::memory_order_release);
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }

  std::atomic<size_t> written{0};
  std::atomic<size_t> read{0};

 private:
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace staged_detail

// Codes data[0, size) through front and back: code(i, bit, p1) for every
// decision, in order, on the caller's thread. paths: 8 PackedCounts a byte
// for bytes [0, modelled), or null (kNoModel for every decision).
template <class Front, class Back, class Decision, class Code>
void run_staged(Front& front, Back& back, const uint8_t* data, size_t size, const PackedCounts* paths, size_t modelled,
                Code&& code) {
  const size_t total = size * 8, capacity = kStagedBlock * kStagedBlocks;
  std::vector<Decision> ring(capacity);
  staged_detail::Handoff handoff;
  std::exception_ptr front_error;
  std::thread ahead([&] {
    try {
      for (size_t n = 0; n < total;) {
        const size_t end = std::min(total, n + kStagedBlock);
        if (!handoff.wait([&] { return end - handoff.read.load(std::memory_order_acquire) <= capacity; })) return;
        for (; n < end; ++n) {
          const size_t i = n / 8;
          const int bit = (data[i] >> (7 - n % 8)) & 1;
          front.describe(paths && i < modelled ? unpack(paths[n]) : kNoModel, ring[n % capacity]);
          front.update(bit);
        }
        handoff.publish(handoff.written, n);
      }
    } catch (...) {
      front_error = std::current_exception();
      handoff.fail();
    }
  });
  try {
    size_t available = 0;
    for (size_t n = 0; n < total; ++n) {
      if (n % kStagedBlock == 0 && n) handoff.publish(handoff.read, n);  // a block's slots are free again
      if (n == available) {
        if (!handoff.wait([&] { return handoff.written.load(std::memory_order_acquire) > n; })) break;
        available = handoff.written.load(std::memory_order_acquire);
      }
      const Decision& d = ring[n % capacity];
      const size_t i = n / 8;
      const int bit = (data[i] >> (7 - n % 8)) & 1;
      code(i, bit, back.predict(d));
      if (n + 1 < available) back.prefetch(ring[(n + 1) % capacity]);
      back.update(bit);
    }
  } catch (...) {
    handoff.fail();
    ahead.join();
    throw;
  }
  ahead.join();
  if (front_error) std::rethrow_exception(front_error);
}

}  // namespace mbz::mix
