// scratch.hpp — the engine's work buffers: grown to at least n elements and
// never shrunk, and taken from the calling thread's region of 2 MiB pages.
//
// Why a region of its own: each first touch of a 4 KiB page is a page fault,
// ~11 µs on the virtual machines mbz is measured on, and teacher forcing
// touches a few MB of fresh buffers in every thread that runs it (the
// residual rows, the products, attention's scores and the byte tables of a
// group): ~1,300 faults, most of a 10 KB file's first global chunk and
// first local group. One region per thread, marked MADV_HUGEPAGE, packs all
// of a thread's buffers into one or two 2 MiB pages, a fault each
// (bench/RESULTS.md "Start-up without libcrypto and libsndfile, and the
// engine's buffers on 2 MiB pages"). A region goes back to a process-wide
// pool when its thread ends, and the next thread takes it with its pages
// already there: every teacher forcing starts new threads. Only speed
// depends on it, never a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace mbz {

namespace scratch_detail {
// Bytes from the calling thread's region (64-byte aligned), or from operator
// new when the region is full or cannot be had (elsewhere than Linux).
void* take(size_t bytes);
// Gives back what take() gave: the region's last block makes room again,
// any other block of a region stays where it is until its thread ends.
void give(void* p, size_t bytes) noexcept;
// How many regions the process has made (tests: threads reuse them).
size_t regions_made();
}  // namespace scratch_detail

// An allocator for the engine's per-thread buffers (scratch_detail above).
// Its blocks must be freed on the thread that took them, or not at all
// before that thread ends: thread_local buffers, as the engine's are.
template <class T>
struct ScratchAllocator {
  using value_type = T;
  ScratchAllocator() = default;
  template <class U>
  ScratchAllocator(const ScratchAllocator<U>&) noexcept {}
  T* allocate(size_t n) { return static_cast<T*>(scratch_detail::take(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { scratch_detail::give(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const ScratchAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const ScratchAllocator<U>&) const noexcept { return false; }
};

template <class T>
using ScratchVector = std::vector<T, ScratchAllocator<T>>;

// buf's data, with room for n elements; entries are left as they were.
template <class T, class A>
T* scratch(std::vector<T, A>& buf, size_t n) {
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

}  // namespace mbz
