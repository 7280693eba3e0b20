// scratch.cpp — the threads' regions behind ScratchAllocator (scratch.hpp
// says why they exist).
//
// A region is 64 MiB of address space, 2 MiB-aligned and marked
// MADV_HUGEPAGE; memory exists only where a thread touched it. A thread
// takes blocks from its region in order; the last block taken can be given
// back (a vector growing in place of its old block), any other stays until
// the thread ends. Then a guard puts the region in the pool, from which the
// next thread takes it with its pages (its first 8 MiB: the rest, which only
// a batch of long segments reaches, goes back to the system). Regions are
// never unmapped; the registry of their addresses tells give() which blocks
// are theirs, also for buffers destroyed after their thread's guard.
#include "engine/scratch.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mbz::scratch_detail {

namespace {

constexpr size_t kRegionBytes = size_t{64} << 20;  // a 10 KB forcing uses ~3 MB a thread; past it, operator new
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kAlign = 64;
constexpr int kMaxRegions = 1024;  // threads at once that ever hold one; past it, operator new

// Every region ever made, in order (append-only: read without the lock).
std::atomic<uint8_t*> g_regions[kMaxRegions];
std::atomic<int> g_region_count{0};
// The regions no thread holds, and their lock: made once and never
// destroyed, for threads that end after the process's static objects.
struct Pool {
  std::mutex mu;
  std::vector<uint8_t*> regions;
};
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}
// A region keeps this much of what its thread touched for the next one; the
// rest goes back to the system (a batch of long segments touches more).
constexpr size_t kKeptBytes = size_t{8} << 20;

// The calling thread's region: plain data, so that it can still be read
// while the thread's other thread_local objects are destroyed.
struct Held {
  uint8_t* base;
  size_t used;
  size_t touched;    // the most `used` has been: how far pages may exist
  bool unavailable;  // no region could be had: operator new for this thread
};
thread_local Held t_held{nullptr, 0, 0, false};

// Returns the thread's region to the pool when the thread ends.
struct Guard {
  ~Guard() {
    if (!t_held.base) return;
#if defined(__linux__)
    if (t_held.touched > kKeptBytes)
      madvise(t_held.base + kKeptBytes, (t_held.touched - kKeptBytes + kHugePage - 1) / kHugePage * kHugePage, MADV_DONTNEED);
#endif
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mu);
    p.regions.push_back(t_held.base);
    t_held.base = nullptr;
    t_held.used = t_held.touched = 0;
  }
};

bool in_a_region(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  const int n = g_region_count.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) {
    const uint8_t* r = g_regions[i].load(std::memory_order_acquire);
    if (r && b >= r && b < r + kRegionBytes) return true;
  }
  return false;
}

uint8_t* new_region() {
#if defined(__linux__)
  const size_t bytes = kRegionBytes + kHugePage;  // room to align
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  auto* base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(p) + kHugePage - 1) / kHugePage * kHugePage);
#if defined(MADV_HUGEPAGE)
  madvise(base, kRegionBytes, MADV_HUGEPAGE);  // advice only: a refusal changes nothing but speed
#endif
  return base;
#else
  return nullptr;
#endif
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUseRegions = false;  // AddressSanitizer checks operator new's blocks, not a region's
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUseRegions = false;
#else
constexpr bool kUseRegions = true;
#endif
#else
constexpr bool kUseRegions = true;
#endif

// The thread's region, taken from the pool or made; null if none can be had.
uint8_t* region() {
  if (t_held.base || t_held.unavailable) return t_held.base;
  if (!kUseRegions) {
    t_held.unavailable = true;
    return nullptr;
  }
  thread_local Guard guard;  // constructed here, before the region is held
  (void)guard;
  {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mu);
    if (!p.regions.empty()) {
      t_held.base = p.regions.back();
      p.regions.pop_back();
      return t_held.base;
    }
    const int n = g_region_count.load(std::memory_order_relaxed);
    if (n < kMaxRegions) {
      if (uint8_t* r = new_region()) {
        g_regions[n].store(r, std::memory_order_release);
        g_region_count.store(n + 1, std::memory_order_release);
        t_held.base = r;
        return r;
      }
    }
  }
  t_held.unavailable = true;
  return nullptr;
}

}  // namespace

void* take(size_t bytes) {
  if (uint8_t* base = region()) {
    const size_t at = (t_held.used + kAlign - 1) / kAlign * kAlign;
    if (bytes <= kRegionBytes - at) {
      t_held.used = at + bytes;
      t_held.touched = std::max(t_held.touched, t_held.used);
      return base + at;
    }
  }
  return ::operator new(bytes);
}

void give(void* p, size_t bytes) noexcept {
  if (!in_a_region(p)) {
    ::operator delete(p);
    return;
  }
  auto* b = static_cast<uint8_t*>(p);
  if (t_held.base && b + bytes == t_held.base + t_held.used) t_held.used = static_cast<size_t>(b - t_held.base);
}

size_t regions_made() { return static_cast<size_t>(g_region_count.load(std::memory_order_acquire)); }

}  // namespace mbz::scratch_detail
